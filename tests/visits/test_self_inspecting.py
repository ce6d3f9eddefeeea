"""R10.4: an enterprise whose self-inspection report for a year the bureau accepted gets no
routine planned visit (年度监督检查计划) that year; other triggers still work, and other years
are unaffected. The draws leave it out the same way (tests/enterprise/test_pages.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fairinspect.core.errors import ValidationFailed
from fairinspect.core.roles import Role
from fairinspect.enterprise.models import SelfInspection
from tests.visits.conftest import TODAY, complaint

pytestmark = pytest.mark.django_db


def _self_inspection(ent, make_user, *, year: int, status: str) -> SelfInspection:
    user = make_user(f"ent_si_{year}_{status}", Role.ENTERPRISE, enterprise=ent)
    return SelfInspection.objects.create(
        enterprise=ent,
        year=year,
        report="本年度自我检查报告",
        submitted_by=user,
        submitted_at=timezone.now(),
        status=status,
    )


def test_r10_4_an_accepted_self_inspection_refuses_that_years_annual_plan_visit(
    new_visit, city_enterprise, make_user
):
    _self_inspection(city_enterprise, make_user, year=TODAY.year, status="accepted")
    with pytest.raises(ValidationFailed) as e:
        new_visit(trigger="annual_plan")
    assert e.value.code == "self_inspecting_this_year" and e.value.field == "trigger"
    # A complaint still justifies a visit; next year's plan is not affected.
    assert new_visit(trigger="complaint", justification=complaint(city_enterprise)).pk
    assert new_visit(trigger="annual_plan", planned_date=dt.date(TODAY.year + 1, 3, 2)).pk


def test_r10_4_a_report_not_yet_accepted_does_not_stand_in(new_visit, city_enterprise, make_user):
    _self_inspection(city_enterprise, make_user, year=TODAY.year, status="submitted")
    assert new_visit(trigger="annual_plan").pk


def test_r10_4_the_api_refuses_the_annual_plan_visit_with_422_naming_the_field(
    client, api_token, team, items, city_enterprise, make_user
):
    (u1, o1), (_u2, o2) = team
    _self_inspection(city_enterprise, make_user, year=TODAY.year, status="accepted")
    body = {
        "enterprise": city_enterprise.credit_code,
        "kind": "on_site",
        "trigger": "annual_plan",
        "planned_date": TODAY.isoformat(),
        "item_codes": [items["onsite"][0].code],
        "officer_ids": [o1.pk, o2.pk],
    }
    r = client.post("/api/v1/visits", body, content_type="application/json", **api_token(u1))
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "self_inspecting_this_year" and r.json()["field"] == "trigger"
