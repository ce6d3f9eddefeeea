"""Training."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Query, Schema

from fairinspect.core.errors import NotFound
from fairinspect.core.schemas import Date, Input, Int
from fairinspect.registry.models import Officer

from ..services import training as training_services
from ._common import router, supervision_bearer


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
