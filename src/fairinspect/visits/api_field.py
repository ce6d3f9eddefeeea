"""The officer's phone over the API (issue 12): one action with its idempotency nonce, the
proof of presence of a visit, and registering an enterprise's location. Same services as the
pages (services/field.py, presence.py)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Router, Schema

from fairinspect.core.schemas import Accuracy, DateTime, Input, Latitude, Longitude
from fairinspect.registry import access as registry_access
from fairinspect.registry.api import Error

from . import access, presence, services
from .api import Refusal, officer_bearer

router = Router(tags=["visits"])


class FieldActionIn(Input):
    kind: Literal["check_in", "finding", "hazard", "recording"]
    nonce: str
    client_time: DateTime | None = None
    lat: Latitude | None = None
    lng: Longitude | None = None
    accuracy: Accuracy | None = None
    item_code: str = ""
    result: str = ""
    notes: str = ""
    level: str = ""
    description: str = ""
    place: str = ""
    device: str = ""


class FieldActionOut(Schema):
    status: Literal["done", "duplicate"]
    message: str
    nonce: str
    received_at: dt.datetime
    object: str


@router.post(
    "/visits/{visit_id}/field-actions",
    auth=officer_bearer,
    response={200: FieldActionOut, 403: Error, 404: Error, 409: Refusal, 422: Refusal},
)
def field_action(request, visit_id: int, payload: FieldActionIn):
    """One action made on the phone, sent (perhaps again) when there is signal. The first
    arrival of a nonce is decided by the ordinary service at the server's time; a later one
    answers `duplicate` with the first outcome and changes nothing."""
    v = access.get_visit(request.user, visit_id)
    data = {
        k: ("" if val is None else (val.isoformat() if hasattr(val, "isoformat") else str(val)))
        for k, val in payload.dict().items()
    }
    out = services.perform_field_action(
        actor=request.user, visit=v, kind=payload.kind, nonce=payload.nonce, data=data
    )
    fa = out.action
    return 200, {
        "status": "duplicate" if out.duplicate else "done",
        "message": out.message,
        "nonce": fa.nonce,
        "received_at": fa.received_at,
        "object": f"{fa.object_type}:{fa.object_id}",
    }


class FieldPresenceOut(Schema):
    known: bool
    distance_m: float | None
    accuracy_m: float | None
    threshold_m: float
    flagged: bool
    code: str
    message: str
    registered_source: str | None


@router.get(
    "/visits/{visit_id}/presence",
    auth=officer_bearer,
    response={200: FieldPresenceOut, 403: Error, 404: Error},
)
def visit_presence(request, visit_id: int):
    """The check-in's distance from the enterprise's registered location; `flagged` beyond
    `threshold_m` (for supervision, never a refusal)."""
    v = access.get_visit(request.user, visit_id)
    p = presence.presence_of(v)
    loc = presence.registered_location(v.enterprise)
    return {
        "known": p.known,
        "distance_m": p.distance_m,
        "accuracy_m": p.accuracy_m,
        "threshold_m": p.threshold_m,
        "flagged": p.flagged,
        "code": p.reason.code,
        "message": p.reason.message,
        "registered_source": loc.source if loc else None,
    }


class FieldLocationIn(Input):
    lat: Latitude
    lng: Longitude
    accuracy: Accuracy | None = None


class FieldLocationOut(Schema):
    credit_code: str
    lat: float
    lng: float
    source: str


@router.post(
    "/enterprises/{credit_code}/location",
    auth=officer_bearer,
    response={201: FieldLocationOut, 403: Error, 404: Error, 409: Refusal, 422: Refusal},
)
def set_enterprise_location(request, credit_code: str, payload: FieldLocationIn):
    """An officer at the enterprise registers its location once (audited; accuracy ≤ 200 m);
    afterwards only an administrator replaces it (409 `location_already_set`)."""
    registry_access.require_staff(request.user)
    ent = registry_access.get_enterprise(request.user, credit_code)
    loc = presence.set_location(
        actor=request.user,
        enterprise=ent,
        lat=payload.lat,
        lng=payload.lng,
        accuracy=payload.accuracy,
    )
    return 201, {
        "credit_code": ent.credit_code,
        "lat": float(loc.lat),
        "lng": float(loc.lng),
        "source": loc.source,
    }
