"""The API for the issue-5 gaps: the enterprise's own cases, accidents, early-removal
applications and their decision; who may call each (access table) and the refusals."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fairinspect.cases.models import CreditRecord, RemovalApplication

PERSONAS = [
    "anonymous",
    "city_officer",
    "tianshan_officer",
    "approver",
    "legal_reviewer",
    "supervisor",
    "admin_user",
    "enterprise_user",
    "other_enterprise_user",
    "expert_user",
]
URUMQI = ZoneInfo("Asia/Urumqi")


def at(day):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=URUMQI), tick=False)


@pytest.fixture
def world(npl, walk, new_case, tianshan_enterprise, listed):
    case = walk(new_case(enterprise=tianshan_enterprise), "serve")
    listing = listed(case, on=dt.date(2025, 7, 1))
    return {"case": case, "listing": listing, "ent": tianshan_enterprise}


def _call(client, api_token, request, persona, method, url, body=None):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    headers = api_token(user) if user else {}
    return getattr(client, method)(url, body, content_type="application/json", **headers)


API = [
    ("get", "/api/v1/my-cases", None, {"enterprise_user", "other_enterprise_user"}),
    (
        "post",
        "/api/v1/accidents",
        {
            "credit_code": "{credit_code}",
            "on": "2026-01-05",
            "level": "general",
            "fatalities": 0,
            "injuries": 1,
            "summary": "高处坠落，重伤1人。",
        },
        {"city_officer", "tianshan_officer", "approver"},
    ),
    (
        "post",
        "/api/v1/dishonesty-listings/{listing}/removal-applications",
        {"statement": "已整改，罚款已缴清。"},
        {"enterprise_user"},
    ),
]


@pytest.mark.parametrize(("method", "url", "body", "allowed"), API)
@pytest.mark.parametrize("persona", PERSONAS)
def test_r13_1_access_table_for_the_gap_endpoints(
    client, api_token, request, world, method, url, body, allowed, persona
):
    fill = {"credit_code": world["ent"].credit_code, "listing": world["listing"].pk}
    if body:
        body = {k: (v.format(**fill) if isinstance(v, str) else v) for k, v in body.items()}
    with at(dt.date(2026, 7, 2)):
        r = _call(client, api_token, request, persona, method, url.format(**fill), body)
    if persona in allowed:
        assert r.status_code in (200, 201), (persona, url, r.status_code, r.content)
    else:
        assert r.status_code in (401, 403, 404), (persona, url, r.status_code)


def test_r8_2_my_cases_lists_own_cases_with_party_deadlines_and_served_documents(
    client, api_token, world, enterprise_user, other_enterprise_user
):
    rows = client.get("/api/v1/my-cases", **api_token(enterprise_user)).json()
    assert [r["id"] for r in rows] == [world["case"].pk]
    row = rows[0]
    assert {d["kind"] for d in row["documents"]} == {"notice", "decision"}
    assert all("/cases/mine/" in d["url"] for d in row["documents"])
    assert {d["name"] for d in row["deadlines"]} == {"statement", "payment"}
    assert client.get("/api/v1/my-cases", **api_token(other_enterprise_user)).json() == []


def test_r10_1_the_accident_endpoint_refuses_a_grade_below_the_casualties(
    client, api_token, world, city_officer
):
    with at(dt.date(2026, 1, 10)):
        r = client.post(
            "/api/v1/accidents",
            {
                "credit_code": world["ent"].credit_code,
                "on": "2026-01-05",
                "level": "larger",
                "fatalities": 10,
                "injuries": 0,
                "summary": "爆炸",
            },
            content_type="application/json",
            **api_token(city_officer),
        )
    assert r.status_code == 422
    assert r.json()["code"] == "bad_level" and r.json()["field"] == "level"
    assert "至少为重大事故" in r.json()["message"]
    assert not CreditRecord.objects.filter(kind="accident").exists()


def test_r10_2_application_and_decision_through_the_api(
    client, api_token, world, enterprise_user, approver, city_officer
):
    listing = world["listing"]
    url = f"/api/v1/dishonesty-listings/{listing.pk}/removal-applications"
    with at(dt.date(2026, 6, 30)):
        r = client.post(
            url,
            {"statement": "已整改"},
            content_type="application/json",
            **api_token(enterprise_user),
        )
    assert r.status_code == 409 and r.json()["code"] == "too_early"
    with at(dt.date(2026, 7, 1)):
        r = client.post(
            url,
            {"statement": "已整改"},
            content_type="application/json",
            **api_token(enterprise_user),
        )
        assert r.status_code == 201 and r.json()["status"] == "pending"
        app_id = r.json()["id"]
        durl = f"/api/v1/removal-applications/{app_id}/decision"
        r = client.post(
            durl,
            {"approve": True, "note": "同意"},
            content_type="application/json",
            **api_token(city_officer),
        )
        assert r.status_code == 403
        r = client.post(
            durl,
            {"approve": True, "note": " "},
            content_type="application/json",
            **api_token(approver),
        )
        assert r.status_code == 422 and r.json()["field"] == "note"
        r = client.post(
            durl,
            {"approve": True, "note": "符合条件"},
            content_type="application/json",
            **api_token(approver),
        )
    assert r.status_code == 200
    assert r.json()["status"] == "approved" and r.json()["listing_status"] == "removed"
    assert RemovalApplication.objects.get().decided_on == dt.date(2026, 7, 1)
