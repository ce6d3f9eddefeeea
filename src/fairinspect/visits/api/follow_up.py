"""Follow-up (R6.4)."""

from __future__ import annotations

from typing import Literal

from fairinspect.core.schemas import (
    Date,
    Id,
    Input,
)
from fairinspect.registry.api import Error

from .. import access, services
from ._common import Refusal, officer_bearer, router
from .plan import VisitOut, _visit_out


class FollowUpIn(Input):
    planned_date: Date
    officer_ids: list[Id] | None = None


class FollowUpResultIn(Input):
    result: Literal["rectified", "not_rectified"]
    notes: str = ""


@router.post(
    "/orders/{order_id}/follow-up",
    auth=officer_bearer,
    response={201: VisitOut, 403: Error, 404: Error, 409: Refusal, 422: Refusal},
)
def create_follow_up(request, order_id: int, payload: FollowUpIn):
    """The 整改复查 of an order: an on-site visit with trigger `follow_up`, justified by the
    order (exempt from the cap), on the original visit's items; the team defaults to the
    original visit's officers."""
    o = access.get_order(request.user, order_id)
    officer_ids = payload.officer_ids or [m.officer_id for m in o.visit.team.all()]
    v = services.create_follow_up(
        actor=request.user, order=o, planned_date=payload.planned_date, officer_ids=officer_ids
    )
    return 201, _visit_out(v)


@router.post(
    "/visits/{visit_id}/follow-up-result",
    auth=officer_bearer,
    response={200: VisitOut, 403: Error, 404: Error, 409: Refusal, 422: Error},
)
def follow_up_result(request, visit_id: int, payload: FollowUpResultIn):
    """The follow-up's conclusion: `rectified` closes the order and its hazards,
    `not_rectified` marks the order overdue. Gives the 整改复查意见书 its 文号."""
    v = access.get_visit(request.user, visit_id)
    v = services.record_follow_up_result(
        actor=request.user, visit=v, result=payload.result, notes=payload.notes
    )
    return _visit_out(v)
