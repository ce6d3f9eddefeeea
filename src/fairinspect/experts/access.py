"""Who sees the pool: staff (officers, approvers, supervisors, administrators, legal
reviewers); enterprise users and experts do not (a conflict or an evaluation is internal)."""

from __future__ import annotations

from fairinspect.core.errors import Forbidden
from fairinspect.core.roles import Role, has_role

STAFF = (Role.OFFICER, Role.APPROVER, Role.SUPERVISOR, Role.ADMIN, Role.LEGAL_REVIEWER)


def require_staff(user) -> None:
    if not has_role(user, *STAFF):
        raise Forbidden("专家库只对执法、审批、监督人员和管理员开放。")


def can_manage(user) -> bool:
    return has_role(user, Role.ADMIN, Role.APPROVER)
