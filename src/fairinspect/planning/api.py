"""Planning endpoints: annual plans, sampling tasks and draws, special inspections, joint
and merged visits, and the public (no token) draw verification. Same access and services as
the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Query, Router, Schema

from fairinspect.core.schemas import Bool, Count, Date, Id, Input, Int, Ratio, SmallCount
from fairinspect.registry.api import Error

from . import access, draws, joint, queries, services
from .models import AnnualPlan, Draw, Pool, SamplingTask, SpecialInspection

router = Router(tags=["计划与抽查 planning"])
ERRORS = {400: Error, 403: Error, 404: Error, 409: Error, 422: Error}


# ---- annual plans -------------------------------------------------------------------------


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


class ReasonOut(Schema):
    code: str
    message: str


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
        "problems": [{"code": r.code, "message": r.message} for r in check.reasons],
        "notices": [{"code": r.code, "message": r.message} for r in check.notices],
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


# ---- sampling tasks and draws -------------------------------------------------------------


class PoolOut(Schema):
    kind: str
    sha256: str
    size: int
    excluded: list[dict]
    frozen_at: dt.datetime


class DrawOut(Schema):
    id: int
    sequence: int
    status: str
    redraw_reason: str
    seed: str
    seed_entered_by: str
    seed_entered_at: dt.datetime | None
    count: int | None
    selected: list[str]
    pairings: list[dict]
    drawn_at: dt.datetime | None
    published_at: dt.datetime | None
    superseded_at: dt.datetime | None
    visit_ids: list[int]


class TaskOut(Schema):
    id: int
    department_code: str
    year: int
    title: str
    items: list[str]
    district_code: str
    industry_prefix: str
    risk_level: str
    grade: str
    high_risk: bool | None
    supervising_level: str
    count: int | None
    ratio: Decimal | None
    officers_per_visit: int
    max_visits_per_officer: int | None
    window_start: dt.date
    window_end: dt.date
    status: str
    pools_published_at: dt.datetime | None
    pools: list[PoolOut]
    draws: list[DrawOut]


def _task_out(task: SamplingTask) -> dict:
    data = {f: getattr(task, f) for f in TaskOut.model_fields if hasattr(task, f)}
    data["id"] = task.pk
    data["department_code"] = task.department.code
    data["pools"] = list(task.pools.defer("text", "facts").order_by("kind"))
    data["draws"] = list(task.draws.order_by("sequence"))
    return data


class TaskIn(Input):
    title: str
    items: list[str]
    window_start: Date
    window_end: Date
    count: Count | None = None
    ratio: Ratio | None = None
    district_code: str = ""
    industry_prefix: str = ""
    risk_level: Literal["major", "high", "general", "low", ""] = ""
    grade: Literal["1", "2", "3", "none", ""] = ""
    high_risk: Bool | None = None
    supervising_level: Literal["city", "district", ""] = ""
    officers_per_visit: SmallCount = 2
    max_visits_per_officer: SmallCount | None = None


class SeedIn(Input):
    seed: str
    entered_by: str


class PlanningDecisionIn(Input):
    approve: Bool
    note: str = ""


@router.get("/sampling-tasks", response=list[TaskOut])
def list_tasks(request, year: int | None = None):
    qs = access.tasks_visible_to(request.user)
    if year:
        qs = qs.filter(year=year)
    return [_task_out(t) for t in qs]


@router.post("/sampling-tasks", response={201: TaskOut, **ERRORS})
def create_task(request, payload: TaskIn):
    task = draws.create_task(actor=request.user, data=payload.dict())
    return 201, _task_out(task)


@router.get("/sampling-tasks/{task_id}", response={200: TaskOut, **ERRORS})
def get_task(request, task_id: int):
    return _task_out(access.get_task(request.user, task_id))


@router.post("/sampling-tasks/{task_id}/publish-pools", response={200: TaskOut, **ERRORS})
def publish_pools(request, task_id: int):
    task = access.get_task(request.user, task_id)
    return _task_out(draws.publish_pools(actor=request.user, task=task))


@router.post("/sampling-tasks/{task_id}/redraw", response={201: DrawOut, **ERRORS})
def request_redraw(request, task_id: int, payload: ReasonIn):
    task = access.get_task(request.user, task_id)
    return 201, draws.request_redraw(actor=request.user, task=task, reason=payload.reason)


@router.post("/draws/{draw_id}/seed", response={200: DrawOut, **ERRORS})
def record_seed(request, draw_id: int, payload: SeedIn):
    draw = access.get_draw(request.user, draw_id)
    return draws.record_seed(
        actor=request.user, draw=draw, seed=payload.seed, entered_by=payload.entered_by
    )


@router.post("/draws/{draw_id}/run", response={200: DrawOut, **ERRORS})
def run_draw(request, draw_id: int):
    return draws.run(actor=request.user, draw=access.get_draw(request.user, draw_id))


@router.post("/draws/{draw_id}/publish", response={200: DrawOut, **ERRORS})
def publish_draw(request, draw_id: int):
    return draws.publish_result(actor=request.user, draw=access.get_draw(request.user, draw_id))


@router.post("/draws/{draw_id}/decide-redraw", response={200: DrawOut, **ERRORS})
def decide_redraw(request, draw_id: int, payload: PlanningDecisionIn):
    draw = access.get_draw(request.user, draw_id)
    return draws.decide_redraw(actor=request.user, draw=draw, approve=payload.approve)


class PublicDrawOut(Schema):
    id: int
    task_id: int
    task_title: str
    sequence: int
    status: str
    seed: str
    seed_entered_by: str
    seed_entered_at: dt.datetime | None
    count: int | None
    enterprise_pool_sha256: str
    officer_pool_sha256: str
    selected: list[str]
    officers: dict[str, list[str]]
    verified: bool
    message: str


def _public_draw(draw: Draw) -> dict:
    ent, off = draws.pools_of(draw.task, light=True)
    check = draws.cached_verification(draw)
    return {
        "id": draw.pk,
        "task_id": draw.task_id,
        "task_title": draw.task.title,
        "sequence": draw.sequence,
        "status": draw.status,
        "seed": draw.seed,
        "seed_entered_by": draw.seed_entered_by,
        "seed_entered_at": draw.seed_entered_at,
        "count": draw.count,
        "enterprise_pool_sha256": ent.sha256,
        "officer_pool_sha256": off.sha256,
        "selected": draw.selected,
        "officers": {p["enterprise"]: p["officers"] for p in draw.pairings},
        "verified": check.ok,
        "message": check.message,
    }


@router.get("/public/draws", auth=None, response=list[PublicDrawOut], summary="Public draws")
def public_draws(
    request, limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=1_000_000)
):
    qs = access.public_draws().order_by("-drawn_at")[offset : offset + limit]
    return [_public_draw(d) for d in qs]


@router.get("/public/draws/{draw_id}", auth=None, response={200: PublicDrawOut, 404: Error})
def public_draw(request, draw_id: int):
    return _public_draw(access.get_public_draw(draw_id))


class RecomputeOut(Schema):
    seed: str
    count: int
    selected: list[str]


@router.get(
    "/public/sampling-tasks/{task_id}/recompute",
    auth=None,
    response={200: RecomputeOut, 404: Error, 422: Error},
    summary="Recompute a selection from a published pool with any seed and count",
)
def recompute(request, task_id: int, seed: str, count: int):
    task = access.get_public_task(task_id)
    return {"seed": seed, "count": count, "selected": draws.recompute(task, seed=seed, count=count)}


# ---- special inspections ------------------------------------------------------------------


class SpecialOut(Schema):
    id: int
    department_code: str
    year: int
    number: int | None
    kind: str
    title: str
    targets: str
    enterprises: list[str]
    start_date: dt.date
    end_date: dt.date
    content: str
    reason: str
    status: str
    decision_note: str
    announced_at: dt.datetime | None


def _special_out(s: SpecialInspection) -> dict:
    data = {
        f: getattr(s, f)
        for f in SpecialOut.model_fields
        if f not in ("enterprises",) and hasattr(s, f)
    }
    data["id"] = s.pk
    data["department_code"] = s.department.code
    data["enterprises"] = [e.credit_code for e in s.enterprises.all()]
    return data


class SpecialIn(Input):
    kind: Literal["special", "key_period"]
    title: str
    targets: str
    content: str
    reason: str
    start_date: Date
    end_date: Date
    enterprises: list[str] = []


class SpecialQuotaIn(Input):
    year: Int
    quota: Int
    source: str


class SpecialQuotaOut(Schema):
    department_code: str
    year: int
    quota: int
    used: int
    source: str


@router.get("/special-inspections", response=list[SpecialOut])
def list_specials(request, year: int | None = None):
    qs = access.specials_visible_to(request.user)
    if year:
        qs = qs.filter(year=year)
    return [_special_out(s) for s in qs]


@router.post("/special-inspections", response={201: SpecialOut, **ERRORS})
def create_special(request, payload: SpecialIn):
    return 201, _special_out(services.create_special(actor=request.user, data=payload.dict()))


@router.get("/special-inspections/{special_id}", response={200: SpecialOut, **ERRORS})
def get_special(request, special_id: int):
    return _special_out(access.get_special(request.user, special_id))


@router.post("/special-inspections/{special_id}/submit", response={200: SpecialOut, **ERRORS})
def submit_special(request, special_id: int):
    s = access.get_special(request.user, special_id)
    return _special_out(services.submit_special(actor=request.user, special=s))


@router.post("/special-inspections/{special_id}/decide", response={200: SpecialOut, **ERRORS})
def decide_special(request, special_id: int, payload: PlanningDecisionIn):
    s = access.get_special(request.user, special_id)
    return _special_out(
        services.decide_special(
            actor=request.user, special=s, approve=payload.approve, note=payload.note
        )
    )


@router.post("/special-inspections/{special_id}/announce", response={200: SpecialOut, **ERRORS})
def announce_special(request, special_id: int):
    s = access.get_special(request.user, special_id)
    return _special_out(services.announce_special(actor=request.user, special=s))


@router.put("/special-quota", response={200: SpecialQuotaOut, **ERRORS})
def set_quota(request, payload: SpecialQuotaIn):
    bureau = access.bureau_of(request.user)
    if bureau is None:
        from fairinspect.core.errors import Forbidden

        raise Forbidden("您的账号未关联所在部门。")
    row = services.set_special_quota(actor=request.user, department=bureau, data=payload.dict())
    return {
        "department_code": bureau.code,
        "year": row.year,
        "quota": row.quota,
        "used": queries.special_used(bureau, row.year),
        "source": row.source,
    }


@router.get("/public/special-inspections", auth=None, response=list[SpecialOut])
def public_specials(request):
    return [_special_out(s) for s in access.public_specials()]


# ---- conflicts of interest (回避) ----------------------------------------------------------


class ConflictIn(Input):
    enterprise: str  # credit code
    kind: Literal["declared_conflict", "former_employer", "relative"]
    note: str = ""
    officer_id: Id | None = None  # the administrator only; officers declare for themselves


class ConflictOut(Schema):
    id: int
    officer_id: int
    officer_name: str
    department: str
    enterprise: str
    enterprise_name: str
    kind: str
    note: str
    created_at: dt.datetime


class WithdrawIn(Input):
    reason: str


def _conflict_out(c) -> dict:
    return {
        "id": c.pk,
        "officer_id": c.officer_id,
        "officer_name": c.officer.name,
        "department": c.officer.department.code,
        "enterprise": c.enterprise.credit_code,
        "enterprise_name": c.enterprise.name,
        "kind": c.kind,
        "note": c.note,
        "created_at": c.created_at,
    }


@router.get("/conflicts", response={200: list[ConflictOut], **ERRORS}, summary="回避登记")
def list_conflicts(
    request,
    officer_id: int | None = None,
    enterprise: str | None = None,
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
):
    """Officers see their own declarations; approvers and supervisors those of their bureau's
    officers (city staff: all); the administrator all. Others: 403."""
    from fairinspect.core.errors import Forbidden

    from . import conflicts as cf

    user = request.user
    if not (cf.can_review(user) or cf.officer_of(user) is not None):
        raise Forbidden("只有执法人员、审批负责人、监督人员或管理员可以查看回避登记。")
    qs = cf.conflicts_visible_to(user)
    if officer_id is not None:
        qs = qs.filter(officer_id=officer_id)
    if enterprise:
        qs = qs.filter(enterprise__credit_code=enterprise.strip().upper())
    return [_conflict_out(c) for c in qs[offset : offset + limit]]


@router.post("/conflicts", response={201: ConflictOut, **ERRORS}, summary="申报回避")
def declare_conflict(request, payload: ConflictIn):
    """An officer declares a conflict for themself; the administrator may give `officer_id`.
    409 `conflict_already_declared` for the same officer, enterprise and kind."""
    from . import conflicts as cf

    return 201, _conflict_out(cf.declare(actor=request.user, data=payload.dict()))


@router.post(
    "/conflicts/{conflict_id}/withdraw", response={204: None, **ERRORS}, summary="撤销回避登记"
)
def withdraw_conflict(request, conflict_id: int, payload: WithdrawIn):
    """The administrator only, with the reason (audited)."""
    from . import conflicts as cf

    cf.withdraw(actor=request.user, conflict_id=conflict_id, reason=payload.reason)
    return 204, None


# ---- joint and merged visits (R5) ---------------------------------------------------------

joint.register(router, ERRORS)

__all__ = ["Pool", "router"]
