"""The router, bearers, schemas and helpers every section shares."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Router

from fairinspect.core.roles import Role
from fairinspect.registry.api import RoleBearer

router = Router(tags=["执法监督 supervision"])
supervision_bearer = RoleBearer(Role.SUPERVISOR, Role.ADMIN)
handling_bearer = RoleBearer(Role.SUPERVISOR, Role.ADMIN, Role.OFFICER, Role.APPROVER)

Subject = Literal["enterprise", "officer", "service"]
Category = Literal[
    "hazard",
    "illegal_operation",
    "accident_concealed",
    "officer_conduct",
    "disguised_inspection",
    "service",
    "other",
]
Text = Field(..., min_length=1, max_length=4000)
