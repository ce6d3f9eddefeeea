"""Visits over the API: quota, visits and their plan, check-in and out, findings, hazards,
orders. Same access and services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from fairinspect.core.errors import ValidationFailed
from fairinspect.core.roles import Role
from fairinspect.core.schemas import (
    Accuracy,
    Date,
    DateTime,
    Id,
    Input,
    Int,
    Latitude,
    Longitude,
    ReasonOut,
)
from fairinspect.registry import access as registry_access
from fairinspect.registry.api import Error, RoleBearer

from . import access, guidance, queries, services
from .models import Visit

router = Router(tags=["扫码入企与现场检查 visits"])
# Roles are checked before the body is read (registry.api.RoleBearer).
officer_bearer = RoleBearer(Role.OFFICER, Role.APPROVER, Role.ADMIN)
approver_bearer = RoleBearer(Role.APPROVER)
enterprise_bearer = RoleBearer(Role.ENTERPRISE)
ratings_bearer = RoleBearer(Role.SUPERVISOR, Role.ADMIN)


class Refusal(Schema):
    code: str
    message: str
    field: str | None = None
    reasons: list[ReasonOut] = []


# ---- quota: the enterprise's annual quota (R3) ----------------------------------------------


class QuotaOut(Schema):
    year: int
    cap: int
    used: int
    remaining: int
    exempt_used: int
    pending: int
    counted_visits: list[int]
    exempt_visits: list[int]
    cap_source: str


@router.get(
    "/enterprises/{credit_code}/quota",
    response={200: QuotaOut, 404: Error, 422: Error},
    summary="The enterprise's annual on-site quota",
)
def get_quota(request, credit_code: str, year: int | None = None):
    """The year's cap (by high-risk industry and effective grade), visits counted against it,
    what remains, exempt visits counted apart, and approved plans still pending."""
    ent = registry_access.get_enterprise(request.user, credit_code)
    today = timezone.localdate()
    year = year or today.year
    if not 2000 <= year <= 2100:
        raise ValidationFailed("year_out_of_range", "年度须为2000至2100之间。", field="year")
    q = queries.quota_for(ent, year=year, today=today)
    table, _ = queries.cap_setting(year)
    return {
        "year": q.year,
        "cap": q.cap,
        "used": q.used,
        "remaining": q.remaining,
        "exempt_used": q.exempt_used,
        "pending": q.pending,
        "counted_visits": [int(i) for i in q.counted_visits],
        "exempt_visits": [int(i) for i in q.exempt_visits],
        "cap_source": table.source,
    }


# ---- plan: the on-site plan: create, read, edit, submit, approve, reject --------------------


class JustificationIn(Input):
    kind: str = ""
    reference: str = ""
    date: Date | None = None
    summary: str = ""


class VisitIn(Input):
    enterprise: str  # credit code
    kind: Literal["on_site", "off_site"] = "on_site"
    trigger: str
    planned_date: Date
    item_codes: list[str]
    officer_ids: list[Id]
    expert_ids: list[Id] = []
    justification: JustificationIn | None = None
    merge_group: str | None = None
    joint_department_codes: list[str] = []
    # R8.6: 观摩, 督导 … by code or label (visits/data/entry_kinds.json); all are inspections.
    entry_kind: str = "inspection"


class TeamMember(Schema):
    officer_id: int
    name: str
    certificate_number: str
    confirmed_at: dt.datetime | None


class VisitOut(Schema):
    id: int
    enterprise: str
    kind: str
    trigger: str
    status: str
    planned_date: dt.date
    department: str
    items: list[str]
    team: list[TeamMember]
    justification_reference: str
    merge_group: str | None
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    missing_recording: bool
    parent_visit_id: int | None = None
    follow_up_order: str | None = None
    follow_up_result: str = ""
    follow_up_notes: str = ""
    has_justification_attachment: bool = False


def _visit_out(v: Visit) -> dict:
    return {
        "id": v.pk,
        "enterprise": v.enterprise.credit_code,
        "kind": v.kind,
        "trigger": v.trigger,
        "status": v.status,
        "planned_date": v.planned_date,
        "department": v.department.code,
        "items": [i.code for i in v.items.all()],
        "team": [
            {
                "officer_id": m.officer_id,
                "name": m.officer.name,
                "certificate_number": m.certificate_number,
                "confirmed_at": m.confirmed_at,
            }
            for m in v.team.select_related("officer")
        ],
        "justification_reference": v.justification_reference,
        "merge_group": v.merge_group,
        "checked_in_at": v.checked_in_at,
        "checked_out_at": v.checked_out_at,
        "missing_recording": v.missing_recording,
        "parent_visit_id": v.parent_visit_id,
        "follow_up_order": v.follow_up_order.number if v.follow_up_order else None,
        "follow_up_result": v.follow_up_result,
        "follow_up_notes": v.follow_up_notes,
        "has_justification_attachment": bool(v.justification_attachment),
    }


@router.post(
    "/visits",
    auth=officer_bearer,
    response={201: VisitOut, 403: Error, 404: Error, 409: Refusal, 422: Refusal},
)
def create_visit(request, payload: VisitIn):
    """Arrange a visit; its 现场检查方案 is drafted at once (status draft)."""
    from fairinspect.registry.models import Department

    access.require_officer(request.user)
    ent = registry_access.get_enterprise(request.user, payload.enterprise)
    joint = list(
        Department.objects.filter(code__in=payload.joint_department_codes).values_list(
            "pk", flat=True
        )
    )
    v = services.create_visit(
        actor=request.user,
        enterprise=ent,
        kind=payload.kind,
        trigger=payload.trigger,
        planned_date=payload.planned_date,
        item_codes=payload.item_codes,
        officer_ids=payload.officer_ids,
        expert_ids=payload.expert_ids,
        justification=payload.justification.dict() if payload.justification else None,
        merge_group=payload.merge_group,
        joint_department_ids=joint,
        entry_kind=payload.entry_kind,
    )
    return 201, _visit_out(v)


@router.get("/visits/{visit_id}", response={200: VisitOut, 403: Error, 404: Error})
def get_visit(request, visit_id: int):
    return _visit_out(access.get_visit(request.user, visit_id))


class VisitPlanIn(Input):
    key_points: str | None = None
    methods: str | None = None
    steps: str | None = None
    offsite_reasons: dict[str, str] = {}


@router.patch(
    "/visits/{visit_id}/plan",
    auth=officer_bearer,
    response={200: VisitOut, 403: Error, 404: Error, 409: Refusal},
)
def edit_plan(request, visit_id: int, payload: VisitPlanIn):
    v = access.get_visit(request.user, visit_id)
    services.update_plan(actor=request.user, visit=v, data=payload.dict())
    return _visit_out(v)


@router.post(
    "/visits/{visit_id}/plan/submit",
    auth=officer_bearer,
    response={200: VisitOut, 403: Error, 404: Error, 409: Refusal},
)
def submit_plan(request, visit_id: int):
    v = access.get_visit(request.user, visit_id)
    return _visit_out(services.submit_plan(actor=request.user, visit=v))


@router.post(
    "/visits/{visit_id}/plan/approve",
    auth=approver_bearer,
    response={200: VisitOut, 403: Error, 404: Error, 409: Refusal},
)
def approve_plan(request, visit_id: int):
    """Approver only. Refused (409) when the plan is incomplete, the enforcement level is
    wrong (R5.3) or the annual cap, counting approved plans, is reached."""
    v = access.get_visit(request.user, visit_id)
    return _visit_out(services.approve_plan(actor=request.user, visit=v))


class RejectIn(Input):
    reason: str


@router.post(
    "/visits/{visit_id}/plan/reject",
    auth=approver_bearer,
    response={200: VisitOut, 403: Error, 404: Error, 409: Refusal, 422: Error},
)
def reject_plan(request, visit_id: int, payload: RejectIn):
    v = access.get_visit(request.user, visit_id)
    return _visit_out(services.reject_plan(actor=request.user, visit=v, reason=payload.reason))


# ---- checkin: check-in and check-out (R4) ---------------------------------------------------


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


# ---- findings: guidance, findings, hazards, orders and the justification file ---------------


class GuidanceIn(Input):
    entry_codes: list[str]  # codes of the compliance guidance list in force
    audiences: list[
        Literal[
            "main_person_in_charge", "safety_manager", "key_post", "special_operations", "workers"
        ]
    ]


class GuidanceGivenOut(Schema):
    entry_code: str
    entry_name: str
    audiences: list[str]
    recorded_at: dt.datetime


def _guidance_out(rows) -> list[GuidanceGivenOut]:
    return [
        GuidanceGivenOut(
            entry_code=g.entry.code,
            entry_name=g.entry.name,
            audiences=g.audiences,
            recorded_at=g.recorded_at,
        )
        for g in rows
    ]


@router.post(
    "/visits/{visit_id}/guidance",
    auth=officer_bearer,
    response={200: list[GuidanceGivenOut], 403: Error, 404: Error, 409: Refusal, 422: Error},
)
def record_guidance(request, visit_id: int, payload: GuidanceIn):
    """谁执法谁普法 (R2.4): what the officers explained and to whom, by role; replaces the
    visit's earlier record."""
    v = access.get_visit(request.user, visit_id)
    services.record_guidance(
        actor=request.user, visit=v, entry_codes=payload.entry_codes, audiences=payload.audiences
    )
    return _guidance_out(guidance.given_at(v))


