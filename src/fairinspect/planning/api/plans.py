"""Annual plans."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Schema

from fairinspect.core.schemas import Bool, Count, Date, Input, Int, Ratio, ReasonOut
from fairinspect.rules.results import reason_dicts

from .. import access, queries, services
from ..models import AnnualPlan
from ._common import ERRORS, router


class LineOut(Schema):
    high_risk: bool
    grade: Literal["1", "2", "3", "none"]
    enterprises: int
    planned_visits: int
    last_year_visits: int  # what the −10% rule compares: the override, else the derived count
    last_year_derived: int  # counted from last year's visits, never typed
    last_year_override: int | None
    last_year_override_reason: str
    sampling_ratio: Decimal


class KeyOut(Schema):
    id: int
    credit_code: str
    name: str
    planned_visits: int
    reason: str


class PlanOut(Schema):
    id: int
    department_code: str
    year: int
    title: str
    notes: str
    status: str
    approval_doc_no: str
    approval_date: dt.date | None
    filing_doc_no: str
    filing_date: dt.date | None
    published_at: dt.datetime | None
    lines: list[LineOut]
    key_enterprises: list[KeyOut]
    check_ok: bool
    non_high_risk_previous: int
    non_high_risk_planned: int
    reduction_message: str
    problems: list[ReasonOut]
    notices: list[ReasonOut] = []  # overridden counts with their reasons, for the approver
    cap_table_change: str = ""  # set when the cap table was edited after approval


def _line_out(li) -> dict:
    return {
        "high_risk": li.high_risk,
        "grade": li.grade,
        "enterprises": li.enterprises,
        "planned_visits": li.planned_visits,
        "last_year_visits": li.last_year_effective,
        "last_year_derived": li.last_year_visits,
        "last_year_override": li.last_year_override,
        "last_year_override_reason": li.last_year_override_reason,
        "sampling_ratio": li.sampling_ratio,
    }


def _plan_out(plan: AnnualPlan) -> dict:
    check = queries.plan_check(plan)
    return {
        "id": plan.pk,
        "department_code": plan.department.code,
        "year": plan.year,
        "title": plan.title,
        "notes": plan.notes,
        "status": plan.status,
        "approval_doc_no": plan.approval_doc_no,
        "approval_date": plan.approval_date,
        "filing_doc_no": plan.filing_doc_no,
        "filing_date": plan.filing_date,
        "published_at": plan.published_at,
        "lines": [_line_out(li) for li in plan.lines.all()],
        "key_enterprises": [
            {
                "id": k.pk,
                "credit_code": k.enterprise.credit_code,
                "name": k.enterprise.name,
                "planned_visits": k.planned_visits,
                "reason": k.reason,
            }
            for k in plan.key_enterprises.select_related("enterprise")
        ],
        "check_ok": check.ok,
        "non_high_risk_previous": check.non_high_risk_previous,
        "non_high_risk_planned": check.non_high_risk_planned,
        "reduction_message": check.reduction_message,
        "problems": reason_dicts(check.reasons),
        "notices": reason_dicts(check.notices),
        "cap_table_change": queries.cap_table_change(plan),
    }


class PlanIn(Input):
    year: Int  # 2000–2100, checked by the service (year_out_of_range)
    title: str = ""
    notes: str = ""


class LineIn(Input):
    high_risk: Bool
    grade: Literal["1", "2", "3", "none"]
    planned_visits: Count | None = None
    # An override of the derived count (the count itself, or null, clears it); it needs
    # last_year_override_reason.
    last_year_visits: Count | None = None
    last_year_override_reason: str | None = None
    sampling_ratio: Ratio | None = None


class LinesIn(Input):
    lines: list[LineIn]


class KeyIn(Input):
    credit_code: str
    planned_visits: Int = 1
    reason: str


class ApprovalIn(Input):
    approval_doc_no: str
    approval_date: Date


class PlanFilingIn(Input):
    filing_doc_no: str
    filing_date: Date


class ReasonIn(Input):
    reason: str


@router.get("/plans", response=list[PlanOut], summary="List annual plans")
def list_plans(request, year: int | None = None):
    qs = access.plans_visible_to(request.user)
    if year:
        qs = qs.filter(year=year)
    return [_plan_out(p) for p in qs]


@router.post("/plans", response={201: PlanOut, **ERRORS})
def create_plan(request, payload: PlanIn):
    return 201, _plan_out(services.create_plan(actor=request.user, data=payload.dict()))


@router.get("/plans/{plan_id}", response={200: PlanOut, **ERRORS})
def get_plan(request, plan_id: int):
    return _plan_out(access.get_plan(request.user, plan_id))


@router.put("/plans/{plan_id}/lines", response={200: PlanOut, **ERRORS})
def update_lines(request, plan_id: int, payload: LinesIn):
    plan = access.get_plan(request.user, plan_id)
    rows = [{k: v for k, v in li.dict().items() if v is not None} for li in payload.lines]
    return _plan_out(services.update_plan_lines(actor=request.user, plan=plan, lines=rows))


@router.post("/plans/{plan_id}/key-enterprises", response={201: PlanOut, **ERRORS})
def add_key(request, plan_id: int, payload: KeyIn):
    plan = access.get_plan(request.user, plan_id)
    services.add_key_enterprise(actor=request.user, plan=plan, data=payload.dict())
    return 201, _plan_out(plan)


@router.delete("/plans/{plan_id}/key-enterprises/{key_id}", response={200: PlanOut, **ERRORS})
def remove_key(request, plan_id: int, key_id: int):
    plan = access.get_plan(request.user, plan_id)
    services.remove_key_enterprise(actor=request.user, plan=plan, key_id=key_id)
    return _plan_out(plan)


@router.post("/plans/{plan_id}/submit", response={200: PlanOut, **ERRORS})
def submit_plan(request, plan_id: int):
    plan = access.get_plan(request.user, plan_id)
    return _plan_out(services.submit_plan(actor=request.user, plan=plan))


@router.post("/plans/{plan_id}/return", response={200: PlanOut, **ERRORS})
def return_plan(request, plan_id: int, payload: ReasonIn):
    plan = access.get_plan(request.user, plan_id)
    return _plan_out(services.return_plan(actor=request.user, plan=plan, reason=payload.reason))


@router.post("/plans/{plan_id}/approve", response={200: PlanOut, **ERRORS})
def approve_plan(request, plan_id: int, payload: ApprovalIn):
    plan = access.get_plan(request.user, plan_id)
    return _plan_out(services.approve_plan(actor=request.user, plan=plan, data=payload.dict()))


@router.post("/plans/{plan_id}/file", response={200: PlanOut, **ERRORS})
def file_plan(request, plan_id: int, payload: PlanFilingIn):
    plan = access.get_plan(request.user, plan_id)
    return _plan_out(services.file_plan(actor=request.user, plan=plan, data=payload.dict()))


@router.post("/plans/{plan_id}/publish", response={200: PlanOut, **ERRORS})
def publish_plan(request, plan_id: int):
    plan = access.get_plan(request.user, plan_id)
    return _plan_out(services.publish_plan(actor=request.user, plan=plan))


@router.get("/public/plans", auth=None, response=list[PlanOut], summary="Published plans")
def public_plans(request):
    return [_plan_out(p) for p in access.public_plans()]
