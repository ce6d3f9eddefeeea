"""Check-in and check-out (R4)."""

from __future__ import annotations

from ninja import Schema

from fairinspect.core.schemas import (
    Accuracy,
    Id,
    Input,
    Latitude,
    Longitude,
    ReasonOut,
)
from fairinspect.registry.api import Error

from .. import access, services
from ._common import Refusal, officer_bearer, router
from .plan import VisitOut, _visit_out


class CheckInIn(Input):
    nonce: str
    officer_ids: list[Id] | None = None
    lat: Latitude | None = None
    lng: Longitude | None = None
    accuracy: Accuracy | None = None


class CapOut(Schema):
    allowed: bool
    cap: int
    used: int
    remaining: int
    exempt_used: int
    consumes_slot: bool


class CheckInOut(Schema):
    visit_id: int
    status: str
    started: bool
    replay: bool
    confirmed: list[str]
    cap: CapOut | None = None
    reasons: list[ReasonOut]
    warnings: list[ReasonOut] = []


@router.post(
    "/visits/{visit_id}/check-in",
    auth=officer_bearer,
    response={200: CheckInOut, 202: CheckInOut, 403: Error, 404: Error, 409: Refusal, 422: Refusal},
)
def check_in(request, visit_id: int, payload: CheckInIn):
    """The calling officer confirms entry. 200 when the visit has started (two eligible
    officers confirmed and the cap allows), 202 when this confirmation is recorded and the
    colleague's is awaited; 409 {code, message, reasons} when refused. Same nonce, same
    answer: a retry never counts twice. `warnings` (R5.4, not blocking): other units' visits
    this year for the same items."""
    access.get_visit(request.user, visit_id)
    out = services.confirm_check_in(
        actor=request.user,
        visit_id=visit_id,
        nonce=payload.nonce,
        lat=payload.lat,
        lng=payload.lng,
        accuracy=payload.accuracy,
        officer_ids=payload.officer_ids,
    )
    body = {
        "visit_id": visit_id,
        "status": out.visit.status,
        "started": out.started,
        "replay": out.replay,
        "confirmed": out.confirmed,
        "cap": (
            {
                k: getattr(out.cap, k)
                for k in ("allowed", "cap", "used", "remaining", "exempt_used", "consumes_slot")
            }
            if out.cap
            else None
        ),
        "reasons": out.reasons,
        "warnings": [{"code": w["code"], "message": w["message"]} for w in out.warnings],
    }
    return (200 if out.started else 202), body


class CheckOutIn(Input):
    summary: str = ""


@router.post(
    "/visits/{visit_id}/check-out",
    auth=officer_bearer,
    response={200: VisitOut, 403: Error, 404: Error, 409: Refusal},
)
def check_out(request, visit_id: int, payload: CheckOutIn):
    v = access.get_visit(request.user, visit_id)
    return _visit_out(services.check_out(actor=request.user, visit=v, summary=payload.summary))
