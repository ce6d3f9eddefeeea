"""Who may see or change registry records. Pages and the API both go through here."""

from __future__ import annotations

from django.db.models import QuerySet

from fairinspect.core.errors import Forbidden, NotFound
from fairinspect.core.roles import Role, has_role

from .models import Enterprise, Officer

STAFF_ROLES = (Role.OFFICER, Role.APPROVER, Role.LEGAL_REVIEWER, Role.SUPERVISOR, Role.ADMIN)


def is_staff(user) -> bool:
    return has_role(user, *STAFF_ROLES)


def _is_city_wide(user) -> bool:
    if has_role(user, Role.ADMIN):
        return True
    dept = user.department
    return dept is not None and dept.level == "city"


def enterprises_visible_to(user) -> QuerySet[Enterprise]:
    """City staff see every enterprise; district staff their district's; an enterprise user
    only its own; everyone else none. Later modules widen a district's view through
    `extra_enterprise_filters` (joint assignments)."""
    qs = Enterprise.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if is_staff(user):
        if _is_city_wide(user):
            return qs
        if user.department_id is None:
            return qs.none()
        return qs.filter(district_code=user.department.bureau.division_code)
    if has_role(user, Role.ENTERPRISE) and user.enterprise_id:
        return qs.filter(pk=user.enterprise_id)
    return qs.none()


def get_enterprise(user, credit_code: str) -> Enterprise:
    ent = (
        enterprises_visible_to(user)
        .select_related("industry")
        .filter(credit_code=(credit_code or "").strip().upper())
        .first()
    )
    if ent is None:
        raise NotFound()
    return ent


def require_admin(user) -> None:
    if not has_role(user, Role.ADMIN):
        raise Forbidden("只有管理员可以执行此操作。")


def require_staff(user) -> None:
    if not is_staff(user):
        raise Forbidden("只有本局工作人员可以查看。")


def officers_visible_to(user) -> QuerySet[Officer]:
    require_staff(user)
    return Officer.objects.select_related("department").prefetch_related("certificates")


def get_officer(user, officer_id: int) -> Officer:
    officer = officers_visible_to(user).filter(pk=officer_id).first()
    if officer is None:
        raise NotFound()
    return officer


def can_edit_enterprise(user) -> bool:
    return has_role(user, Role.ADMIN)


def require_admin_or_supervisor(user) -> None:
    if not has_role(user, Role.ADMIN, Role.SUPERVISOR):
        raise Forbidden("只有管理员或监督人员可以查看。")
