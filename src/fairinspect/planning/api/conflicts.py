"""Conflicts of interest (回避)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Query, Schema

from fairinspect.core.schemas import Id, Input

from ._common import ERRORS, router


class ConflictIn(Input):
    enterprise: str  # credit code
    kind: Literal["declared_conflict", "former_employer", "relative"]
    note: str = ""
    officer_id: Id | None = None  # the administrator only; officers declare for themselves


class ConflictOut(Schema):
    id: int
    officer_id: int
    officer_name: str
    department: str
    enterprise: str
    enterprise_name: str
    kind: str
    note: str
    created_at: dt.datetime


class WithdrawIn(Input):
    reason: str


def _conflict_out(c) -> dict:
    return {
        "id": c.pk,
        "officer_id": c.officer_id,
        "officer_name": c.officer.name,
        "department": c.officer.department.code,
        "enterprise": c.enterprise.credit_code,
        "enterprise_name": c.enterprise.name,
        "kind": c.kind,
        "note": c.note,
        "created_at": c.created_at,
    }


@router.get("/conflicts", response={200: list[ConflictOut], **ERRORS}, summary="回避登记")
def list_conflicts(
    request,
    officer_id: int | None = None,
    enterprise: str | None = None,
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
):
    """Officers see their own declarations; approvers and supervisors those of their bureau's
    officers (city staff: all); the administrator all. Others: 403."""
    from fairinspect.core.errors import Forbidden

    from .. import conflicts as cf

    user = request.user
    if not (cf.can_review(user) or cf.officer_of(user) is not None):
        raise Forbidden("只有执法人员、审批负责人、监督人员或管理员可以查看回避登记。")
    qs = cf.conflicts_visible_to(user)
    if officer_id is not None:
        qs = qs.filter(officer_id=officer_id)
    if enterprise:
        qs = qs.filter(enterprise__credit_code=enterprise.strip().upper())
    return [_conflict_out(c) for c in qs[offset : offset + limit]]


@router.post("/conflicts", response={201: ConflictOut, **ERRORS}, summary="申报回避")
def declare_conflict(request, payload: ConflictIn):
    """An officer declares a conflict for themself; the administrator may give `officer_id`.
    409 `conflict_already_declared` for the same officer, enterprise and kind."""
    from .. import conflicts as cf

    return 201, _conflict_out(cf.declare(actor=request.user, data=payload.dict()))


@router.post(
    "/conflicts/{conflict_id}/withdraw", response={204: None, **ERRORS}, summary="撤销回避登记"
)
def withdraw_conflict(request, conflict_id: int, payload: WithdrawIn):
    """The administrator only, with the reason (audited)."""
    from .. import conflicts as cf

    cf.withdraw(actor=request.user, conflict_id=conflict_id, reason=payload.reason)
    return 204, None
