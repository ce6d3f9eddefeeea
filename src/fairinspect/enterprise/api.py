"""The enterprise's side over the API: its home summary, the internal inspection group
(R11.1), quarterly self-checks and their coverage (R11.2), rectification reports with
evidence and their review, self-inspection (R10.4), and the bureau's list of missing
quarters. Registered in config/api.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from fairinspect.core.roles import Role
from fairinspect.core.schemas import ReasonOut
from fairinspect.registry.access import enterprises_visible_to
from fairinspect.registry.api import Error, RoleBearer
from fairinspect.rules.results import reason_dicts

from . import access, queries, services, standards
from .inputs import (
    EnterpriseMemberIn,
    EnterpriseMemberLeaveIn,
    EnterpriseReviewIn,
    EnterpriseSelfCheckIn,
    EnterpriseSelfInspectionDecisionIn,
    EnterpriseSelfInspectionIn,
)
from .models import GroupMember, RectificationReport, SelfCheck, SelfInspection

router = Router(tags=["企业端：本企业、内部自查与自我检查 enterprise"])
enterprise_bearer = RoleBearer(Role.ENTERPRISE)
reviewer_bearer = RoleBearer(Role.OFFICER, Role.APPROVER)
approver_bearer = RoleBearer(Role.APPROVER)


class EnterpriseRefusal(Schema):
    code: str
    message: str
    field: str | None = None
    reasons: list[ReasonOut] = []


ERR = {403: Error, 404: Error}
REFUSALS = {403: Error, 404: Error, 409: EnterpriseRefusal, 422: EnterpriseRefusal}


class EnterpriseQuarterOut(Schema):
    quarter: int
    status: str
    checks: list[str]


class EnterpriseCoverageOut(Schema):
    year: int
    quarters: list[EnterpriseQuarterOut]
    main_person: str
    flags: list[ReasonOut]


def _coverage_out(c) -> dict[str, Any]:
    return {
        "year": c.year,
        "quarters": [
            {"quarter": q.quarter, "status": q.status.value, "checks": list(q.checks)}
            for q in c.quarters
        ],
        "main_person": c.main_person.value,
        "flags": reason_dicts(c.flags),
    }


class EnterpriseQuotaOut(Schema):
    year: int
    cap: int
    used: int
    remaining: int


class EnterpriseHomeOut(Schema):
    credit_code: str
    name: str
    quota: EnterpriseQuotaOut
    coverage: EnterpriseCoverageOut
    group_gaps: list[ReasonOut]
    open_orders: list[dict]
    self_reported_hazards: list[dict]


@router.get(
    "/enterprise/home",
    auth=enterprise_bearer,
    response={200: EnterpriseHomeOut, **ERR},
    summary="The enterprise's own summary: cap, quarters, open orders and hazards",
)
def home(request):
    from fairinspect.visits import queries as visit_queries
    from fairinspect.visits.models import RectificationOrder

    ent = access.own_enterprise(request.user)
    today = timezone.localdate()
    q = visit_queries.quota_for(ent, year=today.year, today=today)
    return {
        "credit_code": ent.credit_code,
        "name": ent.name,
        "quota": {"year": q.year, "cap": q.cap, "used": q.used, "remaining": q.remaining},
        "coverage": _coverage_out(queries.coverage_for(ent.pk, today.year, today)),
        "group_gaps": [{"code": r.code, "message": r.message} for r in queries.group_gaps(ent.pk)],
        "open_orders": [
            {"id": o.pk, "number": o.number, "deadline": o.deadline.isoformat()}
            for o in RectificationOrder.objects.filter(enterprise=ent, status="issued")
        ],
        "self_reported_hazards": [
            {"id": h.pk, "number": h.number, "place": h.place, "deadline": h.deadline.isoformat()}
            for h in access.self_hazards_visible_to(request.user).filter(status="rectifying")
        ],
    }


# ---- R11.1 the group


class EnterpriseMemberOut(Schema):
    id: int
    name: str
    role: str
    position: str
    certificate: str
    joined_on: dt.date
    left_on: dt.date | None


def _member_out(m: GroupMember) -> dict[str, Any]:
    return {
        "id": m.pk,
        "name": m.name,
        "role": m.role,
        "position": m.position,
        "certificate": m.certificate,
        "joined_on": m.joined_on,
        "left_on": m.left_on,
    }


@router.get(
    "/enterprise/group",
    auth=enterprise_bearer,
    response={200: list[EnterpriseMemberOut], **ERR},
    summary="The internal inspection group, members who left included (its history)",
)
def group(request):
    ent = access.own_enterprise(request.user)
    return [_member_out(m) for m in GroupMember.objects.filter(enterprise=ent)]


@router.post(
    "/enterprise/group/members",
    auth=enterprise_bearer,
    response={201: EnterpriseMemberOut, **REFUSALS},
    summary="A member joins the internal inspection group (R11.1)",
)
def add_member(request, payload: EnterpriseMemberIn):
    return 201, _member_out(services.add_member(actor=request.user, data=payload))


@router.post(
    "/enterprise/group/members/{member_id}/leave",
    auth=enterprise_bearer,
    response={200: EnterpriseMemberOut, **REFUSALS},
    summary="A member leaves the group (kept, with the day)",
)
def member_leaves(request, member_id: int, payload: EnterpriseMemberLeaveIn):
    return _member_out(
        services.member_leaves(actor=request.user, member_id=member_id, data=payload)
    )


# ---- R11.2 self-checks


class EnterpriseSelfCheckOut(Schema):
    id: int
    number: str
    enterprise: str
    checked_on: dt.date
    year: int
    quarter: int
    standard: str
    standard_title: str
    answers: list[dict]
    participants: list[dict]
    main_person_took_part: bool
    reported_to_main_person_on: dt.date | None
    filed_at: dt.datetime
    hazards: list[dict]


def _check_out(sc: SelfCheck) -> dict[str, Any]:
    return {
        "id": sc.pk,
        "number": sc.number,
        "enterprise": sc.enterprise.credit_code,
        "checked_on": sc.checked_on,
        "year": sc.year,
        "quarter": sc.quarter,
        "standard": sc.standard,
        "standard_title": sc.standard_title,
        "answers": sc.answers,
        "participants": sc.participants,
        "main_person_took_part": sc.main_person_took_part,
        "reported_to_main_person_on": sc.reported_to_main_person_on,
        "filed_at": sc.filed_at,
        "hazards": [
            {
                "id": h.pk,
                "number": h.number,
                "item_code": h.item_code,
                "place": h.place,
                "status": h.status,
                "deadline": h.deadline.isoformat(),
            }
            for h in sc.hazards.all()
        ],
    }


class EnterpriseStandardOut(Schema):
    code: str
    title: str
    document: str
    source_note: str
    coverage: str
    items: list[dict]


@router.get(
    "/enterprise/standard",
    auth=enterprise_bearer,
    response={200: EnterpriseStandardOut, **ERR},
    summary="The 重大事故隐患判定标准 checklist of the enterprise's industry, with its source",
)
def standard(request):
    ent = access.own_enterprise(request.user)
    s = standards.standard_for(ent.industry_id)
    return {
        "code": s.code,
        "title": s.title,
        "document": s.document,
        "source_note": s.source_note,
        "coverage": s.coverage,
        "items": [*s.items, s.item(standards.OTHER)],
    }


@router.post(
    "/enterprise/self-checks",
    auth=enterprise_bearer,
    response={201: EnterpriseSelfCheckOut, **REFUSALS},
    summary="File a quarterly major-hazard self-check (reported to the bureau) (R11.2)",
)
def file_self_check(request, payload: EnterpriseSelfCheckIn):
    """Every entered item of the standard answered (ok, hazard, na); each hazard with its
    place, finding, inspection item, measures and deadline opens a rectification track."""
    return 201, _check_out(services.file_self_check(actor=request.user, data=payload))


@router.get(
    "/enterprise/self-checks",
    response={200: list[EnterpriseSelfCheckOut], **ERR},
    summary="Self-checks the caller may see (the enterprise its own; staff their territory's)",
)
def list_self_checks(request, year: int | None = None):
    qs = access.self_checks_visible_to(request.user).prefetch_related("hazards")
    if year is not None:
        qs = qs.filter(year=year)
    return [_check_out(sc) for sc in qs[:200]]


@router.get(
    "/enterprise/self-checks/{check_id}",
    response={200: EnterpriseSelfCheckOut, **ERR},
    summary="One self-check",
)
def get_self_check(request, check_id: int):
    return _check_out(access.get_self_check(request.user, check_id))


@router.get(
    "/enterprise/coverage",
    auth=enterprise_bearer,
    response={200: EnterpriseCoverageOut, **ERR},
    summary="The year's quarters and the main person's part, as flagged (R11.2)",
)
def coverage(request, year: int | None = None):
    ent = access.own_enterprise(request.user)
    today = timezone.localdate()
    y = year if year is not None and 2000 <= year <= 2100 else today.year
    return _coverage_out(queries.coverage_for(ent.pk, y, today))


class EnterpriseGapOut(Schema):
    credit_code: str
    name: str
    coverage: EnterpriseCoverageOut


class EnterpriseGapsOut(Schema):
    year: int
    total: int
    enterprises: list[EnterpriseGapOut]


@router.get(
    "/bureau/self-check-gaps",
    auth=RoleBearer(Role.OFFICER, Role.APPROVER, Role.SUPERVISOR, Role.ADMIN),
    response={200: EnterpriseGapsOut, **ERR},
    summary="Enterprises with a missing quarter or a year without the main person (R11.2)",
)
def gaps(request, year: int | None = None):
    today = timezone.localdate()
    y = year if year is not None and 2000 <= year <= 2100 else today.year
    flagged, total = queries.flagged_enterprises(
        enterprises_visible_to(request.user), year=y, today=today
    )
    return {
        "year": y,
        "total": total,
        "enterprises": [
            {
                "credit_code": f.enterprise.credit_code,
                "name": f.enterprise.name,
                "coverage": _coverage_out(f.coverage),
            }
            for f in flagged
        ],
    }


# ---- rectification reports


class EnterpriseRectificationForm(Schema):
    description: str
    order_id: int | None = None
    self_hazard_id: int | None = None


class EnterpriseEvidenceOut(Schema):
    id: int
    name: str
    sha256: str
    size: int
    content_type: str


class EnterpriseReportOut(Schema):
    id: int
    enterprise: str
    order_id: int | None
    self_hazard_id: int | None
    description: str
    reported_at: dt.datetime
    review: str
    review_note: str
    evidence: list[EnterpriseEvidenceOut]


def _report_out(r: RectificationReport) -> dict[str, Any]:
    return {
        "id": r.pk,
        "enterprise": r.enterprise.credit_code,
        "order_id": r.order_id,
        "self_hazard_id": r.self_hazard_id,
        "description": r.description,
        "reported_at": r.reported_at,
        "review": r.review,
        "review_note": r.review_note,
        "evidence": [
            {
                "id": e.pk,
                "name": e.original_name,
                "sha256": e.sha256,
                "size": e.size,
                "content_type": e.content_type,
            }
            for e in r.evidence.all()
        ],
    }


@router.post(
    "/enterprise/rectification-reports",
    auth=enterprise_bearer,
    response={201: EnterpriseReportOut, **REFUSALS},
    summary="Report a rectification with photos or documents (SHA-256 kept)",
)
def report_rectification(
    request,
    file: File[list[UploadedFile]],
    payload: Form[EnterpriseRectificationForm],
):
    """Multipart: the description, either an order served on the enterprise or one of its
    own reported hazards, and up to 10 files, each as a `file` part (JPEG, PNG, WebP or PDF, at most 20 MB each)."""
    r = services.report_rectification(
        actor=request.user,
        description=payload.description,
        files=file,
        order_id=payload.order_id,
        self_hazard_id=payload.self_hazard_id,
    )
    return 201, _report_out(r)


@router.get(
    "/enterprise/rectification-reports",
    response={200: list[EnterpriseReportOut], **ERR},
    summary="Rectification reports the caller may see",
)
def list_reports(request, review: str | None = None):
    qs = access.reports_visible_to(request.user).prefetch_related("evidence")
    if review:
        qs = qs.filter(review=review)
    return [_report_out(r) for r in qs[:200]]


@router.post(
    "/enterprise/rectification-reports/{report_id}/review",
    auth=reviewer_bearer,
    response={200: EnterpriseReportOut, **REFUSALS},
    summary="An officer reviews the enterprise's rectification report",
)
def review_report(request, report_id: int, payload: EnterpriseReviewIn):
    r = access.get_report(request.user, report_id)
    return _report_out(
        services.review_report(
            actor=request.user, report=r, accepted=payload.accepted, note=payload.note
        )
    )


# ---- R10.4 self-inspection


class EnterpriseEligibilityOut(Schema):
    eligible: bool
    reasons: list[ReasonOut]
    accident_free_since: dt.date
    source: str
    thresholds: str


@router.get(
    "/enterprise/self-inspection/eligibility",
    auth=enterprise_bearer,
    response={200: EnterpriseEligibilityOut, **ERR},
    summary="Whether the enterprise may inspect itself (R10.4), every condition given",
)
def eligibility(request):
    ent = access.own_enterprise(request.user)
    d = queries.eligibility_for(ent, timezone.localdate())
    notes = standards.eligibility_notes()
    return {
        "eligible": d.eligible,
        "reasons": reason_dicts(d.reasons),
        "accident_free_since": d.accident_free_since,
        "source": notes["source"],
        "thresholds": notes["thresholds"],
    }


class EnterpriseSelfInspectionOut(Schema):
    id: int
    enterprise: str
    year: int
    status: str
    report: str
    eligibility: dict
    decision_note: str


def _si_out(s: SelfInspection) -> dict[str, Any]:
    return {
        "id": s.pk,
        "enterprise": s.enterprise.credit_code,
        "year": s.year,
        "status": s.status,
        "report": s.report,
        "eligibility": s.eligibility,
        "decision_note": s.decision_note,
    }


@router.post(
    "/enterprise/self-inspections",
    auth=enterprise_bearer,
    response={201: EnterpriseSelfInspectionOut, **REFUSALS},
    summary="An eligible enterprise submits its self-inspection report for a year (R10.4)",
)
def submit_self_inspection(request, payload: EnterpriseSelfInspectionIn):
    return 201, _si_out(services.submit_self_inspection(actor=request.user, data=payload))


@router.get(
    "/enterprise/self-inspections",
    response={200: list[EnterpriseSelfInspectionOut], **ERR},
    summary="Self-inspection reports the caller may see",
)
def list_self_inspections(request):
    return [_si_out(s) for s in access.self_inspections_visible_to(request.user)[:200]]


@router.post(
    "/enterprise/self-inspections/{si_id}/decision",
    auth=approver_bearer,
    response={200: EnterpriseSelfInspectionOut, **REFUSALS},
    summary="An approver accepts the report (it stands in for routine planned visits) or returns it",
)
def decide_self_inspection(request, si_id: int, payload: EnterpriseSelfInspectionDecisionIn):
    s = access.get_self_inspection(request.user, si_id)
    return _si_out(
        services.decide_self_inspection(
            actor=request.user, si=s, accept=payload.accept, note=payload.note
        )
    )
