"""R5.3 (issue 4 item 4): after the city bureau inspected an enterprise this year, a district
visit is refused at plan approval and at check-in, except follow-ups (and the rule's other
exempt triggers, e.g. a complaint). The refusal names the city's visit."""

from __future__ import annotations

import datetime as dt

import pytest

from fairinspect.core.errors import Conflict
from fairinspect.core.roles import Role
from fairinspect.visits import services
from fairinspect.visits.models import Visit

from .conftest import TODAY, complaint, nonce

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(make_user, make_officer, tianshan_enterprise):
    u1 = make_user("ts_off1", Role.OFFICER, department="650102", first_name="天山一")
    u2 = make_user("ts_off2", Role.OFFICER, department="650102", first_name="天山二")
    o1 = make_officer("天山一", department="650102", user=u1)
    o2 = make_officer("天山二", department="650102", user=u2)
    return {"users": (u1, u2), "officers": (o1, o2), "enterprise": tianshan_enterprise}


@pytest.fixture
def approver_user(make_user):
    """The approver of 天山区: a district's plans are approved in that district (R1.5)."""
    return make_user("approver_ts", Role.APPROVER, department="650102", first_name="天山科长")


def city_visit(enterprise, items, *, status="done", day=dt.date(2025, 3, 1)):
    """The city's visit this year (history, written directly); joint with the district."""
    from fairinspect.registry.models import Department

    at = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
    v = Visit.objects.create(
        enterprise=enterprise,
        kind="on_site",
        trigger="random_draw",
        status=status,
        planned_date=day,
        department=Department.objects.get(code="650100-WH"),
        inspecting_level="city",
        checked_in_at=at if status in ("in_progress", "done") else None,
        checked_out_at=at + dt.timedelta(hours=2) if status == "done" else None,
    )
    v.items.set(items)
    return v


def district_visit(district, items, *, trigger="annual_plan", justification=None, **kw):
    u1, _ = district["users"]
    return services.create_visit(
        actor=u1,
        enterprise=district["enterprise"],
        kind="on_site",
        trigger=trigger,
        planned_date=TODAY,
        item_codes=[i.code for i in items],
        officer_ids=[o.pk for o in district["officers"]],
        justification=justification,
        today=TODAY,
        **kw,
    )


def submitted(district, items, **kw):
    v = district_visit(district, items, **kw)
    services.submit_plan(actor=district["users"][0], visit=v)
    return v


def test_r5_3_a_district_plan_after_the_citys_visit_is_refused_at_approval_naming_it(
    district, items, approver_user
):
    city = city_visit(district["enterprise"], items["onsite"][:1])
    v = submitted(district, items["onsite"][:2])
    with pytest.raises(Conflict) as e:
        services.approve_plan(actor=approver_user, visit=v, today=TODAY)
    assert e.value.code == "city_already_inspected"
    assert f"编号{city.pk}" in e.value.message and "2025年03月01日" in e.value.message
    assert items["onsite"][0].code in e.value.message  # the repeated item is named
    assert e.value.extra["city_visits"] == [city.pk]
    v.refresh_from_db()
    assert v.status == "plan_submitted"


def test_r5_3_a_city_visit_in_progress_counts_but_a_cancelled_or_planned_one_does_not(
    district, items, approver_user
):
    city_visit(district["enterprise"], items["onsite"][:1], status="cancelled")
    city_visit(district["enterprise"], items["onsite"][:1], status="approved")
    v = submitted(district, items["onsite"][:2])
    assert services.approve_plan(actor=approver_user, visit=v, today=TODAY).status == "approved"
    city_visit(district["enterprise"], items["onsite"][:1], status="in_progress", day=TODAY)
    w = submitted(district, items["onsite"][:2])
    with pytest.raises(Conflict) as e:
        services.approve_plan(actor=approver_user, visit=w, today=TODAY)
    assert e.value.code == "city_already_inspected"


def test_r5_3_last_years_city_visit_does_not_block_this_years_district_plan(
    district, items, approver_user
):
    city_visit(district["enterprise"], items["onsite"][:1], day=dt.date(2024, 11, 1))
    v = submitted(district, items["onsite"][:2])
    assert services.approve_plan(actor=approver_user, visit=v, today=TODAY).status == "approved"


def test_r5_3_a_district_follow_up_after_the_citys_visit_is_allowed(
    district, items, approver_user, records
):
    city_visit(district["enterprise"], items["onsite"][:1])
    _order, follow = records.order(district["enterprise"])
    v = submitted(district, items["onsite"][:2], trigger="follow_up", justification=follow)
    assert services.approve_plan(actor=approver_user, visit=v, today=TODAY).status == "approved"


def test_r5_3_a_district_complaint_visit_after_the_citys_is_allowed(district, items, approver_user):
    city_visit(district["enterprise"], items["onsite"][:1])
    v = submitted(
        district,
        items["onsite"][:2],
        trigger="complaint",
        justification=complaint(district["enterprise"]),
    )
    assert services.approve_plan(actor=approver_user, visit=v, today=TODAY).status == "approved"


def test_r5_3_a_city_visit_between_approval_and_check_in_refuses_the_district_check_in(
    district, items, approver_user
):
    v = submitted(district, items["onsite"][:2])
    services.approve_plan(actor=approver_user, visit=v, today=TODAY)
    city = city_visit(district["enterprise"], items["onsite"][:1], status="in_progress", day=TODAY)
    u1, _u2 = district["users"]
    with pytest.raises(Conflict) as e:
        services.confirm_check_in(actor=u1, visit_id=v.pk, nonce=nonce())
    assert e.value.code == "city_already_inspected" and f"编号{city.pk}" in e.value.message
    assert not v.checkins.exists()


def test_r5_3_the_api_refuses_the_district_approval_with_409_naming_the_city_visit(
    client, api_token, district, items, approver_user
):
    city = city_visit(district["enterprise"], items["onsite"][:1])
    v = submitted(district, items["onsite"][:2])
    r = client.post(f"/api/v1/visits/{v.pk}/plan/approve", **api_token(approver_user))
    assert r.status_code == 409, r.content
    body = r.json()
    assert body["code"] == "city_already_inspected"
    assert f"编号{city.pk}" in body["message"] and body["city_visits"] == [city.pk]
    assert body["reasons"][0]["code"] == "city_already_inspected"


@pytest.mark.parametrize("trigger", ["follow_up", "complaint"])
def test_r5_3_the_api_allows_district_follow_ups_and_complaints_after_the_city(
    trigger, client, api_token, district, items, approver_user, records
):
    city_visit(district["enterprise"], items["onsite"][:1])
    ent = district["enterprise"]
    justification = records.order(ent)[1] if trigger == "follow_up" else complaint(ent)
    v = submitted(district, items["onsite"][:2], trigger=trigger, justification=justification)
    r = client.post(f"/api/v1/visits/{v.pk}/plan/approve", **api_token(approver_user))
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "approved"
