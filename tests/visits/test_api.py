"""The visits API (R3.2, R3.4, R6): quota, create, approve, check-in, check-out, findings,
hazards, orders, and who may call what."""

from __future__ import annotations

import datetime as dt

import pytest

from fairinspect.visits.models import CheckIn

from .conftest import TODAY, complaint
from .test_services import fill

pytestmark = pytest.mark.django_db


def test_r3_2_quota_endpoint_gives_the_year_cap_used_remaining(
    client, api_token, team, city_enterprise, started_visit
):
    v = started_visit()
    fill(
        city_enterprise,
        1,
        trigger="complaint",
        justification_kind="complaint_record",
        justification_reference="C-1",
        justification_date=dt.date(2025, 2, 1),
        justification_summary="举报",
    )
    r = client.get(
        f"/api/v1/enterprises/{city_enterprise.credit_code}/quota?year=2025",
        **api_token(team[0][0]),
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert {k: body[k] for k in ("year", "cap", "used", "remaining", "exempt_used")} == {
        "year": 2025,
        "cap": 2,
        "used": 1,
        "remaining": 1,
        "exempt_used": 1,
    }
    assert body["counted_visits"] == [v.pk]


def test_r3_2_quota_of_an_enterprise_not_visible_is_404(
    client, api_token, other_enterprise_user, city_enterprise
):
    r = client.get(
        f"/api/v1/enterprises/{city_enterprise.credit_code}/quota",
        **api_token(other_enterprise_user),
    )
    assert r.status_code == 404


def test_r6_the_whole_visit_over_the_api(
    client, api_token, team, items, city_enterprise, approver_user
):
    (u1, o1), (u2, o2) = team
    h1, h2, ha = api_token(u1), api_token(u2), api_token(approver_user)
    body = {
        "enterprise": city_enterprise.credit_code,
        "kind": "on_site",
        "trigger": "complaint",
        "planned_date": TODAY.isoformat(),
        "item_codes": [items["onsite"][0].code],
        "officer_ids": [o1.pk, o2.pk],
        "justification": complaint(city_enterprise),
    }
    r = client.post("/api/v1/visits", body, content_type="application/json", **h1)
    assert r.status_code == 201, r.content
    vid = r.json()["id"]
    r = client.post(
        f"/api/v1/visits/{vid}/check-in",
        {"nonce": "early-nonce-1"},
        content_type="application/json",
        **h1,
    )
    assert r.status_code == 409 and r.json()["code"] == "plan_not_approved"
    assert r.json()["reasons"][0]["code"] == "plan_not_approved"
    assert client.post(f"/api/v1/visits/{vid}/plan/submit", **h1).status_code == 200
    assert client.post(f"/api/v1/visits/{vid}/plan/approve", **h1).status_code == 403
    r = client.post(f"/api/v1/visits/{vid}/plan/approve", **ha)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    ci = {"nonce": "api-nonce-0001", "officer_ids": [o1.pk, o2.pk], "lat": 43.82, "lng": 87.61}
    r = client.post(f"/api/v1/visits/{vid}/check-in", ci, content_type="application/json", **h1)
    assert r.status_code == 202 and not r.json()["started"]
    ci2 = {**ci, "nonce": "api-nonce-0002"}
    r = client.post(f"/api/v1/visits/{vid}/check-in", ci2, content_type="application/json", **h2)
    assert r.status_code == 200 and r.json()["started"] and r.json()["status"] == "in_progress"
    r = client.post(f"/api/v1/visits/{vid}/check-in", ci2, content_type="application/json", **h2)
    assert r.status_code == 200 and r.json()["replay"]
    assert CheckIn.objects.filter(visit_id=vid).count() == 2
    r = client.post(
        f"/api/v1/visits/{vid}/findings",
        {"item_code": items["onsite"][0].code, "result": "non_compliant", "notes": "未建档"},
        content_type="application/json",
        **h1,
    )
    assert r.status_code == 201
    r = client.post(
        f"/api/v1/visits/{vid}/hazards",
        {"level": "major", "description": "储罐区无可燃气体报警", "place": "储罐区"},
        content_type="application/json",
        **h2,
    )
    assert r.status_code == 201
    hid = r.json()["id"]
    r = client.post(
        f"/api/v1/visits/{vid}/orders",
        {"hazard_ids": [hid], "deadline": "2025-07-18"},
        content_type="application/json",
        **h1,
    )
    assert r.status_code == 201 and r.json()["number"].startswith("乌应急责改〔2025〕")
    r = client.post(
        f"/api/v1/visits/{vid}/check-out",
        {"summary": "检查结束"},
        content_type="application/json",
        **h1,
    )
    assert r.status_code == 200 and r.json()["status"] == "done"
    assert r.json()["missing_recording"] is True


def test_r3_3_api_refuses_an_exempt_visit_without_justification_naming_the_field(
    client, api_token, team, items, city_enterprise
):
    (u1, o1), (_u2, o2) = team
    body = {
        "enterprise": city_enterprise.credit_code,
        "trigger": "referral",
        "planned_date": TODAY.isoformat(),
        "item_codes": [items["onsite"][0].code],
        "officer_ids": [o1.pk, o2.pk],
    }
    r = client.post("/api/v1/visits", body, content_type="application/json", **api_token(u1))
    assert r.status_code == 422
    assert r.json()["code"] == "justification_missing" and r.json()["field"] == "justification"


def test_r3_4_api_check_in_at_the_cap_is_409_with_reasons(
    client, api_token, team, approved_visit, city_enterprise
):
    (u1, _), _ = team
    v = approved_visit()
    fill(city_enterprise, 2)
    r = client.post(
        f"/api/v1/visits/{v.pk}/check-in",
        {"nonce": "cap-nonce-01"},
        content_type="application/json",
        **api_token(u1),
    )
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "cap_reached" and any(
        x["code"] == "cap_reached" for x in body["reasons"]
    )
