import json

import pytest
from axes.models import AccessLog

from fairinspect.audit.models import AuditEvent
from fairinspect.registry.models import Enterprise
from fairinspect.rules.credit_code import make_credit_code

from .test_services import GOOD

BODY = {k: v for k, v in GOOD.items()} | {"standardization_grade": 2}


def post(client, path, body, headers):
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def test_r13_1_a_token_is_issued_for_a_correct_password(client, admin_user):
    from tests.conftest import PASSWORD

    resp = post(client, "/api/v1/auth/token", {"username": "admin1", "password": PASSWORD}, {})
    assert resp.status_code == 200
    token = resp.json()["token"]
    resp = client.get("/api/v1/enterprises", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert resp.status_code == 200


def test_r13_1_a_wrong_password_is_refused_and_repeated_failures_lock_the_account(
    client, admin_user, settings
):
    from tests.conftest import PASSWORD

    for _ in range(settings.LOGIN_MAX_FAILURES):
        resp = post(client, "/api/v1/auth/token", {"username": "admin1", "password": "nope"}, {})
        assert resp.status_code == 401 and resp.json()["code"] == "bad_credentials"
    resp = post(client, "/api/v1/auth/token", {"username": "admin1", "password": PASSWORD}, {})
    assert resp.status_code == 401 and resp.json()["code"] == "account_locked"
    assert not AccessLog.objects.filter(username="admin1").exists()  # no login happened


def test_r13_1_requests_without_a_valid_token_are_unauthenticated(client, admin_user):
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer not-a-token"}):
        resp = client.get("/api/v1/enterprises", **headers)
        assert resp.status_code == 401
        assert resp.json()["code"] == "unauthenticated"


def test_r3_1_the_list_filters_and_counts(client, admin_user, api_token, make_enterprise):
    make_enterprise(name="甲化工", district_code="650102")
    make_enterprise(
        name="乙商贸",
        district_code="650103",
        industry_id="5212",
        high_risk=False,
        standardization_grade=None,
    )
    h = api_token(admin_user)
    data = client.get("/api/v1/enterprises?high_risk=false", **h).json()
    assert data["total"] == 1 and data["items"][0]["name"] == "乙商贸"
    assert data["items"][0]["standardization_grade"] is None
    data = client.get("/api/v1/enterprises?q=化工&district_code=650102", **h).json()
    assert [e["name"] for e in data["items"]] == ["甲化工"]
    data = client.get("/api/v1/enterprises?industry_code=52", **h).json()
    assert [e["name"] for e in data["items"]] == ["乙商贸"]
    data = client.get("/api/v1/enterprises?standardization_grade=none", **h).json()
    assert data["total"] == 1
    data = client.get("/api/v1/enterprises?limit=1&offset=1", **h).json()
    assert data["total"] == 2 and len(data["items"]) == 1


def test_r3_1_get_by_credit_code(client, admin_user, api_token, tianshan_enterprise):
    resp = client.get(
        f"/api/v1/enterprises/{tianshan_enterprise.credit_code}", **api_token(admin_user)
    )
    assert resp.status_code == 200
    body = resp.json()
    assert body["supervising_level"] == "district" and body["industry_code"] == "2614"


def test_r3_1_create_and_update(client, admin_user, api_token):
    h = api_token(admin_user)
    resp = post(client, "/api/v1/enterprises", BODY, h)
    assert resp.status_code == 201, resp.json()
    assert resp.json()["high_risk"] is True
    resp = client.patch(
        f"/api/v1/enterprises/{BODY['credit_code']}",
        json.dumps({"standardization_grade": None, "risk_level": "low"}),
        content_type="application/json",
        **h,
    )
    assert resp.status_code == 200, resp.json()
    assert resp.json()["standardization_grade"] is None and resp.json()["risk_level"] == "low"


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"credit_code": "91650102MA7A1B2C3X"}, 422, "credit_code_check_character", "credit_code"),
        ({"standardization_grade": 4}, 422, "invalid", "standardization_grade"),
        ({"supervising_level": "province"}, 422, "invalid", "supervising_level"),
        ({"district_code": "110101"}, 422, "unknown_district", "district_code"),
        ({"industry_code": "0000"}, 422, "unknown_industry", "industry_code"),
        ({"grade_valid_from": "2025-02-30"}, 422, "invalid", "grade_valid_from"),
        ({"name": ""}, 422, "required", "name"),
        ({"high_risk": False}, 422, "override_needs_reason", "high_risk_override_reason"),
        ({"name": None}, 422, "invalid", "name"),
    ],
)
def test_r13_1_the_api_rejects_bad_input_with_code_message_field_and_saves_nothing(
    client, admin_user, api_token, change, status, code, field
):
    resp = post(client, "/api/v1/enterprises", BODY | change, api_token(admin_user))
    assert resp.status_code == status
    body = resp.json()
    assert (body["code"], body["field"]) == (code, field)
    assert body["message"]
    assert not Enterprise.objects.exists()
    assert not AuditEvent.objects.exists()


