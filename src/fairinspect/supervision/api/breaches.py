"""Breaches."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Schema

from fairinspect.core.schemas import Input

from .. import access, detection
from ..models import Breach
from ..services import breaches as breach_services
from ._common import Text, handling_bearer, router, supervision_bearer


class EvidenceOut(Schema):
    type: str
    id: int
    label: str


class BreachOut(Schema):
    id: int
    rule: str
    rule_label: str
    key: str
    enterprise: str | None
    department: str | None
    year: int
    message: str
    evidence: list[EvidenceOut]
    found_on: dt.date
    last_seen_on: dt.date
    status: str
    assigned_to: str | None
    explanation: str
    rectification: str
    closing_note: str


def _breach(b: Breach) -> dict:
    return {
        "id": b.pk,
        "rule": b.rule,
        "rule_label": b.get_rule_display(),
        "key": b.key,
        "enterprise": b.enterprise.credit_code if b.enterprise is not None else None,
        "department": b.department.code if b.department is not None else None,
        "year": b.year,
        "message": b.message,
        "evidence": b.evidence,
        "found_on": b.found_on,
        "last_seen_on": b.last_seen_on,
        "status": b.status,
        "assigned_to": b.assigned_to.username if b.assigned_to is not None else None,
        "explanation": b.explanation,
        "rectification": b.rectification,
        "closing_note": b.closing_note,
    }


class BreachPage(Schema):
    total: int
    items: list[BreachOut]


@router.get(
    "/breaches",
    auth=handling_bearer,
    response=BreachPage,
    summary="Breaches (supervisors: all; staff: assigned to them)",
)
def list_breaches(
    request,
    rule: str = "",
    status: str = "",
    year: int | None = Query(None, ge=2000, le=2100),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
):
    qs = access.breaches_visible_to(request.user).select_related(
        "enterprise", "department", "assigned_to"
    )
    if rule:
        qs = qs.filter(rule=rule)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(year=year)
    return {"total": qs.count(), "items": [_breach(b) for b in qs[offset : offset + limit]]}


@router.get("/breaches/{breach_id}", auth=handling_bearer, response=BreachOut)
def get_breach(request, breach_id: int):
    return _breach(access.get_breach(request.user, breach_id))


class RunOut(Schema):
    today: dt.date
    counts: dict[str, int]


@router.post(
    "/breach-detection-runs",
    auth=supervision_bearer,
    response=RunOut,
    summary="Run every breach rule now (idempotent)",
)
def run_breaches(request):
    run = detection.run(by=request.user.username)
    return {"today": run.today, "counts": run.counts}


class BreachAssignIn(Input):
    username: str = Field(..., min_length=1, max_length=150)


class BreachRespondIn(Input):
    kind: Literal["explained", "rectified"]
    text: str = Text


class BreachCloseIn(Input):
    note: str = Text


@router.post("/breaches/{breach_id}/assign", auth=supervision_bearer, response=BreachOut)
def assign_breach(request, breach_id: int, payload: BreachAssignIn):
    b = access.get_breach(request.user, breach_id)
    return _breach(breach_services.assign(actor=request.user, breach=b, username=payload.username))


@router.post("/breaches/{breach_id}/respond", auth=handling_bearer, response=BreachOut)
def respond_breach(request, breach_id: int, payload: BreachRespondIn):
    b = access.get_breach(request.user, breach_id)
    return _breach(
        breach_services.respond(actor=request.user, breach=b, kind=payload.kind, text=payload.text)
    )


@router.post("/breaches/{breach_id}/close", auth=supervision_bearer, response=BreachOut)
def close_breach(request, breach_id: int, payload: BreachCloseIn):
    b = access.get_breach(request.user, breach_id)
    return _breach(
        breach_services.close(
            actor=request.user, breach=b, note=payload.note, on=timezone.localdate()
        )
    )
