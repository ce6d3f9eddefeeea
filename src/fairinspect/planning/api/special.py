"""Special inspections."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema

from fairinspect.core.schemas import Date, Input, Int

from .. import access, queries, services
from ..models import SpecialInspection
from ._common import ERRORS, router
from .draws import PlanningDecisionIn


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
