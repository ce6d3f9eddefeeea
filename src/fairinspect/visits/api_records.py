"""The records behind exempt visits over the API (R3.3): the enterprise's applications for an
inspection and referrals (转办交办) with their document. Registered on the visits router."""

from __future__ import annotations

import datetime as dt

from ninja import File, Form, Schema
from ninja.files import UploadedFile
from pydantic import StrictBool

from fairinspect.core.schemas import Date, Input
from fairinspect.registry import access as registry_access
from fairinspect.registry.api import Error

from . import access, services
from .api import Refusal, enterprise_bearer, officer_bearer, router


class InspectionApplicationIn(Input):
    reason: str
    preferred_date: Date | None = None


class ApplicationDecisionIn(Input):
    accept: StrictBool  # "yes" or "false" is a 422, never coerced
    note: str = ""


class InspectionApplicationOut(Schema):
    id: int
    number: str
    enterprise: str  # credit code
    reason: str
    preferred_date: dt.date | None
    submitted_on: dt.date
    status: str
    decision_note: str
    decided_at: dt.datetime | None
    round: int


def _application_out(a) -> dict:
    return {
        "id": a.pk,
        "number": a.number,
        "enterprise": a.enterprise.credit_code,
        "reason": a.reason,
        "preferred_date": a.preferred_date,
        "submitted_on": a.submitted_on,
        "status": a.status,
        "decision_note": a.decision_note,
        "decided_at": a.decided_at,
        "round": a.round,
    }


@router.post(
    "/inspection-applications",
    auth=enterprise_bearer,
    response={201: InspectionApplicationOut, 403: Error, 422: Error},
    summary="The enterprise applies for an inspection (应企业申请)",
)
def apply(request, payload: InspectionApplicationIn):
    """The enterprise user applies for an inspection of its own enterprise, with the reason.
    Accepted by the bureau, the application's number justifies one inspection (R3.3)."""
    a = services.apply_for_inspection(
        actor=request.user, reason=payload.reason, preferred_date=payload.preferred_date
    )
    return 201, _application_out(a)


@router.get(
    "/inspection-applications",
    response={200: list[InspectionApplicationOut], 403: Error},
    summary="Applications for an inspection the caller may see",
)
def list_applications(request, status: str | None = None):
    qs = access.applications_visible_to(request.user)
    if status:
        qs = qs.filter(status=status)
    return [_application_out(a) for a in qs[:200]]


@router.post(
    "/inspection-applications/{application_id}/decision",
    auth=officer_bearer,
    response={200: InspectionApplicationOut, 403: Error, 404: Error, 409: Refusal, 422: Error},
    summary="Accept (受理) or decline an application",
)
def decide(request, application_id: int, payload: ApplicationDecisionIn):
    """`{accept: true}` accepts; `{accept: false, note}` declines with the written reason."""
    a = access.get_application(request.user, application_id)
    a = services.decide_application(
        actor=request.user, application=a, accept=payload.accept, note=payload.note
    )
    return _application_out(a)


class ReferralIn(Schema):
    enterprise: str  # credit code
    issuing_body: str
    document_number: str
    document_date: dt.date
    received_on: dt.date
    summary: str


class ReferralStatusIn(Input):
    open: StrictBool


class ReferralOut(Schema):
    id: int
    enterprise: str
    issuing_body: str
    document_number: str
    document_date: dt.date
    received_on: dt.date
    summary: str
    status: str
    round: int
    file_sha256: str


def _referral_out(r) -> dict:
    return {
        "id": r.pk,
        "enterprise": r.enterprise.credit_code,
        "issuing_body": r.issuing_body,
        "document_number": r.document_number,
        "document_date": r.document_date,
        "received_on": r.received_on,
        "summary": r.summary,
        "status": r.status,
        "round": r.round,
        "file_sha256": r.file_sha256,
    }


@router.post(
    "/referrals",
    auth=officer_bearer,
    response={201: ReferralOut, 403: Error, 404: Error, 422: Error},
    summary="Register a referral (转办交办) with its document",
)
def register(request, file: File[UploadedFile], payload: Form[ReferralIn]):
    """Multipart: the document's issuing body, 文号, date, the day it was received, the matter
    and the file (PDF, JPEG or PNG, at most 10 MB). Its 文号 then justifies one inspection."""
    ent = registry_access.get_enterprise(request.user, payload.enterprise)
    r = services.register_referral(
        actor=request.user,
        enterprise=ent,
        issuing_body=payload.issuing_body,
        document_number=payload.document_number,
        document_date=payload.document_date,
        received_on=payload.received_on,
        summary=payload.summary,
        upload=file,
    )
    return 201, _referral_out(r)


@router.get(
    "/referrals", response={200: list[ReferralOut], 403: Error}, summary="Registered referrals"
)
def list_referrals(request):
    return [_referral_out(r) for r in access.referrals_visible_to(request.user)[:200]]


@router.post(
    "/referrals/{referral_id}/status",
    auth=officer_bearer,
    response={200: ReferralOut, 403: Error, 404: Error, 409: Refusal},
    summary="Close (办结) or reopen a referral",
)
def referral_status(request, referral_id: int, payload: ReferralStatusIn):
    """Reopening starts a new round: the referral may justify one more inspection."""
    r = access.get_referral(request.user, referral_id)
    return _referral_out(
        services.set_referral_status(actor=request.user, referral=r, open=payload.open)
    )


@router.get("/referrals/{referral_id}/file", response={403: Error, 404: Error})
def referral_file(request, referral_id: int):
    """The document as a download (attachment, nosniff, sandboxed)."""
    from .views_records import referral_file_response

    return referral_file_response(access.get_referral(request.user, referral_id))
