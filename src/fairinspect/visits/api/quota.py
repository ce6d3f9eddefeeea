"""The enterprise's annual quota (R3)."""

from __future__ import annotations

from django.utils import timezone
from ninja import Schema

from fairinspect.core.errors import NotFound, ValidationFailed
from fairinspect.core.prepared import Prepared
from fairinspect.registry import access as registry_access
from fairinspect.registry.api import Error
from fairinspect.registry.models import Enterprise

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


_CODE, _DISTRICT = "\x00code\x00", "\x00district\x00"
# registry.access.get_enterprise's statement, prepared (core/prepared.py) for the two staff
# scopes of registry.access.enterprise_scope ("all", "district"); any other user goes through
# get_enterprise itself.
_BY_CODE = {
    "all": Prepared(
        lambda code: (
            Enterprise.objects.select_related("industry")
            .filter(credit_code=code)
            .order_by("pk")[:1]
        ),
        code=_CODE,
    ),
    "district": Prepared(
        lambda code, district: (
            Enterprise.objects.filter(district_code=district)
            .select_related("industry")
            .filter(credit_code=code)
            .order_by("pk")[:1]
        ),
        code=_CODE,
        district=_DISTRICT,
    ),
}


def _visible_enterprise(user, credit_code: str) -> Enterprise:
    scope = registry_access.enterprise_scope(user)
    if scope.kind not in _BY_CODE:
        return registry_access.get_enterprise(user, credit_code)
    code = (credit_code or "").strip().upper()
    args = {"code": code} if scope.kind == "all" else {"code": code, "district": scope.district}
    found = _BY_CODE[scope.kind].objects(**args)
    if not found:
        raise NotFound()
    return found[0]


@router.get(
    "/enterprises/{credit_code}/quota",
    response={200: QuotaOut, 404: Error, 422: Error},
    summary="The enterprise's annual on-site quota",
)
def get_quota(request, credit_code: str, year: int | None = None):
    """The year's cap (by high-risk industry and effective grade), visits counted against it,
    what remains, exempt visits counted apart, and approved plans still pending."""
    ent = _visible_enterprise(request.user, credit_code)
    today = timezone.localdate()
    year = year or today.year
    if not 2000 <= year <= 2100:
        raise ValidationFailed("year_out_of_range", "年度须为2000至2100之间。", field="year")
    setting = queries.cap_setting(year)
    q = queries.quota_for(ent, year=year, today=today, setting=setting)
    table, _ = setting
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
