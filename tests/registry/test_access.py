"""Role × page/endpoint → allowed or denied, for every protected registry and catalog view.

The table is the specification: each persona is tried on each entry point."""

import pytest

PERSONAS = [
    "anonymous",
    "admin_user",
    "city_officer",
    "tianshan_officer",
    "approver",
    "legal_reviewer",
    "supervisor",
    "enterprise_user",
    "other_enterprise_user",
    "expert_user",
]
STAFF = {
    "admin_user",
    "city_officer",
    "tianshan_officer",
    "approver",
    "legal_reviewer",
    "supervisor",
}
ALL = set(PERSONAS)

# (name, url, allowed personas). "{tianshan}" / "{shayibake}" are two enterprises' codes.
PAGES = [
    ("home", "/", ALL),
    ("public item list", "/items/", ALL),
    ("enterprise list", "/registry/enterprises/", STAFF),
    ("enterprise list filtered", "/registry/enterprises/?industry=26&high_risk=1&grade=2", STAFF),
    ("enterprise export", "/registry/enterprises/export.csv", STAFF),
    ("tianshan enterprise", "/registry/enterprises/{tianshan}/", STAFF | {"enterprise_user"}),
    (
        "shayibake enterprise (other district)",
        "/registry/enterprises/{shayibake}/",
        STAFF - {"tianshan_officer"} | {"other_enterprise_user"},
    ),
    ("enterprise create", "/registry/enterprises/new/", {"admin_user"}),
    ("enterprise edit", "/registry/enterprises/{tianshan}/edit/", {"admin_user"}),
    ("officer list", "/registry/officers/", STAFF),
    ("expert pool", "/experts/", STAFF),
    ("officer export", "/registry/officers/export.csv", {"admin_user"}),
    ("certificate audit", "/registry/certificate-audit/", {"admin_user", "supervisor"}),
    ("import", "/registry/import/", {"admin_user"}),
    ("audit trail", "/supervision/audit/", {"admin_user", "supervisor"}),
    ("item list management", "/items/manage/", {"admin_user"}),
]

ENDPOINTS = [
    ("list enterprises", "/api/v1/enterprises", STAFF),
    ("tianshan enterprise", "/api/v1/enterprises/{tianshan}", STAFF | {"enterprise_user"}),
    (
        "shayibake enterprise",
        "/api/v1/enterprises/{shayibake}",
        STAFF - {"tianshan_officer"} | {"other_enterprise_user"},
    ),
    ("officers", "/api/v1/officers", STAFF),
    ("items", "/api/v1/items", ALL),
]


@pytest.fixture
def people(request, tianshan_enterprise, shayibake_enterprise):
    got = {p: (None if p == "anonymous" else request.getfixturevalue(p)) for p in PERSONAS}
    codes = {
        "tianshan": tianshan_enterprise.credit_code,
        "shayibake": shayibake_enterprise.credit_code,
    }
    return got, codes


@pytest.mark.parametrize(("name", "url", "allowed"), PAGES, ids=[p[0] for p in PAGES])
def test_r13_1_pages_are_open_only_to_the_roles_that_need_them(client, people, name, url, allowed):
    users, codes = people
    for persona, user in users.items():
        client.logout()
        if user:
            client.force_login(user)
        resp = client.get(url.format(**codes))
        ok = resp.status_code == 200
        assert ok == (persona in allowed), f"{persona} on {name}: {resp.status_code}"
        if persona == "anonymous" and not ok:
            assert resp.status_code == 302 and "/login/" in resp["Location"]


@pytest.mark.parametrize(("name", "url", "allowed"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_r13_1_endpoints_are_open_only_to_the_roles_that_need_them(
    client, people, api_token, name, url, allowed
):
    users, codes = people
    for persona, user in users.items():
        headers = api_token(user) if user else {}
        resp = client.get(url.format(**codes), **headers)
        ok = resp.status_code == 200
        assert ok == (persona in allowed), f"{persona} on {name}: {resp.status_code}"
        if not ok:
            assert resp.status_code in (401, 403, 404)
            assert {"code", "message"} <= resp.json().keys()


def test_r13_1_a_district_officer_lists_only_the_district_enterprises(client, people, api_token):
    users, _ = people
    data = client.get("/api/v1/enterprises", **api_token(users["tianshan_officer"])).json()
    assert {e["district_code"] for e in data["items"]} == {"650102"}
    data = client.get("/api/v1/enterprises", **api_token(users["city_officer"])).json()
    assert data["total"] == 2


@pytest.mark.parametrize("persona", sorted(ALL - {"admin_user", "anonymous"}))
def test_r13_1_only_the_administrator_creates_enterprises(client, people, api_token, persona):
    users, _ = people
    resp = client.post(
        "/api/v1/enterprises", "{}", content_type="application/json", **api_token(users[persona])
    )
    assert resp.status_code in (403, 422)
    if resp.status_code == 422:
        pytest.fail("validation ran before the permission check")


def test_r12_1_the_old_expert_pool_address_leads_to_the_experts_app(client, admin_user):
    client.force_login(admin_user)
    r = client.get("/registry/experts/")
    assert r.status_code == 301 and r["Location"] == "/experts/"
