"""API of the expert pool (R12.1) and of experts on visits (R12.2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema
from pydantic import BeforeValidator

from fairinspect.core.schemas import Date, Id, Input, Int, ReasonOut, _decimal
from fairinspect.registry.models import Enterprise, Expert
from fairinspect.visits import access as visit_access

from . import access, queries, services

router = Router(tags=["专家 experts"])
# Training hours: a number with at most one decimal (Training.hours is max_digits=5, 1 place).
Hours = Annotated[
    Decimal, BeforeValidator(_decimal), Field(gt=0, le=200, max_digits=4, decimal_places=1)
]


class ExpertsError(Schema):
    code: str
    message: str
    field: str | None = None
    reasons: list[ReasonOut] = []


ERRORS = {
    401: ExpertsError,
    403: ExpertsError,
    404: ExpertsError,
    409: ExpertsError,
    422: ExpertsError,
}


class ExpertPoolOut(Schema):
    id: int
    name: str
    title: str
    employer: str
    specialties: list[str]
    status: str
    appointed_from: dt.date
    appointed_to: dt.date
    training_hours_this_year: float
    average_score: float | None
    evaluations: int
    visits: int


class ExpertsTrainingIn(Input):
    on: Date
    topic: str = Field(min_length=1, max_length=200)
    hours: Hours
    provider: str = Field("", max_length=100)


class ExpertsTieIn(Input):
    enterprise_credit_code: str = Field(min_length=18, max_length=18)
    kind: str = Field(min_length=1, max_length=12)
    started_on: Date | None = None
    ended_on: Date | None = None
    note: str = Field("", max_length=300)


class ExpertsVisitAddIn(Input):
    expert_id: Id


class ExpertsAdviceIn(Input):
    text: str = Field(min_length=1, max_length=4000)


class ExpertsEvaluationIn(Input):
    score: Int = Field(ge=1, le=5)
    comment: str = Field("", max_length=2000)


class ExpertsRecordOut(Schema):
    id: int
    expert_id: int
    summary: str


class ExpertsVisitOut(Schema):
    visit_id: int
    officers: int
    experts: list[dict]


def _pool_out(x) -> dict[str, Any]:
    return {
        "id": x.pk,
        "name": x.name,
        "title": x.title,
        "employer": x.employer,
        "specialties": list(x.specialties or []),
        "status": x.status,
        "appointed_from": x.appointed_from,
        "appointed_to": x.appointed_to,
        "training_hours_this_year": float(x.training_hours or 0),
        "average_score": float(x.score) if x.score is not None else None,
        "evaluations": x.evaluations_n,
        "visits": x.visits_n,
    }


def _visit_out(v) -> dict[str, Any]:
    return {
        "visit_id": v.pk,
        "officers": v.team.count(),
        "experts": [
            {"id": e.pk, "name": e.name, "counted_as_officer": False} for e in v.experts.all()
        ],
    }


@router.get("/experts", response={200: list[ExpertPoolOut], **ERRORS}, summary="The expert pool")
def pool(request):
    access.require_staff(request.user)
    return [_pool_out(x) for x in queries.pool(timezone.localdate())]


@router.get(
    "/experts/{expert_id}",
    response={200: ExpertPoolOut, **ERRORS},
    summary="One expert of the pool",
)
def expert(request, expert_id: int):
    access.require_staff(request.user)
    return _pool_out(get_object_or_404(queries.pool(timezone.localdate()), pk=expert_id))


@router.post(
    "/experts/{expert_id}/trainings",
    response={200: ExpertsRecordOut, **ERRORS},
    summary="Record a training (administrator or approver)",
)
def training(request, expert_id: int, payload: ExpertsTrainingIn):
    access.require_staff(request.user)
    e = get_object_or_404(Expert, pk=expert_id)
    t = services.record_training(
        actor=request.user, expert=e, on=payload.on, topic=payload.topic,
        hours=payload.hours, provider=payload.provider,
    )  # fmt: skip
    return {"id": t.pk, "expert_id": e.pk, "summary": f"{t.topic}（{t.hours}学时）"}


@router.post(
    "/experts/{expert_id}/ties",
    response={200: ExpertsRecordOut, **ERRORS},
    summary="Record a tie with an enterprise (the conflict-of-interest rule reads it)",
)
def tie(request, expert_id: int, payload: ExpertsTieIn):
    access.require_staff(request.user)
    e = get_object_or_404(Expert, pk=expert_id)
    ent = get_object_or_404(Enterprise, credit_code=payload.enterprise_credit_code)
    t = services.declare_tie(
        actor=request.user, expert=e, enterprise=ent, kind=payload.kind,
        started_on=payload.started_on, ended_on=payload.ended_on, note=payload.note,
    )  # fmt: skip
    return {"id": t.pk, "expert_id": e.pk, "summary": f"{ent.name} {t.get_kind_display()}"}


@router.post(
    "/visits/{visit_id}/experts",
    response={200: ExpertsVisitOut, **ERRORS},
    summary="Add an expert to a draft plan (appointed, no conflict, at least two officers)",
)
def add(request, visit_id: int, payload: ExpertsVisitAddIn):
    v = visit_access.get_visit(request.user, visit_id)
    e = get_object_or_404(Expert, pk=payload.expert_id)
    return _visit_out(services.add_to_visit(actor=request.user, visit=v, expert=e))


@router.post(
    "/visits/{visit_id}/experts/{expert_id}/remove",
    response={200: ExpertsVisitOut, **ERRORS},
    summary="Take an expert off a draft plan",
)
def remove(request, visit_id: int, expert_id: int):
    v = visit_access.get_visit(request.user, visit_id)
    e = get_object_or_404(Expert, pk=expert_id)
    return _visit_out(services.remove_from_visit(actor=request.user, visit=v, expert=e))


@router.post(
    "/visits/{visit_id}/experts/{expert_id}/advice",
    response={200: ExpertsRecordOut, **ERRORS},
    summary="Record the expert's opinion on the visit (advice, never the decision)",
)
def advice(request, visit_id: int, expert_id: int, payload: ExpertsAdviceIn):
    v = visit_access.get_visit(request.user, visit_id)
    e = get_object_or_404(Expert, pk=expert_id)
    a = services.record_advice(actor=request.user, visit=v, expert=e, text=payload.text)
    return {"id": a.pk, "expert_id": e.pk, "summary": a.text[:100]}


@router.post(
    "/visits/{visit_id}/experts/{expert_id}/evaluation",
    response={200: ExpertsRecordOut, **ERRORS},
    summary="Evaluate the expert after the visit (once per visit)",
)
def evaluation(request, visit_id: int, expert_id: int, payload: ExpertsEvaluationIn):
    v = visit_access.get_visit(request.user, visit_id)
    e = get_object_or_404(Expert, pk=expert_id)
    ev = services.evaluate(
        actor=request.user, visit=v, expert=e, score=payload.score,
        comment=payload.comment, on=timezone.localdate(),
    )  # fmt: skip
    return {"id": ev.pk, "expert_id": e.pk, "summary": f"{ev.score}/5"}