@router.get(
    "/visits/{visit_id}/guidance", response={200: list[GuidanceGivenOut], 403: Error, 404: Error}
)
def visit_guidance(request, visit_id: int):
    return _guidance_out(guidance.given_at(access.get_visit(request.user, visit_id)))


class FindingIn(Input):
    item_code: str
    result: Literal["compliant", "non_compliant", "not_applicable"]
    notes: str = ""


class FindingOut(Schema):
    id: int
    item_code: str
    result: str
    notes: str


@router.post(
    "/visits/{visit_id}/findings",
    auth=officer_bearer,
    response={201: FindingOut, 403: Error, 404: Error, 409: Refusal, 422: Error},
)
def add_finding(request, visit_id: int, payload: FindingIn):
    v = access.get_visit(request.user, visit_id)
    f = services.record_finding(
        actor=request.user,
        visit=v,
        item_code=payload.item_code,
        result=payload.result,
        notes=payload.notes,
    )
    return 201, {"id": f.pk, "item_code": f.item.code, "result": f.result, "notes": f.notes}


class HazardIn(Input):
    level: Literal["general", "major"]
    description: str
    place: str = ""
    item_code: str = ""


class HazardOut(Schema):
    id: int
    level: str
    description: str
    place: str
    status: str


@router.post(
    "/visits/{visit_id}/hazards",
    auth=officer_bearer,
    response={201: HazardOut, 403: Error, 404: Error, 409: Refusal, 422: Error},
)
def add_hazard(request, visit_id: int, payload: HazardIn):
    v = access.get_visit(request.user, visit_id)
    h = services.record_hazard(actor=request.user, visit=v, **payload.dict())
    return 201, h


