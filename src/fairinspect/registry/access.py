"""Who may see or change registry records. Pages and the API both go through here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.db.models import QuerySet

from fairinspect.core.errors import Forbidden, NotFound
from fairinspect.core.roles import Role, has_role

from .models import Enterprise, Officer

STAFF_ROLES = (Role.OFFICER, Role.APPROVER, Role.LEGAL_REVIEWER, Role.SUPERVISOR, Role.ADMIN)


def officer_of(user) -> Officer | None:
    """The user's officer record, or None (anonymous, or not an officer); read with the user
    by the login backend (registry.backends), so no query then."""
    try:
        return user.officer
    except (Officer.DoesNotExist, AttributeError):
        return None


def is_staff(user) -> bool:
    return has_role(user, *STAFF_ROLES)


def _is_city_wide(user) -> bool:
    if has_role(user, Role.ADMIN):
        return True
    dept = user.department
    return dept is not None and dept.level == "city"


@dataclass(frozen=True)
class EnterpriseScope:
    """Which enterprises a user may see, as data: every one ("all"), one district's
    ("district", with its code), one enterprise ("one", with its id) or none. Callers that
    keep a prepared statement per shape (the pre-check, the quota) take the shape from here
    instead of reading it back out of a queryset."""

    kind: Literal["all", "district", "one", "none"]
    district: str = ""
    enterprise_id: int | None = None

    def queryset(self) -> QuerySet[Enterprise]:
        qs = Enterprise.objects.all()
        if self.kind == "all":
            return qs
        if self.kind == "district":
            return qs.filter(district_code=self.district)
        if self.kind == "one" and self.enterprise_id is not None:
            return qs.filter(pk=self.enterprise_id)
        return qs.none()


def enterprise_scope(user) -> EnterpriseScope:
    """City staff see every enterprise; district staff their district's; an enterprise user
    only its own; everyone else none."""
    if not user.is_authenticated:
        return EnterpriseScope("none")
    if is_staff(user):
        if _is_city_wide(user):
            return EnterpriseScope("all")
        if user.department_id is None:
            return EnterpriseScope("none")
        return EnterpriseScope("district", district=user.department.bureau.division_code)
    if has_role(user, Role.ENTERPRISE) and user.enterprise_id:
        return EnterpriseScope("one", enterprise_id=user.enterprise_id)
    return EnterpriseScope("none")


def enterprises_visible_to(user) -> QuerySet[Enterprise]:
    """The enterprises of `enterprise_scope(user)`."""
    return enterprise_scope(user).queryset()


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
