"""The on-site plan: create, read, edit, submit, approve, reject."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema

from fairinspect.core.schemas import (
    Date,
    Id,
    Input,
)
from fairinspect.registry import access as registry_access
from fairinspect.registry.api import Error

from .. import access, services
from ..models import Visit
from ._common import Refusal, approver_bearer, officer_bearer, router


class JustificationIn(Input):
    kind: str = ""
    reference: str = ""
    date: Date | None = None
    summary: str = ""


class VisitIn(Input):
    enterprise: str  # credit code
    kind: Literal["on_site", "off_site"] = "on_site"
    trigger: str
    planned_date: Date
    item_codes: list[str]
    officer_ids: list[Id]
    expert_ids: list[Id] = []
    justification: JustificationIn | None = None
    merge_group: str | None = None
    joint_department_codes: list[str] = []
    # R8.6: 观摩, 督导 … by code or label (visits/data/entry_kinds.json); all are inspections.
    entry_kind: str = "inspection"


class TeamMember(Schema):
    officer_id: int
    name: str
    certificate_number: str
    confirmed_at: dt.datetime | None


class VisitOut(Schema):
    id: int
    enterprise: str
    kind: str
    trigger: str
    status: str
    planned_date: dt.date
    department: str
    items: list[str]
    team: list[TeamMember]
    justification_reference: str
    merge_group: str | None
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    missing_recording: bool
    parent_visit_id: int | None = None
    follow_up_order: str | None = None
    follow_up_result: str = ""
    follow_up_notes: str = ""
    has_justification_attachment: bool = False


def _visit_out(v: Visit) -> dict:
    return {
        "id": v.pk,
        "enterprise": v.enterprise.credit_code,
        "kind": v.kind,
        "trigger": v.trigger,
        "status": v.status,
        "planned_date": v.planned_date,
        "department": v.department.code,
        "items": [i.code for i in v.items.all()],
        "team": [
            {
                "officer_id": m.officer_id,
                "name": m.officer.name,
                "certificate_number": m.certificate_number,
                "confirmed_at": m.confirmed_at,
            }
            for m in v.team.select_related("officer")
        ],
        "justification_reference": v.justification_reference,
        "merge_group": v.merge_group,
        "checked_in_at": v.checked_in_at,
        "checked_out_at": v.checked_out_at,
        "missing_recording": v.missing_recording,
        "parent_visit_id": v.parent_visit_id,
        "follow_up_order": v.follow_up_order.number if v.follow_up_order else None,
        "follow_up_result": v.follow_up_result,
        "follow_up_notes": v.follow_up_notes,
        "has_justification_attachment": bool(v.justification_attachment),
    }


@router.post(
    "/visits",
    auth=officer_bearer,
    response={201: VisitOut, 403: Error, 404: Error, 409: Refusal, 422: Refusal},
)
def create_visit(request, payload: VisitIn):
    """Arrange a visit; its 现场检查方案 is drafted at once (status draft)."""
    from fairinspect.registry.models import Department

    access.require_officer(request.user)
    ent = registry_access.get_enterprise(request.user, payload.enterprise)
    joint = list(
        Department.objects.filter(code__in=payload.joint_department_codes).values_list(
            "pk", flat=True
        )
    )
    v = services.create_visit(
        actor=request.user,
        enterprise=ent,
        kind=payload.kind,
        trigger=payload.trigger,
        planned_date=payload.planned_date,
        item_codes=payload.item_codes,
        officer_ids=payload.officer_ids,
        expert_ids=payload.expert_ids,
        justification=payload.justification.dict() if payload.justification else None,
        merge_group=payload.merge_group,
        joint_department_ids=joint,
        entry_kind=payload.entry_kind,
    )
    return 201, _visit_out(v)


@router.get("/visits/{visit_id}", response={200: VisitOut, 403: Error, 404: Error})
def get_visit(request, visit_id: int):
    return _visit_out(access.get_visit(request.user, visit_id))


class VisitPlanIn(Input):
    key_points: str | None = None
    methods: str | None = None
    steps: str | None = None
    offsite_reasons: dict[str, str] = {}


@router.patch(
    "/visits/{visit_id}/plan",
    auth=officer_bearer,
    response={200: VisitOut, 403: Error, 404: Error, 409: Refusal},
)
def edit_plan(request, visit_id: int, payload: VisitPlanIn):
    v = access.get_visit(request.user, visit_id)
    services.update_plan(actor=request.user, visit=v, data=payload.dict())
    return _visit_out(v)


@router.post(
    "/visits/{visit_id}/plan/submit",
    auth=officer_bearer,
    response={200: VisitOut, 403: Error, 404: Error, 409: Refusal},
)
def submit_plan(request, visit_id: int):
    v = access.get_visit(request.user, visit_id)
    return _visit_out(services.submit_plan(actor=request.user, visit=v))


@router.post(
    "/visits/{visit_id}/plan/approve",
    auth=approver_bearer,
    response={200: VisitOut, 403: Error, 404: Error, 409: Refusal},
)
def approve_plan(request, visit_id: int):
    """Approver only. Refused (409) when the plan is incomplete, the enforcement level is
    wrong (R5.3) or the annual cap, counting approved plans, is reached."""
    v = access.get_visit(request.user, visit_id)
    return _visit_out(services.approve_plan(actor=request.user, visit=v))


class RejectIn(Input):
    reason: str


@router.post(
    "/visits/{visit_id}/plan/reject",
    auth=approver_bearer,
    response={200: VisitOut, 403: Error, 404: Error, 409: Refusal, 422: Error},
)
def reject_plan(request, visit_id: int, payload: RejectIn):
    v = access.get_visit(request.user, visit_id)
    return _visit_out(services.reject_plan(actor=request.user, visit=v, reason=payload.reason))