class OrderIn(Input):
    hazard_ids: list[Id]
    deadline: Date
    requirements: str = ""


class OrderOut(Schema):
    id: int
    number: str
    issued_on: dt.date
    deadline: dt.date
    status: str
    hazard_ids: list[int]


def _order_out(o) -> dict:
    return {
        "id": o.pk,
        "number": o.number,
        "issued_on": o.issued_on,
        "deadline": o.deadline,
        "status": o.status,
        "hazard_ids": list(o.hazards.values_list("pk", flat=True)),
    }


@router.post(
    "/visits/{visit_id}/orders",
    auth=officer_bearer,
    response={201: OrderOut, 403: Error, 404: Error, 409: Refusal, 422: Error},
)
def add_order(request, visit_id: int, payload: OrderIn):
    v = access.get_visit(request.user, visit_id)
    o = services.issue_order(
        actor=request.user,
        visit=v,
        hazard_ids=payload.hazard_ids,
        deadline=payload.deadline,
        requirements=payload.requirements,
    )
    return 201, _order_out(o)


@router.get("/visits/{visit_id}/orders", response={200: list[OrderOut], 403: Error, 404: Error})
def list_orders(request, visit_id: int):
    v = access.get_visit(request.user, visit_id)
    return [_order_out(o) for o in v.orders.all()]


@router.post(
    "/visits/{visit_id}/justification-attachment",
    auth=officer_bearer,
    response={200: VisitOut, 403: Error, 404: Error, 409: Refusal, 422: Error},
)
def attach_justification(request, visit_id: int, file: File[UploadedFile]):
    """Multipart `file`: the scan of the record that justifies the visit (PDF, JPEG or PNG,
    at most 10 MB; the type is read from the bytes). Before check-in; replaces an earlier one."""
    v = access.get_visit(request.user, visit_id)
    return _visit_out(services.attach_justification(actor=request.user, visit=v, upload=file))


@router.get(
    "/visits/{visit_id}/justification-attachment",
    response={403: Error, 404: Error},
)
def get_justification(request, visit_id: int):
    """The attachment as a download (Content-Disposition: attachment, nosniff)."""
    from .views import attachment_response

    return attachment_response(access.get_visit(request.user, visit_id))


# ---- media: recordings and media (R6.3) ------------------------------------------------------


class RecordingIn(Input):
    device: str
    started_at: DateTime | None = None


class RecordingEndIn(Input):
    ended_at: DateTime | None = None


class MediaOut(Schema):
    id: int
    original_name: str
    sha256: str
    size: int
    content_type: str
    recording_id: int | None
    finding_id: int | None
    uploaded_at: dt.datetime


class RecordingOut(Schema):
    id: int
    device: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    files: list[MediaOut] = []


def _media_out(m) -> dict:
    return {
        "id": m.pk,
        "original_name": m.original_name,
        "sha256": m.sha256,
        "size": m.size,
        "content_type": m.content_type,
        "recording_id": m.recording_id,
        "finding_id": m.finding_id,
        "uploaded_at": m.uploaded_at,
    }


