"""Case-file review."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, Schema

from fairinspect.cases.models import Case
from fairinspect.core.errors import NotFound
from fairinspect.core.roles import Role
from fairinspect.core.schemas import Date, Input, Int
from fairinspect.registry.api import RoleBearer

from ..models import ReviewFinding, ReviewPlan
from ..services import reviews as review_services
from ._common import Text, router, supervision_bearer


class StratumOut(Schema):
    unit: str
    sha256: str
    pool: list[str]
    selected: list[str]


class ReviewPlanOut(Schema):
    id: int
    year: int
    title: str
    status: str
    seed: str
    per_unit: int
    checklist_version: str
    strata: list[StratumOut]
    verified: bool | None


def _plan(p: ReviewPlan) -> dict:
    return {
        "id": p.pk,
        "year": p.year,
        "title": p.title,
        "status": p.status,
        "seed": p.seed,
        "per_unit": p.per_unit,
        "checklist_version": p.checklist_version,
        "strata": [{"unit": u, **v} for u, v in sorted(p.strata.items())],
        "verified": review_services.verify_plan(p) if p.status != "draft" else None,
    }


class ReviewPlanIn(Input):
    year: Int = Field(..., ge=2000, le=2100)
    title: str = Field("", max_length=200)
    per_unit: Int = Field(..., ge=1, le=100)


class ReviewSeedIn(Input):
    seed: str = Field(..., min_length=1, max_length=64)


class ReviewFindingIn(Input):
    item_code: str = Field("", max_length=20)
    text: str = Text
    due_on: Date


class CaseReviewIn(Input):
    case_number: str = Field(..., min_length=1, max_length=40)
    kind: Literal["self", "peer", "spot"]
    scores: dict[str, Decimal]
    comment: str = Field("", max_length=2000)
    findings: list[ReviewFindingIn] = []


class ReviewOut(Schema):
    id: int
    case_number: str
    kind: str
    total: Decimal
    grade: str
    findings: list[int]


class RectifyIn(Input):
    rectification: str = Text


@router.get("/review-plans", auth=supervision_bearer, response=list[ReviewPlanOut])
def list_plans(request):
    return [_plan(p) for p in ReviewPlan.objects.all()[:100]]


@router.post("/review-plans", auth=supervision_bearer, response={201: ReviewPlanOut})
def create_plan(request, payload: ReviewPlanIn):
    return 201, _plan(
        review_services.create_plan(
            actor=request.user,
            year=payload.year,
            title=payload.title,
            per_unit=payload.per_unit,
            today=timezone.localdate(),
        )
    )


def _get_plan(plan_id: int) -> ReviewPlan:
    p = ReviewPlan.objects.filter(pk=plan_id).first()
    if p is None:
        raise NotFound("没有该评查计划。")
    return p


@router.get("/review-plans/{plan_id}", auth=supervision_bearer, response=ReviewPlanOut)
def get_plan(request, plan_id: int):
    return _plan(_get_plan(plan_id))


@router.post(
    "/review-plans/{plan_id}/publish",
    auth=supervision_bearer,
    response=ReviewPlanOut,
    summary="Publish the seed and draw the stratified sample",
)
def publish_plan(request, plan_id: int, payload: ReviewSeedIn):
    return _plan(
        review_services.publish_plan(
            actor=request.user,
            plan=_get_plan(plan_id),
            seed=payload.seed,
            today=timezone.localdate(),
        )
    )


@router.post(
    "/review-plans/{plan_id}/reviews",
    auth=RoleBearer(Role.SUPERVISOR, Role.ADMIN, Role.APPROVER, Role.LEGAL_REVIEWER),
    response={201: ReviewOut},
)
def review_case(request, plan_id: int, payload: CaseReviewIn):
    case = Case.objects.filter(number=payload.case_number).first()
    if case is None:
        raise NotFound("没有该案卷。")
    r = review_services.record_review(
        actor=request.user,
        plan=_get_plan(plan_id),
        case=case,
        kind=payload.kind,
        scores=payload.scores,
        comment=payload.comment,
        findings=[f.dict() for f in payload.findings],
        today=timezone.localdate(),
    )
    return 201, {
        "id": r.pk,
        "case_number": case.number,
        "kind": r.kind,
        "total": r.total,
        "grade": r.grade,
        "findings": list(r.findings.values_list("pk", flat=True)),
    }


@router.post(
    "/review-findings/{finding_id}/rectify",
    auth=RoleBearer(Role.SUPERVISOR, Role.ADMIN, Role.APPROVER),
    response={204: None},
)
def rectify(request, finding_id: int, payload: RectifyIn):
    f = ReviewFinding.objects.filter(pk=finding_id).first()
    if f is None:
        raise NotFound()
    review_services.rectify_finding(
        actor=request.user, finding=f, text=payload.rectification, on=timezone.localdate()
    )
    return 204, None
