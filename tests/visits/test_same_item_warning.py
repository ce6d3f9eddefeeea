"""R5.4 at check-in time: another unit's visit this year for the same items is warned on the
pre-check page and returned by the check-in API as `warnings` — never blocking."""

from __future__ import annotations

import datetime as dt

import pytest

from fairinspect.visits import qr, services
from fairinspect.visits.models import Visit

from .conftest import nonce

pytestmark = pytest.mark.django_db


def other_units_visit(enterprise, items, *, status="done", merge_group=None):
    from fairinspect.registry.models import Department

    at = dt.datetime(2025, 4, 2, 9, tzinfo=dt.UTC)
    v = Visit.objects.create(
        enterprise=enterprise,
        kind="on_site",
        trigger="annual_plan",
        status=status,
        planned_date=dt.date(2025, 4, 2),
        department=Department.objects.get(code="650100-ZD"),
        inspecting_level="city",
        checked_in_at=at if status in ("in_progress", "done") else None,
        checked_out_at=at if status == "done" else None,
        merge_group=merge_group,
    )
    v.items.set(items)
    return v


def test_r5_4_the_check_in_api_returns_the_same_item_warning_without_blocking(
    client, api_token, team, items, approved_visit, city_enterprise
):
    (u1, _), (u2, _) = team
    other = other_units_visit(city_enterprise, items["onsite"][:1])
    v = approved_visit()
    r = client.post(
        f"/api/v1/visits/{v.pk}/check-in",
        {"nonce": nonce()},
        content_type="application/json",
        **api_token(u1),
    )
    assert r.status_code == 202, r.content
    w = r.json()["warnings"]
    assert [x["code"] for x in w] == ["same_item_this_year"]
    assert items["onsite"][0].code in w[0]["message"] and f"编号{other.pk}" in w[0]["message"]
    r = client.post(
        f"/api/v1/visits/{v.pk}/check-in",
        {"nonce": nonce()},
        content_type="application/json",
        **api_token(u2),
    )
    assert r.status_code == 200 and r.json()["started"] is True  # not blocking
    assert r.json()["warnings"][0]["code"] == "same_item_this_year"


def test_r5_4_no_warning_for_other_items_the_same_unit_a_cancelled_or_merged_visit(
    team, items, approved_visit, make_enterprise
):
    from fairinspect.registry.models import Department

    (u1, _), _ = team
    city_enterprise = make_enterprise(supervising_level="city", high_risk=True)  # cap 12
    other_units_visit(city_enterprise, items["onsite"][2:3])  # another item
    other_units_visit(city_enterprise, items["onsite"][:1], status="cancelled")
    other_units_visit(city_enterprise, items["onsite"][:1], status="approved", merge_group="M1")
    same = other_units_visit(city_enterprise, items["onsite"][:1])
    Visit.objects.filter(pk=same.pk).update(department=Department.objects.get(code="650100-WH"))
    v = approved_visit(city_enterprise, merge_group="M1")
    out = services.confirm_check_in(actor=u1, visit_id=v.pk, nonce=nonce())
    assert out.warnings == []


def test_r5_4_the_pre_check_page_warns_of_another_units_visit_done_this_year(
    client, team, items, approved_visit, city_enterprise
):
    (u1, _), _ = team
    other_units_visit(city_enterprise, items["onsite"][:1])
    approved_visit()
    client.force_login(u1)
    body = client.get(f"/visits/q/{qr.token_for(city_enterprise)}/").content.decode()
    assert "其他单位今年已检查相同事项" in body and items["onsite"][0].code in body


def test_r5_4_the_check_in_page_shows_the_warning_as_a_message(
    client, team, items, approved_visit, city_enterprise, make_user
):
    (u1, _), _ = team
    other_units_visit(city_enterprise, items["onsite"][:1])
    v = approved_visit()
    client.force_login(u1)
    r = client.post(f"/visits/{v.pk}/check-in/", {"nonce": nonce()}, follow=True)
    assert "就相同事项" in r.content.decode()
