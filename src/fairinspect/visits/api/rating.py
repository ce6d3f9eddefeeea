"""The enterprise's rating (R8)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

from fairinspect.core.schemas import (
    Input,
    Int,
)
from fairinspect.registry.api import Error

from .. import access, services
from ._common import Refusal, enterprise_bearer, ratings_bearer, router


class RatingIn(Input):
    score: Int  # 1–5, checked by the service (score_out_of_range)
    comment: str = ""


class RatingOut(Schema):
    visit_id: int
    score: int
    comment: str
    created_at: dt.datetime


def _rating_out(r) -> dict:
    return {
        "visit_id": r.visit_id,
        "score": r.score,
        "comment": r.comment,
        "created_at": r.created_at,
    }


@router.post(
    "/visits/{visit_id}/rating",
    auth=enterprise_bearer,
    response={201: RatingOut, 403: Error, 404: Error, 409: Refusal, 422: Error},
)
def rate_visit(request, visit_id: int, payload: RatingIn):
    """The inspected enterprise's user rates a finished visit once (1–5). The rating is seen
    by supervisors and administrators only, never by the inspecting unit."""
    v = access.get_visit(request.user, visit_id, staff_only=False)
    r = services.rate_visit(
        actor=request.user, visit=v, score=payload.score, comment=payload.comment
    )
    return 201, _rating_out(r)


@router.get(
    "/visits/{visit_id}/rating",
    auth=ratings_bearer,
    response={200: RatingOut, 403: Error, 404: Error},
)
def get_rating(request, visit_id: int):
    """Supervisors and administrators only; 404 while the visit is not rated."""
    from fairinspect.core.errors import NotFound

    from ..models import VisitRating

    v = access.get_visit(request.user, visit_id)
    r = VisitRating.objects.filter(visit=v).first()
    if r is None:
        raise NotFound("该检查尚无企业评价。")
    return _rating_out(r)


# The records behind exempt visits (R3.3) register their endpoints on this router.
from .. import api_records  # noqa: E402,F401
