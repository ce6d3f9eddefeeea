"""Supervision endpoints: complaints (public and staff), breaches, case-file review, training,
conduct cases and the dashboard. One schema per action; the same access and services as the
pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile

from fairinspect.cases.models import Case
from fairinspect.core.errors import NotFound
from fairinspect.core.roles import Role
from fairinspect.core.schemas import Bool, Date, DateTime, Input, Int
from fairinspect.registry.api import RoleBearer
from fairinspect.registry.models import Officer

from . import access, dashboard, detection, queries
from .models import Breach, Complaint, ConductCase, ReviewFinding, ReviewPlan
from .services import breaches as breach_services
from .services import complaints as complaint_services
from .services import imports
from .services import reviews as review_services
from .services import training as training_services

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


# ---- public: complaints from the public: file, look up, rate --------------------------------


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


# ---- complaints: complaint handling by the bureau -------------------------------------------


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


# ---- conduct: conduct cases -----------------------------------------------------------------


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


# ---- breaches: breaches ---------------------------------------------------------------------


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


# ---- case_review: case-file review ----------------------------------------------------------


class StratumOut(Schema):
    unit: str
    sha256: str
    pool: list[str]
    selected: list[str]


class ReviewPlanOut(Schema):
    id: int
    year: int
    title: str
    status: str
    seed: str
    per_unit: int
    checklist_version: str
    strata: list[StratumOut]
    verified: bool | None


def _plan(p: ReviewPlan) -> dict:
    return {
        "id": p.pk,
        "year": p.year,
        "title": p.title,
        "status": p.status,
        "seed": p.seed,
        "per_unit": p.per_unit,
        "checklist_version": p.checklist_version,
        "strata": [{"unit": u, **v} for u, v in sorted(p.strata.items())],
        "verified": review_services.verify_plan(p) if p.status != "draft" else None,
    }


class ReviewPlanIn(Input):
    year: Int = Field(..., ge=2000, le=2100)
    title: str = Field("", max_length=200)
    per_unit: Int = Field(..., ge=1, le=100)


class ReviewSeedIn(Input):
    seed: str = Field(..., min_length=1, max_length=64)


class ReviewFindingIn(Input):
    item_code: str = Field("", max_length=20)
    text: str = Text
    due_on: Date


class CaseReviewIn(Input):
    case_number: str = Field(..., min_length=1, max_length=40)
    kind: Literal["self", "peer", "spot"]
    scores: dict[str, Decimal]
    comment: str = Field("", max_length=2000)
    findings: list[ReviewFindingIn] = []


class ReviewOut(Schema):
    id: int
    case_number: str
    kind: str
    total: Decimal
    grade: str
    findings: list[int]


class RectifyIn(Input):
    rectification: str = Text


@router.get("/review-plans", auth=supervision_bearer, response=list[ReviewPlanOut])
def list_plans(request):
    return [_plan(p) for p in ReviewPlan.objects.all()[:100]]


@router.post("/review-plans", auth=supervision_bearer, response={201: ReviewPlanOut})
def create_plan(request, payload: ReviewPlanIn):
    return 201, _plan(
        review_services.create_plan(
            actor=request.user,
            year=payload.year,
            title=payload.title,
            per_unit=payload.per_unit,
            today=timezone.localdate(),
        )
    )


def _get_plan(plan_id: int) -> ReviewPlan:
    p = ReviewPlan.objects.filter(pk=plan_id).first()
    if p is None:
        raise NotFound("没有该评查计划。")
    return p


@router.get("/review-plans/{plan_id}", auth=supervision_bearer, response=ReviewPlanOut)
def get_plan(request, plan_id: int):
    return _plan(_get_plan(plan_id))


@router.post(
    "/review-plans/{plan_id}/publish",
    auth=supervision_bearer,
    response=ReviewPlanOut,
    summary="Publish the seed and draw the stratified sample",
)
def publish_plan(request, plan_id: int, payload: ReviewSeedIn):
    return _plan(
        review_services.publish_plan(
            actor=request.user,
            plan=_get_plan(plan_id),
            seed=payload.seed,
            today=timezone.localdate(),
        )
    )


@router.post(
    "/review-plans/{plan_id}/reviews",
    auth=RoleBearer(Role.SUPERVISOR, Role.ADMIN, Role.APPROVER, Role.LEGAL_REVIEWER),
    response={201: ReviewOut},
)
def review_case(request, plan_id: int, payload: CaseReviewIn):
    case = Case.objects.filter(number=payload.case_number).first()
    if case is None:
        raise NotFound("没有该案卷。")
    r = review_services.record_review(
        actor=request.user,
        plan=_get_plan(plan_id),
        case=case,
        kind=payload.kind,
        scores=payload.scores,
        comment=payload.comment,
        findings=[f.dict() for f in payload.findings],
        today=timezone.localdate(),
    )
    return 201, {
        "id": r.pk,
        "case_number": case.number,
        "kind": r.kind,
        "total": r.total,
        "grade": r.grade,
        "findings": list(r.findings.values_list("pk", flat=True)),
    }


@router.post(
    "/review-findings/{finding_id}/rectify",
    auth=RoleBearer(Role.SUPERVISOR, Role.ADMIN, Role.APPROVER),
    response={204: None},
)
def rectify(request, finding_id: int, payload: RectifyIn):
    f = ReviewFinding.objects.filter(pk=finding_id).first()
    if f is None:
        raise NotFound()
    review_services.rectify_finding(
        actor=request.user, finding=f, text=payload.rectification, on=timezone.localdate()
    )
    return 204, None


# ---- training: training ---------------------------------------------------------------------


class TrainingIn(Input):
    officer_id: Int = Field(..., ge=1)
    course: str = Field(..., min_length=1, max_length=200)
    provider: str = Field("", max_length=100)
    on: Date
    hours: Decimal = Field(..., gt=0, le=200)
    assessment: Literal["none", "passed", "failed"] = "none"
    score: Decimal | None = Field(None, ge=0, le=100)


class TrainingOut(Schema):
    id: int
    officer_id: int
    course: str
    on: dt.date
    hours: Decimal


class BelowOut(Schema):
    officer_id: int
    name: str
    department: str
    hours: Decimal


class BelowReportOut(Schema):
    year: int
    required_hours: Decimal
    source: str
    officers: list[BelowOut]


@router.post("/training", auth=supervision_bearer, response={201: TrainingOut})
def add_training(request, payload: TrainingIn):
    officer = Officer.objects.filter(pk=payload.officer_id).first()
    if officer is None:
        raise NotFound("没有该执法人员。")
    r = training_services.add_training(
        actor=request.user,
        officer=officer,
        course=payload.course,
        provider=payload.provider,
        on=payload.on,
        hours=payload.hours,
        assessment=payload.assessment,
        score="" if payload.score is None else payload.score,
    )
    return 201, {
        "id": r.pk,
        "officer_id": r.officer_id,
        "course": r.course,
        "on": r.on,
        "hours": r.hours,
    }


@router.get(
    "/training/below-required",
    auth=supervision_bearer,
    response=BelowReportOut,
    summary="Officers on duty below the year's required training hours",
)
def below_required(request, year: int = Query(..., ge=2000, le=2100)):
    qs, hours, source = training_services.below_required(year)
    return {
        "year": year,
        "required_hours": hours,
        "source": source,
        "officers": [
            {"officer_id": o.pk, "name": o.name, "department": o.department.name, "hours": o.hours}
            for o in qs[:2000]
        ],
    }


# ---- dashboard: dashboard -------------------------------------------------------------------


class CountLink(Schema):
    label: str
    c: int
    link: str


class DashboardOut(Schema):
    year: int
    caps: list[dict[str, object]]
    triggers: list[dict[str, object]]
    penalties: list[dict[str, object]]
    overdue: list[CountLink]
    complaints: list[dict[str, object]]
    breaches: dict[str, object]
    ratings: dict[str, object]


@router.get(
    "/supervision/dashboard",
    auth=supervision_bearer,
    response=DashboardOut,
    summary="The dashboard's numbers, each with the link to its records",
)
def get_dashboard(request, year: int = Query(..., ge=2000, le=2100)):
    d = dashboard.build(year, timezone.localdate())
    return {
        "year": year,
        **{
            k: d[k]
            for k in (
                "caps",
                "triggers",
                "penalties",
                "overdue",
                "complaints",
                "breaches",
                "ratings",
            )
        },
    }
