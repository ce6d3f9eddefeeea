"""Complaint handling by the bureau."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Field, File, Query, Schema
from ninja.files import UploadedFile

from fairinspect.core.schemas import Bool, DateTime, Input, Int
from fairinspect.registry.models import Officer

from .. import access, queries
from ..models import Complaint
from ..services import complaints as complaint_services
from ..services import imports
from ._common import Category, Subject, Text, handling_bearer, router, supervision_bearer


class ComplaintOut(Schema):
    id: int
    number: str
    channel: str
    work_order_number: str
    subject: str
    category: str
    enterprise: str | None
    officer_id: int | None
    content: str
    state: str
    received_on: dt.date
    accepted_on: dt.date | None
    next_due: dt.date | None
    next_due_step: str
    overdue: bool
    handling_unit: str | None
    refusal_reason: str
    verification: str
    result: str
    reply: str
    satisfaction: str
    merged_into: str | None
    complainant_name: str | None
    complainant_phone: str | None
    allowed_actions: list[str]


def _out(c: Complaint, user) -> dict:
    show = access.can_see_identity(user, c)
    return {
        "id": c.pk,
        "number": c.number,
        "channel": c.channel,
        "work_order_number": c.work_order_number,
        "subject": c.subject,
        "category": c.category,
        "enterprise": c.enterprise.credit_code if c.enterprise is not None else None,
        "officer_id": c.officer_id,
        "content": c.content,
        "state": c.state,
        "received_on": c.received_on,
        "accepted_on": c.accepted_on,
        "next_due": c.next_due,
        "next_due_step": c.next_due_step,
        "overdue": bool(c.next_due and c.next_due < timezone.localdate()),
        "handling_unit": c.handling_unit.code if c.handling_unit is not None else None,
        "refusal_reason": c.refusal_reason,
        "verification": c.verification,
        "result": c.result,
        "reply": c.reply,
        "satisfaction": c.satisfaction,
        "merged_into": c.merged_into.number if c.merged_into is not None else None,
        "complainant_name": c.complainant_name if show else None,
        "complainant_phone": c.complainant_phone if show else None,
        "allowed_actions": queries.allowed_actions(c, access.complaint_actor(user, c)),
    }


class ComplaintPage(Schema):
    total: int
    items: list[ComplaintOut]


@router.get(
    "/complaints",
    auth=handling_bearer,
    response=ComplaintPage,
    summary="Complaints the caller may see (supervisors: all; units: assigned to them)",
)
def list_complaints(
    request,
    state: str = "",
    channel: str = "",
    subject: str = "",
    overdue: bool = False,
    q: str = "",
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
):
    f = queries.ComplaintFilter(
        state=state, channel=channel, subject=subject, overdue=overdue, q=q.strip()
    )
    qs = queries.filter_complaints(
        access.complaints_visible_to(request.user), f, today=timezone.localdate()
    ).select_related("merged_into")
    return {
        "total": qs.count(),
        "items": [_out(c, request.user) for c in qs[offset : offset + limit]],
    }


@router.get("/complaints/{complaint_id}", auth=handling_bearer, response=ComplaintOut)
def get_complaint(request, complaint_id: int):
    return _out(access.get_complaint(request.user, complaint_id), request.user)


class EntryIn(Input):
    channel: Literal["hotline_12345", "referral", "visit", "enterprise"]
    subject: Subject
    category: Category
    content: str = Text
    work_order_number: str = Field("", max_length=40)
    referral_from: str = Field("", max_length=100)
    referral_document: str = Field("", max_length=60)
    subject_text: str = Field("", max_length=200)
    officer_id: Int | None = Field(None, ge=1)
    location: str = Field("", max_length=200)
    anonymous: Bool = False
    complainant_name: str = Field("", max_length=50)
    complainant_phone: str = Field("", max_length=20)
    received_at: DateTime | None = None


@router.post(
    "/complaints",
    auth=supervision_bearer,
    response={201: ComplaintOut},
    summary="Enter a 12345 work order, a referral or a letter/visit",
)
def enter_complaint(request, payload: EntryIn):
    officer = None
    if payload.officer_id:
        officer = Officer.objects.filter(pk=payload.officer_id).select_related("department").first()
        if officer is None:
            from fairinspect.core.errors import ValidationFailed

            raise ValidationFailed("officer_not_found", "没有该执法人员。", field="officer_id")
    c, _code = complaint_services.receive(
        channel=payload.channel,
        subject=payload.subject,
        category=payload.category,
        content=payload.content,
        work_order_number=payload.work_order_number,
        referral_from=payload.referral_from,
        referral_document=payload.referral_document,
        subject_text=payload.subject_text,
        officer=officer,
        location=payload.location,
        anonymous=payload.anonymous,
        name=payload.complainant_name,
        phone=payload.complainant_phone,
        received_at=payload.received_at,
        actor=request.user,
    )
    return 201, _out(c, request.user)


class ImportOut(Schema):
    imported: int


@router.post(
    "/complaint-imports",
    auth=supervision_bearer,
    response=ImportOut,
    summary="Import the hotline's XLSX/CSV export (all or nothing)",
)
def import_complaints(request, file: UploadedFile = File(...)):  # noqa: B008
    return {
        "imported": imports.import_work_orders(
            actor=request.user, name=file.name or "", data=file.read()
        )
    }


class AcceptIn(Input):
    credit_code: str = Field("", max_length=30)
    officer_id: Int | None = Field(None, ge=1)


class RefuseIn(Input):
    reason: str = Text


class AssignIn(Input):
    unit_code: str = Field(..., min_length=1, max_length=20)
    handler: str = Field("", max_length=150)


class VerifyIn(Input):
    verification: str = Text
    substantiated: Bool | None = None


class HandleIn(Input):
    result: str = Text


class ReplyIn(Input):
    reply: str = Text


class SatisfactionIn(Input):
    satisfaction: Literal["satisfied", "basically_satisfied", "unsatisfied", "not_reached"]
    note: str = Field("", max_length=1000)


class ComplaintMergeIn(Input):
    into: str = Field(..., min_length=1, max_length=20)


def _step(request, complaint_id: int, action: str, data: dict):
    c = access.get_complaint(request.user, complaint_id)
    c = complaint_services.transition(actor=request.user, complaint=c, action=action, data=data)
    return (
        _out(access.get_complaint(request.user, c.pk), request.user)
        if c.state != "merged"
        else _out(c, request.user)
    )


@router.post("/complaints/{complaint_id}/accept", auth=supervision_bearer, response=ComplaintOut)
def accept(request, complaint_id: int, payload: AcceptIn):
    return _step(request, complaint_id, "accept", payload.dict())


@router.post("/complaints/{complaint_id}/refuse", auth=supervision_bearer, response=ComplaintOut)
def refuse(request, complaint_id: int, payload: RefuseIn):
    return _step(request, complaint_id, "refuse", payload.dict())


@router.post("/complaints/{complaint_id}/assign", auth=supervision_bearer, response=ComplaintOut)
def assign(request, complaint_id: int, payload: AssignIn):
    return _step(request, complaint_id, "assign", payload.dict())


@router.post("/complaints/{complaint_id}/verify", auth=handling_bearer, response=ComplaintOut)
def verify(request, complaint_id: int, payload: VerifyIn):
    data = payload.dict()
    data["substantiated"] = (
        "" if payload.substantiated is None else ("1" if payload.substantiated else "0")
    )
    return _step(request, complaint_id, "verify", data)


@router.post("/complaints/{complaint_id}/handle", auth=handling_bearer, response=ComplaintOut)
def handle(request, complaint_id: int, payload: HandleIn):
    return _step(request, complaint_id, "handle", payload.dict())


@router.post("/complaints/{complaint_id}/reply", auth=handling_bearer, response=ComplaintOut)
def reply(request, complaint_id: int, payload: ReplyIn):
    return _step(request, complaint_id, "reply", payload.dict())


@router.post(
    "/complaints/{complaint_id}/satisfaction", auth=supervision_bearer, response=ComplaintOut
)
def satisfaction(request, complaint_id: int, payload: SatisfactionIn):
    return _step(request, complaint_id, "record_satisfaction", payload.dict())


@router.post("/complaints/{complaint_id}/merge", auth=supervision_bearer, response=ComplaintOut)
def merge(request, complaint_id: int, payload: ComplaintMergeIn):
    return _step(request, complaint_id, "merge", payload.dict())