def _recording_out(r) -> dict:
    return {
        "id": r.pk,
        "device": r.device,
        "started_at": r.started_at,
        "ended_at": r.ended_at,
        "files": [_media_out(m) for m in r.files.all()],
    }


@router.post(
    "/visits/{visit_id}/recordings",
    auth=officer_bearer,
    response={201: RecordingOut, 403: Error, 404: Error, 409: Refusal, 422: Error},
)
def start_recording(request, visit_id: int, payload: RecordingIn):
    """The team registers the 执法记录仪 started for the visit (visit in progress)."""
    v = access.get_visit(request.user, visit_id)
    r = services.start_recording(
        actor=request.user, visit=v, device=payload.device, started_at=payload.started_at
    )
    return 201, _recording_out(r)


@router.post(
    "/visits/{visit_id}/recordings/{recording_id}/end",
    auth=officer_bearer,
    response={200: RecordingOut, 403: Error, 404: Error, 422: Error},
)
def end_recording(request, visit_id: int, recording_id: int, payload: RecordingEndIn):
    v = access.get_visit(request.user, visit_id)
    r = access.get_recording(request.user, v, recording_id)
    r = services.end_recording(actor=request.user, recording=r, ended_at=payload.ended_at)
    return _recording_out(r)


@router.get(
    "/visits/{visit_id}/recordings",
    response={200: list[RecordingOut], 403: Error, 404: Error},
)
def list_recordings(request, visit_id: int):
    v = access.get_visit(request.user, visit_id)
    return [_recording_out(r) for r in v.recordings.prefetch_related("files")]


@router.post(
    "/visits/{visit_id}/media",
    auth=officer_bearer,
    response={201: MediaOut, 403: Error, 404: Error, 422: Error},
)
def upload_media(
    request,
    visit_id: int,
    file: File[UploadedFile],
    recording_id: Form[int | None] = None,
    finding_id: Form[int | None] = None,
):
    """Multipart upload of a recording file or a finding photo (`file`, optional
    `recording_id` or `finding_id`). The server computes the SHA-256 and reads the file's first
    bytes to decide its type (the name's extension must agree); refused beyond the size limit."""
    v = access.get_visit(request.user, visit_id)
    rec = finding = None
    if recording_id is not None:
        rec = v.recordings.filter(pk=recording_id).first()
        if rec is None:
            raise ValidationFailed(
                "recording_not_found", "执法记录不属于本次检查。", field="recording_id"
            )
    if finding_id is not None:
        finding = v.findings.filter(pk=finding_id).first()
        if finding is None:
            raise ValidationFailed(
                "finding_not_found", "检查结果不属于本次检查。", field="finding_id"
            )
    m = services.upload_media(
        actor=request.user, visit=v, upload=file, recording=rec, finding=finding
    )
    return 201, _media_out(m)


# ---- follow_up: follow-up (R6.4) -------------------------------------------------------------


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


# ---- rating: the enterprise's rating (R8) ----------------------------------------------------


class RatingIn(Input):
    score: Int  # 1–5, checked by the service (score_out_of_range)
    comment: str = ""


class RatingOut(Schema):
    visit_id: int
    score: int
    comment: str
    created_at: dt.datetime


def _rating_out(r) -> dict:
    return {
        "visit_id": r.visit_id,
        "score": r.score,
        "comment": r.comment,
        "created_at": r.created_at,
    }


@router.post(
    "/visits/{visit_id}/rating",
    auth=enterprise_bearer,
    response={201: RatingOut, 403: Error, 404: Error, 409: Refusal, 422: Error},
)
def rate_visit(request, visit_id: int, payload: RatingIn):
    """The inspected enterprise's user rates a finished visit once (1–5). The rating is seen
    by supervisors and administrators only, never by the inspecting unit."""
    v = access.get_visit(request.user, visit_id, staff_only=False)
    r = services.rate_visit(
        actor=request.user, visit=v, score=payload.score, comment=payload.comment
    )
    return 201, _rating_out(r)


@router.get(
    "/visits/{visit_id}/rating",
    auth=ratings_bearer,
    response={200: RatingOut, 403: Error, 404: Error},
)
def get_rating(request, visit_id: int):
    """Supervisors and administrators only; 404 while the visit is not rated."""
    from fairinspect.core.errors import NotFound

    from .models import VisitRating

    v = access.get_visit(request.user, visit_id)
    r = VisitRating.objects.filter(visit=v).first()
    if r is None:
        raise NotFound("该检查尚无企业评价。")
    return _rating_out(r)


# The records behind exempt visits (R3.3) register their endpoints on this router.
from . import api_records  # noqa: E402,F401
