"""Who may see or act on monitoring records. Pages and the API both go through here.

Staff see the points and warnings of the enterprises of their territory
(`registry.access.enterprises_visible_to`); an enterprise user sees only its own."""

from __future__ import annotations

from django.db.models import QuerySet

from fairinspect.core.errors import Forbidden, NotFound
from fairinspect.core.roles import Role, has_role
from fairinspect.registry.access import enterprises_visible_to, is_staff

from .models import EarlyWarning, MonitoringPoint


def points_visible_to(user) -> QuerySet[MonitoringPoint]:
    return MonitoringPoint.objects.filter(enterprise__in=enterprises_visible_to(user))


def warnings_visible_to(user) -> QuerySet[EarlyWarning]:
    return EarlyWarning.objects.filter(enterprise__in=enterprises_visible_to(user))


def get_point(user, point_id: int) -> MonitoringPoint:
    p = points_visible_to(user).select_related("enterprise").filter(pk=point_id).first()
    if p is None:
        raise NotFound()
    return p


def get_warning(user, number: str) -> EarlyWarning:
    w = (
        warnings_visible_to(user)
        .select_related("enterprise", "point")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if w is None:
        raise NotFound()
    return w


def require_monitoring_viewer(user) -> None:
    if not (is_staff(user) or (has_role(user, Role.ENTERPRISE) and user.enterprise_id)):
        raise Forbidden("只有监管人员和企业用户可以查看监测数据。")


def require_staff_viewer(user) -> None:
    if not is_staff(user):
        raise Forbidden("只有监管部门工作人员可以查看。")
