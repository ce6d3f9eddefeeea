"""The supervision API: typed per-action bodies, 422 naming the field, roles refused before the
body is read, and the complainant's identity withheld exactly as on the pages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fairinspect.core.roles import Role

pytestmark = pytest.mark.django_db
API = "/api/v1"


def post(client, url, body, headers=None):
    return client.post(API + url, body, content_type="application/json", **(headers or {}))


def test_r8_1_a_complaint_over_the_api_from_filing_to_the_complainants_rating(
    client, api_token, supervisor, tianshan_enterprise
):
    r = post(
        client,
        "/public/complaints",
        {
            "subject": "enterprise",
            "category": "hazard",
            "content": "储罐区泄漏",
            "subject_text": tianshan_enterprise.credit_code,
            "complainant_phone": "13800138000",
        },
    )
    assert r.status_code == 201
    number, code = r.json()["number"], r.json()["access_code"]
    h = api_token(supervisor)
    cid = client.get(f"{API}/complaints?q={number}", **h).json()["items"][0]["id"]
    for action, body in [
        ("accept", {}),
        ("assign", {"unit_code": "650102"}),
        ("verify", {"verification": "属实", "substantiated": True}),
        ("handle", {"result": "已整改"}),
        ("reply", {"reply": "已责令整改"}),
    ]:
        r = post(client, f"/complaints/{cid}/{action}", body, h)
        assert r.status_code == 200, (action, r.json())
    assert r.json()["state"] == "replied" and r.json()["complainant_phone"] == "13800138000"
    r = post(
        client,
        "/public/complaints/rate",
        {"number": number, "code": code, "satisfaction": "satisfied"},
    )
    assert r.status_code == 200 and r.json()["state"] == "closed"
    wrong = post(client, "/public/complaints/lookup", {"number": number, "code": "WRONGCODE"})
    assert wrong.status_code == 404


@pytest.mark.parametrize(
    "body,field",
    [
        ({"subject": "enterprise", "category": "hazard", "content": ""}, "content"),
        ({"subject": "nobody", "category": "hazard", "content": "x"}, "subject"),
        (
            {"subject": "service", "category": "service", "content": "x", "anonymous": "maybe"},
            "anonymous",
        ),
        (
            {
                "subject": "service",
                "category": "service",
                "content": "x",
                "complainant_phone": "abc",
            },
            "complainant_phone",
        ),
    ],
)
def test_r8_1_bad_input_is_a_422_naming_the_field_and_saves_nothing(client, body, field):
    from fairinspect.supervision.models import Complaint

    r = post(client, "/public/complaints", body)
    assert r.status_code == 422 and r.json()["field"] == field
    assert Complaint.objects.count() == 0


def test_r8_4_officers_are_refused_supervision_actions_before_the_body_is_read(
    client, api_token, city_officer
):
    h = api_token(city_officer)
    assert post(client, "/breach-detection-runs", {}, h).status_code == 403
    assert post(client, "/review-plans", {"year": "x"}, h).status_code == 403
    assert client.get(f"{API}/training/below-required?year=2026", **h).status_code == 403


def test_r8_3_a_review_plan_over_the_api_publishes_a_verified_sample(client, api_token, supervisor):
    h = api_token(supervisor)
    r = post(client, "/review-plans", {"year": 2026, "per_unit": 2}, h)
    assert r.status_code == 201
    pid = r.json()["id"]
    bad = post(client, f"/review-plans/{pid}/publish", {"seed": "12ab"}, h)
    assert bad.status_code == 422 and bad.json()["field"] == "seed"
    ok = post(client, f"/review-plans/{pid}/publish", {"seed": "123456"}, h)
    assert ok.status_code == 200 and ok.json()["verified"] is True


def test_r1_4_training_over_the_api_and_the_below_hours_report(
    client, api_token, supervisor, make_officer
):
    o = make_officer("接口学员")
    h = api_token(supervisor)
    r = post(
        client,
        "/training",
        {"officer_id": o.pk, "course": "执法程序", "on": "2026-03-01", "hours": "8"},
        h,
    )
    assert r.status_code == 201
    r = post(
        client,
        "/training",
        {"officer_id": o.pk, "course": "x", "on": "2026-03-01", "hours": "-1"},
        h,
    )
    assert r.status_code == 422 and r.json()["field"] == "hours"
    rep = client.get(f"{API}/training/below-required?year=2026", **h).json()
    assert any(x["officer_id"] == o.pk and Decimal(x["hours"]) == 8 for x in rep["officers"])


def test_r8_4_the_dashboard_api_gives_each_number_with_its_link(client, api_token, supervisor):
    r = client.get(f"{API}/supervision/dashboard?year=2026", **api_token(supervisor))
    assert r.status_code == 200
    assert all(row["link"].startswith("/") for row in r.json()["overdue"])


def test_r8_1_the_api_never_gives_the_identity_to_the_unit_complained_about(
    client, api_token, make_user, make_officer, supervisor
):
    from fairinspect.supervision.services import complaints as s

    u = make_user("target", Role.OFFICER, department="650102")
    off = make_officer("对象", department="650102", user=u)
    c, _ = s.receive(
        channel="public_form",
        subject="officer",
        category="officer_conduct",
        content="态度差",
        officer=off,
        name="甲",
        phone="13600136000",
    )
    s.transition(actor=supervisor, complaint=c, action="accept")
    from fairinspect.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        s.transition(actor=supervisor, complaint=c, action="assign", data={"unit_code": "650102"})
    handler = make_user("h", Role.OFFICER, department="650103")
    peer = make_user("p", Role.OFFICER, department="650103")
    s.transition(
        actor=supervisor, complaint=c, action="assign", data={"unit_code": "650103", "handler": "h"}
    )
    assert client.get(f"{API}/complaints/{c.pk}", **api_token(u)).status_code == 404
    assert (
        client.get(f"{API}/complaints/{c.pk}", **api_token(handler)).json()["complainant_phone"]
        == "13600136000"
    )
    assert (
        client.get(f"{API}/complaints/{c.pk}", **api_token(peer)).json()["complainant_phone"]
        is None
    )
