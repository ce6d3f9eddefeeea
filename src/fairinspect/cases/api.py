"""Cases endpoints: the violation catalogue, the discretion calculator, cases and their steps.
Same access, rules and services as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.utils import timezone
from ninja import Body, Field, Query, Router, Schema

from fairinspect.core import paging
from fairinspect.core.errors import ValidationFailed
from fairinspect.core.schemas import Bool, Date, Input, Int, ReasonOut
from fairinspect.registry.access import enterprises_visible_to
from fairinspect.rules import discretion as d

from . import access, legal, queries, services
from .inputs import FactsIn, TransitionIn
from .models import Case

router = Router(tags=["行政处罚案件 cases"])


class CaseError(Schema):
    code: str
    message: str
    field: str | None = None
    reasons: list[ReasonOut] = []


class ViolationOut(Schema):
    code: str
    law: str
    version: str
    article: int
    clause: int
    item: int | None
    title: str
    legal_basis: str
    penalty_basis: str
    penalty_text: str
    unit_penalty: str
    person_penalty: str
    source: str


def _violation_out(v: d.Violation) -> dict[str, Any]:
    unit = next((s for p, st, s in v.sanctions if p == d.Party.UNIT), None)
    person = next((s for p, st, s in v.sanctions if p == d.Party.PERSON), None)
    return {
        "code": v.code,
        "law": v.law,
        "version": v.version,
        "article": v.article,
        "clause": v.clause,
        "item": v.item,
        "title": v.title,
        "legal_basis": v.legal_basis,
        "penalty_basis": v.penalty_basis,
        "penalty_text": v.penalty_text,
        "unit_penalty": legal.fine_text(unit) if unit else "",
        "person_penalty": legal.fine_text(person) if person else "",
        "source": v.source,
    }


@router.get(
    "/violations",
    response=list[ViolationOut],
    auth=None,
    summary="The violation catalogue (public legal information)",
)
def list_violations(request, law: str = "", article: int | None = None):
    return [_violation_out(v) for v in legal.filter_violations(law=law, article=article)]


class DiscretionIn(Input):
    violation_code: str
    party: Literal["unit", "person"]
    facts: FactsIn = FactsIn.model_validate({})  # every field has its default


class DiscretionOut(Schema):
    grade: str
    grade_label: str
    fine_min: Decimal
    fine_max: Decimal
    legal_min: Decimal | None
    legal_max: Decimal | None
    penalty_types: list[str]
    measures: list[str]
    reasons: list[ReasonOut]
    no_penalty_item: str | None
    stage: str
    tier: str | None


def _facts(payload: FactsIn) -> dict[str, Any]:
    raw = payload.dict()
    return {k: v for k, v in raw.items() if v is not None}


@router.post(
    "/discretion",
    response={200: DiscretionOut, 401: CaseError, 403: CaseError, 422: CaseError},
    summary="Grade, recommended range and reasons for a violation and its facts",
)
def discretion(request, payload: DiscretionIn):
    access.require_case_staff(request.user)
    clean = legal.clean_facts(_facts(payload.facts))
    return legal.result_dict(legal.decide(payload.violation_code, payload.party, clean))


class CaseIn(Input):
    credit_code: str
    party: Literal["unit", "person"] = "unit"
    violation_code: str
    cause: str = ""
    facts_text: str = ""
    source: str = ""
    person_name: str = ""
    person_role: str = ""


class DeadlineOut(Schema):
    name: str
    due: dt.date
    kind: str
    basis: str
    open: bool
    overdue: bool


class CaseOut(Schema):
    id: int
    number: str
    decision_number: str
    status: str
    status_label: str
    enterprise_credit_code: str
    party: str
    person_name: str
    pair_id: int | None
    cause: str
    violation_code: str
    procedure_rule: str
    filed_on: dt.date | None
    grade: str
    fine_min: Decimal | None
    fine_max: Decimal | None
    proposed_fine: Decimal | None
    outside_range: bool
    outside_range_reason: str
    hearing_required: bool
    is_major: bool
    outcome: str
    fine_amount: Decimal | None
    decided_on: dt.date | None
    reasons: list[ReasonOut]
    deadlines: list[DeadlineOut]
    next_due: dt.date | None
    allowed_actions: list[str]


def case_out(case: Case, user) -> dict[str, Any]:

    today = timezone.localdate()
    all_due = services.deadlines(case)
    open_names = {x.name for x in services.open_deadlines(case, all_due)}
    return {
        "id": case.pk,
        "number": case.number,
        "decision_number": case.decision_number,
        "status": case.status,
        "status_label": case.get_status_display(),
        "enterprise_credit_code": case.enterprise.credit_code,
        "party": case.party,
        "person_name": case.person_name,
        "pair_id": case.pair_id,
        "cause": case.cause,
        "violation_code": case.violation_code,
        "procedure_rule": case.procedure_rule,
        "filed_on": case.filed_on,
        "grade": case.grade,
        "fine_min": case.fine_min,
        "fine_max": case.fine_max,
        "proposed_fine": case.proposed_fine,
        "outside_range": case.outside_range,
        "outside_range_reason": case.outside_range_reason,
        "hearing_required": case.hearing_required,
        "is_major": case.is_major,
        "outcome": case.outcome,
        "fine_amount": case.fine_amount,
        "decided_on": case.decided_on,
        "reasons": case.reasons or [],
        "deadlines": [
            {
                "name": x.name,
                "due": x.due,
                "kind": x.kind.value,
                "basis": x.basis.message,
                "open": x.name in open_names,
                "overdue": x.name in open_names and x.due < today,
            }
            for x in sorted(all_due.values(), key=lambda x: x.due)
        ],
        "next_due": case.next_due,
        "allowed_actions": access.case_actions(user, case),
    }


@router.post("/cases", response={201: CaseOut, 401: CaseError, 403: CaseError, 422: CaseError})
def create_case(request, payload: CaseIn):
    access.require_officer(request.user)
    ent = (
        enterprises_visible_to(request.user)
        .filter(credit_code=payload.credit_code.strip().upper())
        .first()
    )
    if ent is None:
        raise ValidationFailed(
            "unknown_enterprise",
            "credit_code：未找到该企业，或不在您的执法范围内。",
            field="credit_code",
        )
    case = services.open_case(
        actor=request.user,
        enterprise=ent,
        on=timezone.localdate(),
        **payload.dict(exclude={"credit_code"}),
    )
    return 201, case_out(case, request.user)


class CaseRowOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    enterprise_credit_code: str
    enterprise_name: str
    cause: str
    filed_on: dt.date | None
    outside_range: bool


class CaseListPage(paging.PageOut):
    items: list[CaseRowOut]


def _case_row(c: Case) -> dict[str, Any]:
    return {
        "id": c.pk,
        "number": c.number,
        "status": c.status,
        "status_label": c.get_status_display(),
        "enterprise_credit_code": c.enterprise.credit_code,
        "enterprise_name": c.enterprise.name,
        "cause": c.cause,
        "filed_on": c.filed_on,
        "outside_range": c.outside_range,
    }


@router.get(
    "/cases",
    response={200: CaseListPage, 401: CaseError, 403: CaseError, 422: CaseError},
    summary="Cases the user may see, newest first (by cursor); the list page's filters",
)
def list_cases(
    request,
    status: str = Query("", max_length=20),
    q: str = Query("", max_length=50),
    outside: bool = False,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=paging.MAX_OFFSET),
    cursor: str = Query("", max_length=2000),
):
    qs = queries.filter_cases(
        access.cases_visible_to(request.user), status=status, q=q.strip(), outside=outside
    )
    return paging.api_page(
        qs,
        queries.CASE_ORDER,
        scope=queries.CASE_SCOPE,
        limit=limit,
        cursor=cursor,
        offset=offset,
        out=_case_row,
    )


@router.get(
    "/cases/{case_id}", response={200: CaseOut, 401: CaseError, 403: CaseError, 404: CaseError}
)
def get_case(request, case_id: int):
    return case_out(access.get_case(request.user, case_id), request.user)


@router.post(
    "/cases/{case_id}/transitions",
    response={
        200: CaseOut,
        401: CaseError,
        403: CaseError,
        404: CaseError,
        409: CaseError,
        422: CaseError,
    },
    summary="Take one procedure step: {action, data, facts}",
)
def take_step(request, case_id: int, payload: Body[TransitionIn]):
    """`data` depends on `action`: each step has its own schema (TransitionIn's members)."""
    case = access.get_case(request.user, case_id)
    data = payload.data.dict(exclude_none=True)
    facts = getattr(payload, "facts", None)
    if facts is not None:
        data["facts"] = _facts(facts)
    case = services.transition(
        actor=request.user, case=case, action=payload.action, data=data, today=timezone.localdate()
    )
    return case_out(access.get_case(request.user, case.pk), request.user)


# ---- the enterprise's own cases, accidents, early removal (R8.2, R10.1, R10.2) -----------------


class PartyDeadlineOut(Schema):
    name: str
    label: str
    due: dt.date
    done: bool
    passed: bool


class PartyDocumentOut(Schema):
    kind: str
    title: str
    url: str


class PartyCaseOut(Schema):
    id: int
    number: str
    decision_number: str
    status: str
    status_label: str
    cause: str
    violation_title: str
    filed_on: dt.date | None
    decided_on: dt.date | None
    outcome: str
    fine_amount: Decimal | None
    deadlines: list[PartyDeadlineOut]
    documents: list[PartyDocumentOut]


@router.get(
    "/my-cases",
    response={200: list[PartyCaseOut], 401: CaseError, 403: CaseError},
    summary="The enterprise user's own (unit) cases: party deadlines and served documents",
)
def my_cases(request):
    from django.urls import reverse

    from . import documents

    today = timezone.localdate()
    out = []
    for c in access.party_cases(request.user).order_by("-id")[:200]:
        out.append(
            {
                "id": c.pk,
                "number": c.number,
                "decision_number": c.decision_number,
                "status": c.status,
                "status_label": c.get_status_display(),
                "cause": c.cause,
                "violation_title": c.violation_title,
                "filed_on": c.filed_on,
                "decided_on": c.decided_on,
                "outcome": c.outcome,
                "fine_amount": c.fine_amount,
                "deadlines": queries.party_deadlines(c, today),
                "documents": [
                    {
                        "kind": k.code,
                        "title": k.title,
                        "url": reverse("cases:my_case_document", args=[c.pk, k.code]),
                    }
                    for k in documents.served_to_party(c)
                ],
            }
        )
    return out


class AccidentIn(Input):
    credit_code: str = Field(max_length=18)
    on: Date
    level: Literal["general", "larger", "major", "especially_major"]
    fatalities: Int = Field(0, ge=0, le=10000)
    injuries: Int = Field(0, ge=0, le=10000)
    summary: str = Field(max_length=300)


class AccidentOut(Schema):
    id: int
    enterprise_credit_code: str
    on: dt.date
    level: str
    fatalities: int
    injuries: int
    summary: str


@router.post(
    "/accidents", response={201: AccidentOut, 401: CaseError, 403: CaseError, 422: CaseError}
)
def create_accident(request, payload: AccidentIn):
    access.require_accident_recorder(request.user)
    ent = (
        enterprises_visible_to(request.user)
        .filter(credit_code=payload.credit_code.strip().upper())
        .first()
    )
    if ent is None:
        raise ValidationFailed(
            "unknown_enterprise",
            "credit_code：未找到该企业，或不在您的执法范围内。",
            field="credit_code",
        )
    rec = services.record_accident(
        actor=request.user,
        enterprise=ent,
        on=payload.on,
        level=payload.level,
        fatalities=payload.fatalities,
        injuries=payload.injuries,
        summary=payload.summary,
        today=timezone.localdate(),
    )
    return 201, {
        "id": rec.pk,
        "enterprise_credit_code": ent.credit_code,
        "on": rec.on,
        "level": rec.accident_level,
        "fatalities": rec.fatalities,
        "injuries": rec.injuries,
        "summary": rec.summary,
    }


class ApplicationIn(Input):
    statement: str = Field(max_length=4000)


class RemovalDecisionIn(Input):
    approve: Bool
    note: str = Field(max_length=4000)


class ApplicationOut(Schema):
    id: int
    listing_id: int
    status: str
    applied_on: dt.date
    statement: str
    decided_on: dt.date | None
    decision_note: str
    listing_status: str


def _application_out(app) -> dict[str, Any]:
    app.listing.refresh_from_db()
    return {
        "id": app.pk,
        "listing_id": app.listing_id,
        "status": app.status,
        "applied_on": app.applied_on,
        "statement": app.statement,
        "decided_on": app.decided_on,
        "decision_note": app.decision_note,
        "listing_status": app.listing.status,
    }


@router.post(
    "/dishonesty-listings/{listing_id}/removal-applications",
    response={
        201: ApplicationOut,
        401: CaseError,
        403: CaseError,
        404: CaseError,
        409: CaseError,
        422: CaseError,
    },
    summary="The listed enterprise applies for early removal (after twelve months)",
)
def apply_removal(request, listing_id: int, payload: ApplicationIn):
    from fairinspect.core.errors import NotFound

    listing = access.party_listings(request.user).filter(pk=listing_id).first()
    if listing is None:
        raise NotFound()
    app = services.apply_early_removal(
        actor=request.user, listing=listing, statement=payload.statement, on=timezone.localdate()
    )
    return 201, _application_out(app)


@router.post(
    "/removal-applications/{application_id}/decision",
    response={
        200: ApplicationOut,
        401: CaseError,
        403: CaseError,
        404: CaseError,
        409: CaseError,
        422: CaseError,
    },
    summary="The approver grants or refuses an early-removal application",
)
def decide_removal(request, application_id: int, payload: RemovalDecisionIn):
    from fairinspect.core.errors import NotFound

    from .models import RemovalApplication

    app = (
        RemovalApplication.objects.select_related("listing__enterprise")
        .filter(listing__in=access.listings_visible_to(request.user), pk=application_id)
        .first()
    )
    if app is None:
        raise NotFound()
    app = services.decide_early_removal(
        actor=request.user,
        application=app,
        approve=payload.approve,
        note=payload.note,
        on=timezone.localdate(),
    )
    return _application_out(app)


# The listing procedure's endpoints register themselves on this router.
from . import api_listings  # noqa: E402, F401
