"""The router, bearers, schemas and helpers every section shares."""

from __future__ import annotations

from ninja import Router, Schema

from fairinspect.core.roles import Role
from fairinspect.core.schemas import (
    ReasonOut,
)
from fairinspect.registry.api import RoleBearer

router = Router(tags=["扫码入企与现场检查 visits"])
# Roles are checked before the body is read (registry.api.RoleBearer).
officer_bearer = RoleBearer(Role.OFFICER, Role.APPROVER, Role.ADMIN)
approver_bearer = RoleBearer(Role.APPROVER)
enterprise_bearer = RoleBearer(Role.ENTERPRISE)
ratings_bearer = RoleBearer(Role.SUPERVISOR, Role.ADMIN)


class Refusal(Schema):
    code: str
    message: str
    field: str | None = None
    reasons: list[ReasonOut] = []
