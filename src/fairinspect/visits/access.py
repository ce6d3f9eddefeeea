"""Who may see which visit. Pages and the API both fetch visits through here.

Staff see the visits of the enterprises they may see (registry.access) and the visits of their
own department; an enterprise user sees only its own enterprise's finished and current visits
(the transparency card); ratings are seen by supervisors and administrators only, never by
the inspecting unit.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet

from fairinspect.core.errors import Forbidden, NotFound
from fairinspect.core.prepared import Prepared
from fairinspect.core.roles import Role, has_role
from fairinspect.registry.access import enterprises_visible_to, is_staff

from .models import Hazard, Recording, RectificationOrder, Visit


def visits_visible_to(user) -> QuerySet[Visit]:
    qs = Visit.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if is_staff(user):
        visible = enterprises_visible_to(user)
        if not visible.query.where:  # city-wide staff: every visit, no subquery (the lists)
            return qs
        ents = visible.values("pk")
        if user.department_id:
            return qs.filter(Q(enterprise__in=ents) | Q(department__in=_dept_ids(user)))
        return qs.filter(enterprise__in=ents)
    if has_role(user, Role.ENTERPRISE) and user.enterprise_id:
        return qs.filter(enterprise_id=user.enterprise_id)
    return qs.none()


def _dept_ids(user) -> list[int]:
    d = user.department
    return [d.pk, *([d.parent_id] if d.parent_id else [])]


def get_visit(user, pk: int, *, staff_only: bool = True) -> Visit:
    if staff_only and not is_staff(user):
        raise Forbidden("只有本局工作人员可以查看检查详情。")
    qs = visits_visible_to(user).select_related(
        "enterprise", "department", "plan", "follow_up_order"
    )
    v = qs.filter(pk=pk, **_partition_of(pk)).first()
    if v is None:
        raise NotFound()
    return v


def _partition_of(pk: int) -> dict:
    """On PostgreSQL, the visit's date, read first by id alone: the page's query with its
    four joins then plans one year's partition instead of seventeen (4.5 → ≈ 0.6 ms of
    planning at 1,000,000 visits, docs/scale.md). Nothing elsewhere (no partitions)."""
    if connection.vendor != "postgresql":
        return {}
    found = _VISIT_DATE.rows(pk=pk)
    if not found:
        raise NotFound()
    return {"planned_date": found[0][0]}


# Prepared (core/prepared.py): planned over the seventeen partitions once per connection.
_VISIT_DATE = Prepared(
    lambda pk: Visit.objects.filter(pk=pk).order_by().values_list("planned_date")[:1],
    pk=-7_000_031,
)


def require_officer(user) -> None:
    if not has_role(user, Role.OFFICER, Role.APPROVER, Role.ADMIN):
        raise Forbidden("只有执法人员可以执行此操作。")


def can_see_ratings(user) -> bool:
    return has_role(user, Role.SUPERVISOR, Role.ADMIN)


def get_recording(user, visit: Visit, pk: int) -> Recording:
    r = Recording.objects.filter(visit=visit, pk=pk).first()
    if r is None:
        raise NotFound()
    return r


def get_order(user, pk: int) -> RectificationOrder:
    o = (
        RectificationOrder.objects.select_related("visit", "enterprise")
        .filter(visit__in=visits_visible_to(user).values("pk"), pk=pk)
        .first()
    )
    if o is None:
        raise NotFound()
    return o


def hazards_of(visit: Visit) -> QuerySet[Hazard]:
    return Hazard.objects.filter(visit=visit).select_related("item")


# ---- separation of duties (R1.5) -------------------------------------------------------------


def plan_duty(visit: Visit):
    """The on-site plan as the duties rule sees it: drafted by whoever arranged the visit,
    submitted by whoever sent it for approval, the inspection team; it belongs to the bureau
    of the visit's (lead) department, so a joint visit is approved by the lead's approvers."""
    from fairinspect.core.duties import Capacity, duty_object, part

    plan = getattr(visit, "plan", None)
    people = [part(visit.created_by_id, Capacity.DRAFTED)]
    if plan is not None:
        people.append(part(plan.submitted_by_id, Capacity.SUBMITTED))
    people += [
        part(uid, Capacity.TEAM)
        for uid in visit.team.exclude(officer__user__isnull=True).values_list(
            "officer__user_id", flat=True
        )
    ]
    return duty_object("现场检查方案", visit.department, people)


def plan_approval(user, visit: Visit):
    """What `services.approve_plan` will decide about the person (the page shows it)."""
    from fairinspect.core.duties import check

    return check(user, "审批该检查方案", Role.APPROVER, plan_duty(visit))


# ------------------------------------------------ the records behind exempt visits (R3.3)


def applications_visible_to(user):
    """Staff: the applications of the enterprises they may see; an enterprise user: its own."""
    from .records import InspectionApplication

    qs = InspectionApplication.objects.select_related("enterprise")
    if not user.is_authenticated:
        return qs.none()
    if is_staff(user):
        return qs.filter(enterprise__in=enterprises_visible_to(user).values("pk"))
    if has_role(user, Role.ENTERPRISE) and user.enterprise_id:
        return qs.filter(enterprise_id=user.enterprise_id)
    return qs.none()


def get_application(user, pk: int):
    a = applications_visible_to(user).filter(pk=pk).first()
    if a is None:
        raise NotFound()
    return a


def referrals_visible_to(user):
    """Staff only: the referrals about the enterprises they may see."""
    from .records import Referral

    if not user.is_authenticated or not is_staff(user):
        return Referral.objects.none()
    return Referral.objects.select_related("enterprise", "department").filter(
        enterprise__in=enterprises_visible_to(user).values("pk")
    )


def get_referral(user, pk: int):
    if not is_staff(user):
        raise Forbidden("只有本局工作人员可以查看转办交办文件。")
    r = referrals_visible_to(user).filter(pk=pk).first()
    if r is None:
        raise NotFound()
    return r
