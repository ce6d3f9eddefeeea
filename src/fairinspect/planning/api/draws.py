"""Sampling tasks and draws."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Query, Schema

from fairinspect.core.schemas import Bool, Count, Date, Input, Ratio, ReasonOut, SmallCount
from fairinspect.registry.api import Error

from .. import access, draws
from ..models import Draw, SamplingTask
from ._common import ERRORS, router
from .plans import ReasonIn


class PlanningExclusionOut(Schema):
    id: str  # the enterprise's credit code or the officer's id
    reasons: list[ReasonOut]


class PoolOut(Schema):
    kind: str
    sha256: str
    size: int
    excluded: list[PlanningExclusionOut]
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
    weighted_by_risk: bool
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
    weighted_by_risk: Bool = False


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
    pools = ent, off = draws.pools_of(draw.task, light=True)
    check = draws.cached_verification(draw, pools)
    pairings = draw.pairings  # its rows, one query
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
        "selected": [p["enterprise"] for p in pairings],
        "officers": {p["enterprise"]: p["officers"] for p in pairings},
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
