"""The enterprise's side over the API."""

from __future__ import annotations

import datetime as dt
import json

import time_machine

from fairinspect.enterprise.models import SelfCheck

from .conftest import PNG, upload


def _post(client, url, body, headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_r11_1_r11_2_the_enterprise_registers_its_group_and_files_a_check_over_the_api(
    client, ent_user, api_token, items, city_officer
):
    h = api_token(ent_user)
    ids = []
    for role in ("leader", "safety_manager", "union", "worker_rep", "safety_engineer"):
        r = _post(
            client,
            "/api/v1/enterprise/group/members",
            {"name": f"成员{role}", "role": role, "certificate": "ZA-1", "joined_on": "2025-01-02"},
            h,
        )
        assert r.status_code == 201, r.content
        ids.append(r.json()["id"])
    bad = _post(
        client,
        "/api/v1/enterprise/group/members",
        {"name": "x", "role": "leader", "joined_on": 20250102},
        h,
    )
    assert bad.status_code == 422 and bad.json()["field"] == "joined_on"
    std = client.get("/api/v1/enterprise/standard", **h).json()
    assert std["code"] == "huagong-2017" and std["items"][-1]["code"] == "OTHER"
    answers = [{"item": i["code"], "result": "ok"} for i in std["items"][:-1]]
    answers[4] = {
        "item": answers[4]["item"],
        "result": "hazard",
        "place": "1号罐区",
        "note": "紧急切断未投用",
        "inspection_item": items["onsite"][0].code,
        "measures": "恢复切断阀",
        "deadline": "2025-07-30",
    }
    r = _post(
        client,
        "/api/v1/enterprise/self-checks",
        {
            "checked_on": "2025-06-15",
            "participant_ids": ids[:2],
            "main_person_took_part": True,
            "reported_to_main_person_on": "2025-06-16",
            "answers": answers,
        },
        h,
    )
    assert r.status_code == 201, r.content
    assert r.json()["quarter"] == 2 and r.json()["hazards"][0]["place"] == "1号罐区"
    home = client.get("/api/v1/enterprise/home", **h).json()
    assert home["self_reported_hazards"][0]["place"] == "1号罐区"
    assert home["quota"]["cap"] >= 1 and home["group_gaps"] == []
    with time_machine.travel(dt.datetime(2025, 10, 2, tzinfo=dt.UTC)):
        h = api_token(ent_user)  # a token of that day
        cov = client.get("/api/v1/enterprise/coverage?year=2025", **h).json()
        assert [q["status"] for q in cov["quarters"]] == [
            "not_required",
            "covered",
            "missing",
            "due",
        ]
        assert client.get("/api/v1/bureau/self-check-gaps", **h).status_code == 403
        gaps = client.get("/api/v1/bureau/self-check-gaps?year=2025", **api_token(city_officer))
        assert ent_user.enterprise.credit_code in {
            e["credit_code"] for e in gaps.json()["enterprises"]
        }


def test_a_rectification_report_over_the_api_keeps_the_files_sha256_and_is_reviewed(
    client, ent_user, file_check, api_token, items, city_officer
):
    sc = file_check(hazards={"HG-02": ("操作室", items["onsite"][0].code)})
    hz = sc.hazards.get()
    h = api_token(ent_user)
    r = client.post(
        "/api/v1/enterprise/rectification-reports",
        {
            "description": "已组织取证上岗",
            "self_hazard_id": str(hz.pk),
            "file": [upload("证.png", PNG)],
        },
        **h,
    )
    assert r.status_code == 201, r.content
    import hashlib

    body = r.json()
    assert body["evidence"][0]["sha256"] == hashlib.sha256(PNG).hexdigest()
    refused = _post(
        client,
        f"/api/v1/enterprise/rectification-reports/{body['id']}/review",
        {"accepted": "true"},
        api_token(city_officer),
    )
    assert refused.status_code == 422 and refused.json()["field"] == "accepted"
    ok = _post(
        client,
        f"/api/v1/enterprise/rectification-reports/{body['id']}/review",
        {"accepted": True},
        api_token(city_officer),
    )
    assert ok.status_code == 200 and ok.json()["review"] == "accepted"
    hz.refresh_from_db()
    assert hz.status == "rectified"
    assert SelfCheck.objects.count() == 1


def test_r10_4_an_ineligible_enterprise_is_refused_with_every_reason(client, ent_user, api_token):
    h = api_token(ent_user)
    e = client.get("/api/v1/enterprise/self-inspection/eligibility", **h).json()
    assert e["eligible"] is False and "本局设定" in e["thresholds"]
    r = _post(client, "/api/v1/enterprise/self-inspections", {"year": 2025, "report": "报告"}, h)
    assert r.status_code == 409 and r.json()["code"] == "not_eligible"
    assert {x["code"] for x in r.json()["reasons"]} >= {"credit_level", "founding_unknown"}
