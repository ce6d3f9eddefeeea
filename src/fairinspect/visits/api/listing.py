"""The visit list over the API: the same visits and order as the list page, by keyset."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Query, Schema

from fairinspect.core import paging
from fairinspect.registry import access as registry_access
from fairinspect.registry.api import Error

from ..views.arrange import ORDER, SCOPE, visit_list
from ._common import router


class VisitRowOut(Schema):
    id: int
    enterprise: str
    enterprise_name: str
    planned_date: dt.date
    kind: str
    trigger: str
    status: str
    department: str


class VisitListPage(paging.PageOut):
    items: list[VisitRowOut]


def _row(v) -> dict:
    return {
        "id": v.pk,
        "enterprise": v.enterprise.credit_code,
        "enterprise_name": v.enterprise.name,
        "planned_date": v.planned_date,
        "kind": v.kind,
        "trigger": v.trigger,
        "status": v.status,
        "department": v.department.code,
    }


@router.get(
    "/visits",
    response={200: VisitListPage, 403: Error, 422: Error},
    summary="Visits the user may see, newest planned first (by cursor)",
)
def list_visits(
    request,
    scope: Literal["mine", "approve", "all"] = "all",
    status: str = Query("", max_length=20),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=paging.MAX_OFFSET),
    cursor: str = Query("", max_length=2000),
):
    registry_access.require_staff(request.user)
    qs = visit_list(request.user, scope=scope, status=status)
    return paging.api_page(
        qs, ORDER, scope=SCOPE, limit=limit, cursor=cursor, offset=offset, out=_row
    )
