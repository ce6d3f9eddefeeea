"""Conduct cases."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Field, Schema

from fairinspect.core.schemas import Input

from .. import access
from ..models import ConductCase
from ..services import complaints as complaint_services
from ._common import Text, router, supervision_bearer


class ConductOut(Schema):
    id: int
    officer_id: int | None
    complaint: str | None
    status: str
    summary: str
    opened_on: dt.date
    transferred_to: str
    transfer_document: str
    transferred_on: dt.date | None
    closed_on: dt.date | None


def _conduct(c: ConductCase) -> dict:
    return {
        "id": c.pk,
        "officer_id": c.officer_id,
        "complaint": c.complaint.number if c.complaint is not None else None,
        "status": c.status,
        "summary": c.summary,
        "opened_on": c.opened_on,
        "transferred_to": c.transferred_to,
        "transfer_document": c.transfer_document,
        "transferred_on": c.transferred_on,
        "closed_on": c.closed_on,
    }


class TransferIn(Input):
    transferred_to: str = Field(..., min_length=1, max_length=100)
    transfer_document: str = Field(..., min_length=1, max_length=60)
    findings: str = Text


class CloseConductIn(Input):
    closing_note: str = Field(..., min_length=1, max_length=2000)
    findings: str = Field("", max_length=4000)


@router.get("/conduct-cases", auth=supervision_bearer, response=list[ConductOut])
def list_conduct(request):
    return [
        _conduct(c)
        for c in ConductCase.objects.exclude(officer__user_id=request.user.pk).select_related(
            "complaint"
        )[:500]
    ]


@router.post(
    "/conduct-cases/{case_id}/transfer",
    auth=supervision_bearer,
    response=ConductOut,
    summary="Hand misconduct to the discipline body (移送), with the document",
)
def transfer_conduct(request, case_id: int, payload: TransferIn):
    c = access.get_conduct_case(request.user, case_id)
    return _conduct(
        complaint_services.transfer_conduct_case(
            actor=request.user,
            case=c,
            to=payload.transferred_to,
            document=payload.transfer_document,
            findings=payload.findings,
            on=timezone.localdate(),
        )
    )


@router.post("/conduct-cases/{case_id}/close", auth=supervision_bearer, response=ConductOut)
def close_conduct(request, case_id: int, payload: CloseConductIn):
    c = access.get_conduct_case(request.user, case_id)
    return _conduct(
        complaint_services.close_conduct_case(
            actor=request.user,
            case=c,
            note=payload.closing_note,
            findings=payload.findings,
            on=timezone.localdate(),
        )
    )
