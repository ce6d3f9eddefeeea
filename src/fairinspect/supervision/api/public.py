"""Complaints from the public: file, look up, rate."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from fairinspect.core.schemas import Bool, Input

from .. import queries
from ..models import Complaint
from ..services import complaints as complaint_services
from ._common import Category, Subject, Text, router


class PublicComplaintIn(Input):
    subject: Subject
    category: Category
    content: str = Text
    subject_text: str = Field("", max_length=200)
    location: str = Field("", max_length=200)
    anonymous: Bool = False
    complainant_name: str = Field("", max_length=50)
    complainant_phone: str = Field("", max_length=20)


class ReceiptOut(Schema):
    number: str
    access_code: str
    state: str
    next_due: dt.date | None


class LookupIn(Input):
    number: str = Field(..., min_length=1, max_length=20)
    code: str = Field(..., min_length=1, max_length=20)


class PublicStatusOut(Schema):
    number: str
    followed_number: str
    state: str
    state_label: str
    received_on: dt.date
    accepted_on: dt.date | None
    next_due: dt.date | None
    refusal_reason: str
    reply: str
    replied_on: dt.date | None
    satisfaction: str


class RateIn(LookupIn):
    satisfaction: Literal["satisfied", "basically_satisfied", "unsatisfied"]
    note: str = Field("", max_length=1000)


def _public(c: Complaint, asked: Complaint) -> dict:
    return {
        "number": asked.number,
        "followed_number": c.number,
        "state": c.state,
        "state_label": c.get_state_display(),
        "received_on": c.received_on,
        "accepted_on": c.accepted_on,
        "next_due": c.next_due,
        "refusal_reason": c.refusal_reason,
        "reply": c.reply,
        "replied_on": c.replied_on,
        "satisfaction": c.satisfaction,
    }


@router.post(
    "/public/complaints",
    auth=None,
    response={201: ReceiptOut},
    summary="File a complaint or report (anyone; anonymous allowed)",
)
def file_complaint(request, payload: PublicComplaintIn):
    c, code = complaint_services.receive(
        channel="public_form",
        subject=payload.subject,
        category=payload.category,
        content=payload.content,
        subject_text=payload.subject_text,
        location=payload.location,
        anonymous=payload.anonymous,
        name=payload.complainant_name,
        phone=payload.complainant_phone,
    )
    return 201, {"number": c.number, "access_code": code, "state": c.state, "next_due": c.next_due}


@router.post(
    "/public/complaints/lookup",
    auth=None,
    response=PublicStatusOut,
    summary="Progress and reply, with the tracking number and access code",
)
def lookup_complaint(request, payload: LookupIn):
    c = complaint_services.lookup(payload.number, payload.code)
    return _public(queries.public_view(c), c)


@router.post(
    "/public/complaints/rate",
    auth=None,
    response=PublicStatusOut,
    summary="The complainant's satisfaction with the reply",
)
def rate_complaint(request, payload: RateIn):
    c = complaint_services.rate_by_complainant(
        number=payload.number,
        code=payload.code,
        satisfaction=payload.satisfaction,
        note=payload.note,
    )
    return _public(c, c)
