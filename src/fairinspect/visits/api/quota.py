"""The enterprise's annual quota (R3)."""

from __future__ import annotations

from django.utils import timezone
from ninja import Schema

from fairinspect.core.errors import ValidationFailed
from fairinspect.registry import access as registry_access
from fairinspect.registry.api import Error

from .. import queries
from ._common import router


class QuotaOut(Schema):
    year: int
    cap: int
    used: int
    remaining: int
    exempt_used: int
    pending: int
    counted_visits: list[int]
    exempt_visits: list[int]
    cap_source: str


@router.get(
    "/enterprises/{credit_code}/quota",
    response={200: QuotaOut, 404: Error, 422: Error},
    summary="The enterprise's annual on-site quota",
)
def get_quota(request, credit_code: str, year: int | None = None):
    """The year's cap (by high-risk industry and effective grade), visits counted against it,
    what remains, exempt visits counted apart, and approved plans still pending."""
    ent = registry_access.get_enterprise(request.user, credit_code)
    today = timezone.localdate()
    year = year or today.year
    if not 2000 <= year <= 2100:
        raise ValidationFailed("year_out_of_range", "年度须为2000至2100之间。", field="year")
    q = queries.quota_for(ent, year=year, today=today)
    table, _ = queries.cap_setting(year)
    return {
        "year": q.year,
        "cap": q.cap,
        "used": q.used,
        "remaining": q.remaining,
        "exempt_used": q.exempt_used,
        "pending": q.pending,
        "counted_visits": [int(i) for i in q.counted_visits],
        "exempt_visits": [int(i) for i in q.exempt_visits],
        "cap_source": table.source,
    }
