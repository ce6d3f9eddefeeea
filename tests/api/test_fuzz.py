"""Schemathesis fuzzes every operation of the OpenAPI document: whatever the input, the API
answers with a 2xx or a 4xx carrying {code, message}, never a server error (R13.1)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from fairinspect.config.wsgi import application
from fairinspect.core.roles import Role

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def keep_connection():
    """The WSGI calls go around Django's test client, which normally stops each request from
    closing the test's database connection; do the same here."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_headers(make_user, api_token, keep_connection):
    user = make_user(
        "fuzz_admin",
        Role.ADMIN,
        Role.OFFICER,
        Role.APPROVER,
        Role.SUPERVISOR,
        Role.LEGAL_REVIEWER,
        department="650100-ZH",
        is_superuser=True,
    )
    return {"Authorization": api_token(user)["HTTP_AUTHORIZATION"]}


@schema.parametrize()
# Derandomised: the same examples on every run, so CI is repeatable; raise max_examples
# locally to search wider.
@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_r13_1_no_input_makes_the_api_fail_with_a_server_error(case, admin_headers):
    response = case.call(headers=admin_headers)
    assert response.status_code < 500, (
        case.method,
        case.formatted_path,
        case.body,
        response.text[:500],
    )
    if response.status_code >= 400 and "json" in response.headers.get("Content-Type", ""):
        body = response.json()
        assert "code" in body and "message" in body, body
