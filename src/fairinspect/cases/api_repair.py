"""API of credit repair (R10.3). The application itself carries documents and is made on the
enterprise's page (/credit/repair/); the API reads applications, checks the conditions of a
penalty for today and takes the reasoned decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Field, Router, Schema

from fairinspect.core.errors import NotFound
from fairinspect.core.roles import Role, has_role
from fairinspect.core.schemas import Bool, Input, ReasonOut

from . import access, services
from .models import CreditRepairApplication
from .services.repair import decision_json

router = Router(tags=["信用修复 credit repair"])


class RepairError(Schema):
    code: str
    message: str
    field: str | None = None
    reasons: list[ReasonOut] = []


ERRORS = {401: RepairError, 403: RepairError, 404: RepairError, 409: RepairError, 422: RepairError}


class RepairConditionOut(Schema):
    code: str
    text: str
    met: bool
    detail: str
    source: str
    article: str
    verified: bool


class RepairCheckOut(Schema):
    regime: str
    citation: str
    period_class: str
    min_end: dt.date | None
    max_end: dt.date | None
    allowed: bool
    conditions: list[RepairConditionOut]


class RepairApplicationOut(Schema):
    id: int
    case_id: int
    enterprise_credit_code: str
    applied_on: dt.date
    statement: str
    commitment: str
    regime: str
    status: str
    documents: list[dict]
    conditions: dict
    decided_on: dt.date | None
    decision_reason: str
    credit_level_before: str
    credit_level_after: str
    public_ended_on: dt.date | None


class RepairDecisionIn(Input):
    grant: Bool
    reason: str = Field(min_length=1, max_length=4000)
    credit_level: str = Field("", pattern="^[ABC]?$")


def _out(a: CreditRepairApplication) -> dict[str, Any]:
    return {
        "id": a.pk,
        "case_id": a.case_id,
        "enterprise_credit_code": a.enterprise.credit_code,
        "applied_on": a.applied_on,
        "statement": a.statement,
        "commitment": a.commitment,
        "regime": a.regime,
        "status": a.status,
        "documents": [
            {
                "id": d.pk,
                "kind": d.kind,
                "name": d.original_name,
                "size": d.size,
                "sha256": d.sha256,
            }
            for d in a.documents.all()
        ],
        "conditions": a.conditions,
        "decided_on": a.decided_on,
        "decision_reason": a.decision_reason,
        "credit_level_before": a.credit_level_before,
        "credit_level_after": a.credit_level_after,
        "public_ended_on": a.public_ended_on,
    }


def _get(user, application_id: int) -> CreditRepairApplication:
    a = access.repairs_visible_to(user).filter(pk=application_id).first()
    if a is None:
        raise NotFound()
    return a


@router.get(
    "/credit-repairs",
    response={200: list[RepairApplicationOut], **ERRORS},
    summary="Credit-repair applications: staff in their scope, an enterprise its own",
)
def list_repairs(request):
    return [_out(a) for a in access.repairs_visible_to(request.user)[:200]]


@router.get(
    "/credit-repairs/{application_id}",
    response={200: RepairApplicationOut, **ERRORS},
    summary="One credit-repair application with the conditions as checked on the day",
)
def get_repair(request, application_id: int):
    return _out(_get(request.user, application_id))


@router.get(
    "/cases/{case_id}/repair-check",
    response={200: RepairCheckOut, **ERRORS},
    summary="The repair conditions of a penalty as of today, each with its source",
)
def repair_check(request, case_id: int):
    if has_role(request.user, Role.ENTERPRISE) and not has_role(request.user, *access.CASE_ROLES):
        case = access.get_party_case(request.user, case_id)
    else:
        case = access.get_case(request.user, case_id)
    d = services.check_repair(case, on=timezone.localdate())
    j = decision_json(d)
    return {
        "regime": j["regime"],
        "citation": j["citation"],
        "period_class": j["class"],
        "min_end": d.min_end,
        "max_end": d.max_end,
        "allowed": d.allowed,
        "conditions": j["conditions"],
    }


@router.post(
    "/credit-repairs/{application_id}/decision",
    response={200: RepairApplicationOut, **ERRORS},
    summary="Grant or refuse with reasons (an approver who neither worked the case nor inspected the enterprise)",
)
def decide_repair(request, application_id: int, payload: RepairDecisionIn):
    a = services.decide_credit_repair(
        actor=request.user,
        application=_get(request.user, application_id),
        grant=payload.grant,
        reason=payload.reason,
        credit_level=payload.credit_level,
        on=timezone.localdate(),
    )
    return _out(a)
