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


def party_listings(user) -> QuerySet[DishonestyListing]:
    require_enterprise_user(user)
    return DishonestyListing.objects.filter(
        enterprise_id=user.enterprise_id, status__in=("listed", "removed")
    )


def require_accident_recorder(user) -> None:
    if not has_role(user, Role.OFFICER, Role.APPROVER):
        raise Forbidden("只有执法人员或单位负责人可以登记生产安全事故。")