def test_r13_1_a_body_that_is_not_json_is_refused(client, admin_user, api_token):
    resp = client.post(
        "/api/v1/enterprises", "{", content_type="application/json", **api_token(admin_user)
    )
    assert resp.status_code in (400, 422)
    assert "code" in resp.json() and "message" in resp.json()


def test_r3_1_a_duplicate_is_a_409(client, admin_user, api_token):
    h = api_token(admin_user)
    assert post(client, "/api/v1/enterprises", BODY, h).status_code == 201
    resp = post(client, "/api/v1/enterprises", BODY, h)
    assert resp.status_code == 409 and resp.json()["code"] == "duplicate_credit_code"


def test_r1_1_officers_are_created_with_a_certificate(client, admin_user, api_token):
    body = {
        "name": "王一",
        "department_code": "650100-WH",
        "certificate_number": "65019999",
        "issuer": "乌鲁木齐市人民政府",
        "valid_from": "2024-01-01",
        "valid_to": "2028-12-31",
        "scopes": ["hazchem"],
        "post_domains": ["hazchem"],
    }
    resp = post(client, "/api/v1/officers", body, api_token(admin_user))
    assert resp.status_code == 201, resp.json()
    assert resp.json()["certificates"][0]["number"] == "65019999"
    resp = post(
        client,
        "/api/v1/officers",
        body | {"certificate_number": "x", "scopes": ["矿"]},
        api_token(admin_user),
    )
    assert resp.status_code == 422 and resp.json()["field"] == "scopes"


def test_r13_1_the_openapi_document_is_served(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    assert "/api/v1/enterprises" in resp.json()["paths"]


def test_r3_1_make_credit_code_gives_codes_the_api_accepts(client, admin_user, api_token):
    body = BODY | {"credit_code": make_credit_code("91650104MA12345XY")}
    assert post(client, "/api/v1/enterprises", body, api_token(admin_user)).status_code == 201


def test_r1_1_officers_are_listed_with_filters_and_a_total(
    client, admin_user, api_token, make_officer
):
    import datetime as dt

    make_officer("甲", scopes=("hazchem",))
    make_officer("乙", scopes=("general",), department="650102")
    make_officer("丙", scopes=("mining",), valid_to=dt.date(2024, 12, 31))
    make_officer("丁", status="retired")
    h = api_token(admin_user)
    data = client.get("/api/v1/officers?certified_on=2025-06-18&scope=hazchem", **h).json()
    assert sorted(o["name"] for o in data["items"]) == ["丁", "乙", "甲"]
    data = client.get("/api/v1/officers?certified_on=2025-06-18&status=on_duty", **h).json()
    assert data["total"] == 2
    data = client.get("/api/v1/officers?department_code=650102", **h).json()
    assert [o["name"] for o in data["items"]] == ["乙"]


def test_r1_1_an_officer_is_updated_and_given_a_certificate(
    client, admin_user, api_token, make_officer
):
    officer = make_officer("甲", certificate=False)
    h = api_token(admin_user)
    resp = client.patch(
        f"/api/v1/officers/{officer.pk}",
        json.dumps({"status": "retired"}),
        content_type="application/json",
        **h,
    )
    assert resp.status_code == 200 and resp.json()["status"] == "retired"
    resp = client.patch(
        f"/api/v1/officers/{officer.pk}",
        json.dumps({"status": "gone"}),
        content_type="application/json",
        **h,
    )
    assert resp.status_code == 422 and resp.json()["field"] == "status"
    body = {
        "certificate_number": "65017777",
        "issuer": "乌鲁木齐市人民政府",
        "valid_from": "2025-01-01",
        "valid_to": "2024-01-01",
        "scopes": ["hazchem"],
    }
    resp = post(client, f"/api/v1/officers/{officer.pk}/certificates", body, h)
    assert resp.status_code == 422 and resp.json()["field"] == "valid_to"
    resp = post(
        client, f"/api/v1/officers/{officer.pk}/certificates", body | {"valid_to": "2029-12-31"}, h
    )
    assert resp.status_code == 201
    assert resp.json()["certificates"][0]["number"] == "65017777"
