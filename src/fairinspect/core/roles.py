"""The roles people hold. A person may hold several (a 科长 inspects and approves).

Roles are stored as Django groups named by the role's value, so the administrator assigns
them in the admin; `roles_of` reads them once per request and caches them on the user.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    OFFICER = "officer"
    APPROVER = "approver"
    LEGAL_REVIEWER = "legal_reviewer"
    SUPERVISOR = "supervisor"
    ENTERPRISE = "enterprise"
    EXPERT = "expert"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.OFFICER: _("执法人员"),
    Role.APPROVER: _("审批负责人"),
    Role.LEGAL_REVIEWER: _("法制审核人员"),
    Role.SUPERVISOR: _("监督人员"),
    Role.ENTERPRISE: _("企业用户"),
    Role.EXPERT: _("专家"),
    Role.ADMIN: _("管理员"),
}


def roles_of(user) -> frozenset[Role]:
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_fairinspect_roles", None)
    if cached is None:
        cached = user._fairinspect_roles = roles_named(
            user.groups.values_list("name", flat=True), superuser=user.is_superuser
        )
    return cached


def roles_named(group_names, *, superuser: bool) -> frozenset[Role]:
    """The roles a user's groups (their names) give; a superuser administers."""
    names = set(group_names)
    roles = frozenset(r for r in Role if r.value in names)
    return roles | {Role.ADMIN} if superuser else roles


def has_role(user, *roles: Role) -> bool:
    return bool(roles_of(user) & set(roles))
