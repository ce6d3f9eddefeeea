"""Guidance, findings, hazards, orders and the justification file."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import File, Schema
from ninja.files import UploadedFile

from fairinspect.core.schemas import (
    Date,
    Id,
    Input,
)
from fairinspect.registry.api import Error

from .. import access, guidance, services
from ._common import Refusal, officer_bearer, router
from .plan import VisitOut, _visit_out


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
    from ..views import attachment_response

    return attachment_response(access.get_visit(request.user, visit_id))
