"""Access table (design.md: every protected view and endpoint, role × action): staff see the
monitoring of their territory, an enterprise only its own, nobody else anything."""

from __future__ import annotations

import pytest
import time_machine

from fairinspect.core.roles import Role

from .conftest import T0, at

PAGES = {
    "wall": lambda w: "/monitoring/",
    "enterprise_page": lambda w: f"/monitoring/enterprises/{w.enterprise.credit_code}/",
    "queue": lambda w: "/monitoring/warnings/",
    "warning_page": lambda w: f"/monitoring/warnings/{w.number}/",
    "ranking": lambda w: "/monitoring/ranking/",
    "api_points": lambda w: "/api/v1/monitoring/points",
    "api_readings": lambda w: f"/api/v1/monitoring/points/{w.point_id}/readings",
    "api_warnings": lambda w: "/api/v1/monitoring/warnings",
    "api_warning": lambda w: f"/api/v1/monitoring/warnings/{w.number}",
    "api_ranking": lambda w: "/api/v1/monitoring/ranking",
}

# persona → action → expected status (302: sent to log in; 401: the API asks for a token)
TABLE = {
    "tianshan_officer": dict(
        wall=200,
        enterprise_page=200,
        queue=200,
        warning_page=200,
        ranking=200,
        api_points=200,
        api_readings=200,
        api_warnings=200,
        api_warning=200,
        api_ranking=200,
    ),
    "shayibake_officer": dict(
        wall=200,
        enterprise_page=404,
        queue=200,
        warning_page=404,
        ranking=200,
        api_points=200,
        api_readings=404,
        api_warnings=200,
        api_warning=404,
        api_ranking=200,
    ),
    "city_officer": dict(
        wall=200,
        enterprise_page=200,
        queue=200,
        warning_page=200,
        ranking=200,
        api_points=200,
        api_readings=200,
        api_warnings=200,
        api_warning=200,
        api_ranking=200,
    ),
    "enterprise_user": dict(
        wall=403,
        enterprise_page=200,
        queue=200,
        warning_page=200,
        ranking=403,
        api_points=200,
        api_readings=200,
        api_warnings=200,
        api_warning=200,
        api_ranking=403,
    ),
    "other_enterprise_user": dict(
        wall=403,
        enterprise_page=404,
        queue=200,
        warning_page=404,
        ranking=403,
        api_points=200,
        api_readings=404,
        api_warnings=200,
        api_warning=404,
        api_ranking=403,
    ),
    "expert_user": dict(
        wall=403,
        enterprise_page=403,
        queue=403,
        warning_page=403,
        ranking=403,
        api_points=403,
        api_readings=403,
        api_warnings=403,
        api_warning=403,
        api_ranking=403,
    ),
    "anonymous": dict(
        wall=302,
        enterprise_page=302,
        queue=302,
        warning_page=302,
        ranking=302,
        api_points=401,
        api_readings=401,
        api_warnings=401,
        api_warning=401,
        api_ranking=401,
    ),
}


@pytest.fixture
def warning(send, gas_point):
    from fairinspect.monitoring.models import EarlyWarning

    with time_machine.travel(T0, tick=False):
        body = send("a-1", [{"point": "GT-101", "at": at(-60), "value": 30.0}]).json()
    return EarlyWarning.objects.get(number=body["warnings_opened"][0])


@pytest.fixture
def shayibake_officer(make_user):
    return make_user("sy_officer", Role.OFFICER, department="650103")


@pytest.mark.parametrize("persona", list(TABLE))
def test_r4_3_monitoring_access_table(persona, request, warning, client, api_token):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    for action, url in PAGES.items():
        headers = {}
        if user is not None:
            if action.startswith("api_"):
                headers = api_token(user)
            else:
                client.force_login(user)
        got = client.get(url(warning), **headers).status_code
        assert got == TABLE[persona][action], f"{persona} {action}: {got}"


def test_r4_3_an_enterprise_user_lists_only_its_own_warnings(
    warning, other_enterprise_user, enterprise_user, api_token, client
):
    mine = client.get("/api/v1/monitoring/warnings", **api_token(enterprise_user)).json()
    theirs = client.get("/api/v1/monitoring/warnings", **api_token(other_enterprise_user)).json()
    assert [w["number"] for w in mine] == [warning.number] and theirs == []
    assert client.get("/api/v1/monitoring/points", **api_token(other_enterprise_user)).json() == []


def test_r4_3_the_enterprise_acknowledges_through_the_page_and_the_api_refuses_a_stranger(
    warning, enterprise_user, other_enterprise_user, client, api_token
):
    client.force_login(enterprise_user)
    r = client.post(f"/monitoring/warnings/{warning.number}/acknowledge/")
    assert r.status_code == 302
    warning.refresh_from_db()
    assert warning.stage == "acknowledged"
    r = client.post(
        f"/api/v1/monitoring/warnings/{warning.number}/report",
        {"action_text": "x"},
        content_type="application/json",
        **api_token(enterprise_user),
    )
    assert r.status_code == 422 and r.json()["field"] == "action_text"
    r = client.post(
        f"/api/v1/monitoring/warnings/{warning.number}/report",
        {"action_text": "已更换探头"},
        content_type="application/json",
        **api_token(other_enterprise_user),
    )
    assert r.status_code == 404
