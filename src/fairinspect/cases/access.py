"""Who may see cases. Pages and the API both fetch cases only through here.

Staff see the cases of the enterprises they may see (city staff all, district staff their
district's); enterprise users and experts see no case pages: the party receives its documents
by service (送达), and the public reads the redacted disclosure list.
"""

from __future__ import annotations

from django.db.models import QuerySet

from fairinspect.core.errors import Forbidden, NotFound
from fairinspect.core.roles import Role, has_role
from fairinspect.registry.access import enterprises_visible_to

from .models import Case, DishonestyListing

CASE_ROLES = (Role.OFFICER, Role.APPROVER, Role.LEGAL_REVIEWER, Role.SUPERVISOR, Role.ADMIN)


def require_case_staff(user) -> None:
    if not has_role(user, *CASE_ROLES):
        raise Forbidden("只有执法、审批、法制审核、监督人员可以查看行政处罚案件。")


def cases_visible_to(user) -> QuerySet[Case]:
    require_case_staff(user)
    ents = enterprises_visible_to(user)
    if not ents.query.where:  # city-wide staff: no filter, no subquery (the overdue list's count)
        return Case.objects.all()
    return Case.objects.filter(enterprise__in=ents)


def get_case(user, case_id: int) -> Case:
    case = (
        cases_visible_to(user)
        .select_related("enterprise", "created_by", "pair")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound()
    return case


def require_officer(user) -> None:
    if not has_role(user, Role.OFFICER):
        raise Forbidden("只有执法人员可以登记立案。")


def listings_visible_to(user) -> QuerySet[DishonestyListing]:
    require_case_staff(user)
    return DishonestyListing.objects.filter(enterprise__in=enterprises_visible_to(user))


def require_publisher(user) -> None:
    if not has_role(user, Role.ADMIN, Role.APPROVER):
        raise Forbidden("只有管理员或单位负责人可以公布包容免罚清单。")


# ---- the party's own view (enterprise users) -----------------------------------------------

HIDDEN_FROM_PARTY = ("pending_filing", "not_filed")  # internal until the case is filed


def require_enterprise_user(user) -> None:
    if not (has_role(user, Role.ENTERPRISE) and getattr(user, "enterprise_id", None)):
        raise Forbidden("只有企业用户可以查看本企业的案件。")


def party_cases(user) -> QuerySet[Case]:
    """The enterprise's own cases as party (the unit's cases, once filed). Cases against a
    person (the main person in 一案双罚) are served on that person, not shown to the company."""
    require_enterprise_user(user)
    return Case.objects.filter(enterprise_id=user.enterprise_id, party="unit").exclude(
        status__in=HIDDEN_FROM_PARTY
    )


def get_party_case(user, case_id: int) -> Case:
    case = party_cases(user).select_related("enterprise").filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    return case


# The party sees a listing matter from the notice on (never a bare proposal).
PARTY_LISTING_STATUSES = ("notified", "listed", "declined", "removed")


def party_listings(user) -> QuerySet[DishonestyListing]:
    require_enterprise_user(user)
    return DishonestyListing.objects.filter(
        enterprise_id=user.enterprise_id, status__in=PARTY_LISTING_STATUSES
    )


def require_accident_recorder(user) -> None:
    if not has_role(user, Role.OFFICER, Role.APPROVER):
        raise Forbidden("只有执法人员或单位负责人可以登记生产安全事故。")


# ---- separation of duties (R1.5) -------------------------------------------------------------
# The records as `rules.duties` sees them. The services require the decision before an
# approving, reviewing or deciding step; the pages offer only what the same decision allows.


def _case_people(case: Case, *, handlers_as_team: bool = False):
    from fairinspect.core.duties import Capacity, part
    from fairinspect.rules.case_workflow import STEPS

    people = [part(case.created_by_id, Capacity.TEAM if handlers_as_team else Capacity.DRAFTED)]
    for action, actor_id in case.steps.values_list("action", "actor_id"):
        step = STEPS.get(action)
        if step is None or not step.approving:  # "open" and the officers' steps
            people.append(part(actor_id, Capacity.TEAM))
        elif not handlers_as_team:
            people.append(part(actor_id, Capacity.ACTED, step.role, step.label))
    if case.visit_id:
        from fairinspect.visits.models import VisitOfficer

        people += [
            part(uid, Capacity.TEAM)
            for uid in VisitOfficer.objects.filter(
                visit_id=case.visit_id, officer__user__isnull=False
            ).values_list("officer__user_id", flat=True)
        ]
    return people


def case_duty(case: Case):
    """The case: registered by its handler, worked by the officers who took its officer
    steps (and the inspectors of the visit it came from); it belongs to the handling bureau."""
    from fairinspect.core.duties import duty_object

    return duty_object("案件", case.department, _case_people(case))


def case_file_duty(case: Case):
    """The case file as a case-file review (评查) sees it: everyone who registered, handled
    or took a step in the case, whatever the role (they never review it, R1.5, R8.3)."""
    from fairinspect.core.duties import duty_object

    return duty_object("案卷", case.department, _case_people(case))


def listing_duty(listing: DishonestyListing):
    """A listing proposal: its proposer and the case's handlers never decide it; it is
    decided in the bureau that penalised (谁处罚、谁决定、谁负责)."""
    from fairinspect.core.duties import Capacity, duty_object, part

    case = listing.case
    people = [part(listing.proposed_by_id, Capacity.PROPOSED)]
    people += _case_people(case, handlers_as_team=True)
    return duty_object("严重失信主体名单事项", case.department, people)


def removal_duty(application):
    from fairinspect.core.duties import Capacity, part

    obj = listing_duty(application.listing)
    return type(obj)(
        label="提前移出申请",
        bureau_id=obj.bureau_id,
        bureau_name=obj.bureau_name,
        participations=(*obj.participations, part(application.applied_by_id, Capacity.REQUESTED)),
    )


def repair_duty(application):
    """A credit-repair application (R10.3): decided in the bureau that penalised, never by
    the applicant, the case's handlers or the enterprise's inspectors (the officers of its
    visits in the twelve months before the application, the case's source visit included)."""
    import datetime as dt

    from fairinspect.core.duties import Capacity, duty_object, part
    from fairinspect.visits.models import VisitOfficer

    case = application.case
    people = [part(application.applied_by_id, Capacity.REQUESTED)]
    people += _case_people(case, handlers_as_team=True)
    since = application.applied_on - dt.timedelta(days=366)
    people += [
        part(uid, Capacity.TEAM)
        for uid in VisitOfficer.objects.filter(
            visit__enterprise_id=application.enterprise_id,
            visit__planned_date__gte=since,
            officer__user__isnull=False,
        )
        .values_list("officer__user_id", flat=True)
        .distinct()
    ]
    return duty_object("信用修复申请", case.department, people)


def step_duty(user, case: Case, action: str):
    """The duties decision for one step of the case (allowed for the officers' own steps)."""
    from fairinspect.core.duties import check
    from fairinspect.rules.case_workflow import STEPS
    from fairinspect.rules.duties import DutyDecision

    step = STEPS[action]
    if not step.approving:
        return DutyDecision(True, ())
    return check(user, step.label, step.role, case_duty(case))


def case_actions(user, case: Case) -> list[str]:
    """The steps the page and the API offer this person now: role, state, the discussion
    rule (rules.case_workflow) and separation of duties (rules.duties)."""
    from fairinspect.core.roles import roles_of
    from fairinspect.rules.case_workflow import available_actions

    actions = available_actions(status=case.status, is_major=case.is_major, roles=roles_of(user))
    return [a for a in actions if step_duty(user, case, a).allowed]


def refused_steps(user, case: Case) -> list[tuple[str, object]]:
    """Steps the person's roles would allow now but separation of duties refuses, with why."""
    from fairinspect.core.roles import roles_of
    from fairinspect.rules.case_workflow import STEPS, available_actions

    actions = available_actions(status=case.status, is_major=case.is_major, roles=roles_of(user))
    out = []
    for a in actions:
        d = step_duty(user, case, a)
        if not d.allowed:
            out.append((STEPS[a].label, d))
    return out


def listing_decision(user, listing: DishonestyListing, on):
    """What `services.list_dishonest` / `decline_listing` will say about this person now:
    separation of duties, then the notice and the statement period (rules.dishonesty)."""
    from fairinspect.core.duties import check
    from fairinspect.rules.dishonesty import check_decision_timing
    from fairinspect.rules.duties import DutyDecision

    duty = check(user, "决定是否列入", Role.APPROVER, listing_duty(listing))
    timing = check_decision_timing(
        status=listing.status,
        statement_due=listing.statement_due,
        statement_given=bool(listing.statement),
        on=on,
    )
    reasons = duty.reasons + timing.reasons
    return DutyDecision(not reasons, reasons)


def removal_decision(user, listing: DishonestyListing):
    from fairinspect.core.duties import check

    return check(user, "移出名单", Role.APPROVER, listing_duty(listing))


# ---- credit repair (R10.3) ---------------------------------------------------------------------


def repairs_visible_to(user):
    """Staff: applications about enterprises they may see. Enterprise users: their own."""
    from .models import CreditRepairApplication

    qs = CreditRepairApplication.objects.select_related("case", "enterprise", "case__department")
    party = has_role(user, Role.ENTERPRISE) and getattr(user, "enterprise_id", None)
    if party and not has_role(user, *CASE_ROLES):
        return qs.filter(enterprise_id=user.enterprise_id)
    require_case_staff(user)
    return qs.filter(enterprise__in=enterprises_visible_to(user))


def repair_decision(user, application):
    """The duties decision the desk shows in place of the decide form."""
    from fairinspect.core.duties import check
    from fairinspect.rules.duties import DutyDecision, Reason

    if not has_role(user, Role.APPROVER):
        return DutyDecision(False, (Reason("not_approver", "信用修复申请由单位负责人审核。"),))
    return check(user, "审核信用修复申请", Role.APPROVER, repair_duty(application))
