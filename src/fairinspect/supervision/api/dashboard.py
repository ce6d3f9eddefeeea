"""Dashboard."""

from __future__ import annotations

from django.utils import timezone
from ninja import Query, Schema

from .. import dashboard
from ._common import router, supervision_bearer


class CountLink(Schema):
    label: str
    c: int
    link: str


class DashboardOut(Schema):
    year: int
    caps: list[dict[str, object]]
    triggers: list[dict[str, object]]
    penalties: list[dict[str, object]]
    overdue: list[CountLink]
    complaints: list[dict[str, object]]
    breaches: dict[str, object]
    ratings: dict[str, object]


@router.get(
    "/supervision/dashboard",
    auth=supervision_bearer,
    response=DashboardOut,
    summary="The dashboard's numbers, each with the link to its records",
)
def get_dashboard(request, year: int = Query(..., ge=2000, le=2100)):
    d = dashboard.build(year, timezone.localdate())
    return {
        "year": year,
        **{
            k: d[k]
            for k in (
                "caps",
                "triggers",
                "penalties",
                "overdue",
                "complaints",
                "breaches",
                "ratings",
            )
        },
    }
