"""Who sees which of the enterprise's records. Pages and the API both go through here.

An enterprise user sees only its own enterprise's records; staff see those of the
enterprises they may see (registry.access). Nothing here is public.
"""

from __future__ import annotations

from django.db.models import QuerySet

from fairinspect.core.errors import Forbidden, NotFound
from fairinspect.core.roles import Role, has_role
from fairinspect.registry.access import enterprises_visible_to, is_staff
from fairinspect.registry.models import Enterprise

from .models import Evidence, RectificationReport, SelfCheck, SelfInspection, SelfReportedHazard


def is_enterprise_user(user) -> bool:
    return bool(user.is_authenticated and has_role(user, Role.ENTERPRISE) and user.enterprise_id)


def own_enterprise(user) -> Enterprise:
    """The enterprise user's own enterprise; anyone else is refused."""
    if not is_enterprise_user(user):
        raise Forbidden("只有企业用户可以使用本企业的页面。")
    return Enterprise.objects.select_related("industry").get(pk=user.enterprise_id)


def require_staff(user) -> None:
    if not (user.is_authenticated and is_staff(user)):
        raise Forbidden("只有本局工作人员可以查看。")


def require_reviewer(user) -> None:
    if not has_role(user, Role.OFFICER, Role.APPROVER):
        raise Forbidden("只有执法人员或审批负责人可以审核企业报告。")


def require_approver(user) -> None:
    if not has_role(user, Role.APPROVER):
        raise Forbidden("只有审批负责人可以认可企业自我检查报告。")


def _scoped(qs: QuerySet, user) -> QuerySet:
    if not user.is_authenticated:
        return qs.none()
    if is_staff(user):
        return qs.filter(enterprise__in=enterprises_visible_to(user).values("pk"))
    if is_enterprise_user(user):
        return qs.filter(enterprise_id=user.enterprise_id)
    return qs.none()


def self_checks_visible_to(user) -> QuerySet[SelfCheck]:
    return _scoped(SelfCheck.objects.select_related("enterprise"), user)


def self_hazards_visible_to(user) -> QuerySet[SelfReportedHazard]:
    return _scoped(SelfReportedHazard.objects.select_related("enterprise", "self_check"), user)


def reports_visible_to(user) -> QuerySet[RectificationReport]:
    return _scoped(
        RectificationReport.objects.select_related("enterprise", "order", "self_hazard"), user
    )


def self_inspections_visible_to(user) -> QuerySet[SelfInspection]:
    return _scoped(SelfInspection.objects.select_related("enterprise"), user)


def _get(qs: QuerySet, pk: int):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


def get_self_check(user, pk: int) -> SelfCheck:
    return _get(self_checks_visible_to(user), pk)


def get_self_hazard(user, pk: int) -> SelfReportedHazard:
    return _get(self_hazards_visible_to(user), pk)


def get_report(user, pk: int) -> RectificationReport:
    return _get(reports_visible_to(user), pk)


def get_self_inspection(user, pk: int) -> SelfInspection:
    return _get(self_inspections_visible_to(user), pk)


def get_evidence(user, pk: int) -> Evidence:
    return _get(
        _scoped(Evidence.objects.select_related("report"), user),
        pk,
    )


def get_own_order(user, pk: int):
    """An order served on the enterprise user's own enterprise."""
    from fairinspect.visits.models import RectificationOrder

    own_enterprise(user)
    o = (
        RectificationOrder.objects.select_related("visit", "enterprise")
        .filter(enterprise_id=user.enterprise_id, pk=pk)
        .first()
    )
    if o is None:
        raise NotFound()
    return o
