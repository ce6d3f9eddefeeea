"""Typed input at every entry point (issue 8, item 5): a wrong type is a 422 in the one error
shape naming the field, never a 500, never coerced, and it saves nothing.

The sweep walks the OpenAPI document itself, so an endpoint added later is covered the
day it is mounted: for every operation with a body, each top-level field in turn gets a
value of the wrong JSON type.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps

from fairinspect.config.api import api
from fairinspect.core.roles import Role

DOC = api.get_openapi_schema(path_prefix="/api/v1/")
COMPONENTS = DOC["components"]["schemas"]


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = COMPONENTS[schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:  # `X | None`: the non-null branch
        branches = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return _resolve(branches[0])
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0])
    return schema


def _wrong(schema: dict):
    """A value of the wrong JSON type for the field: what a careless client sends."""
    s = _resolve(schema)
    kind = s.get("type")
    if kind == "boolean":
        return "false"  # the string, which lax parsing would have read as False
    if kind in ("integer", "number"):
        return "abc"
    if kind == "array":
        return "not-a-list"
    if kind == "object" or "properties" in s or "oneOf" in s:
        return "not-an-object"
    return 12345  # strings, dates, enums: a number is never one of them


def _bodies():
    """(operation id, method, path, base body, field, field schema) for every JSON body
    field; a union body (a case step) is expanded per member with its tag kept valid."""
    for path, item in DOC["paths"].items():
        for method, op in item.items():
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            schema = content["application/json"]["schema"]
            members = schema.get("oneOf") or [schema]
            for member in members:
                s = _resolve(member)
                base = {}
                tag = schema.get("discriminator", {}).get("propertyName")
                if tag:
                    base[tag] = s["properties"][tag].get("const") or s["properties"][tag]["enum"][0]
                for field, fs in s.get("properties", {}).items():
                    if field == tag:
                        continue
                    label = f"{method.upper()} {path} {base.get(tag, '')} {field}".replace(
                        "  ", " "
                    )
                    yield pytest.param(method, path, base, field, fs, id=label)


def _multipart():
    for path, item in DOC["paths"].items():
        for method, op in item.items():
            content = op.get("requestBody", {}).get("content", {})
            if "multipart/form-data" in content:
                yield pytest.param(method, path, id=f"{method.upper()} {path}")


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@pytest.fixture
def everyone(make_user, api_token, enterprise_user):
    """Callers between them holding every role, so no operation refuses before it reads the
    body (roles are checked first; a 403 would hide what the body check does): one staff
    account with every staff role, and the enterprise's user."""
    staff = make_user(
        "typed_all",
        *(r for r in Role if r is not Role.ENTERPRISE),
        department="650100-WH",
        is_superuser=True,
    )
    # The monitoring gateway authenticates with its own key (X-Gateway-Key), not a user token.
    from fairinspect.monitoring.services.points import issue_credential

    _cred, key = issue_credential(
        actor=staff, enterprise=enterprise_user.enterprise, gateway="typed-sweep"
    )
    return [api_token(staff), api_token(enterprise_user), {"HTTP_X_GATEWAY_KEY": key}]


def _call(client, tokens, method, url, **kw):
    for token in tokens:
        r = getattr(client, method)(url, **kw, **token)
        if r.status_code not in (401, 403):
            return r
    return r


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "base", "field", "field_schema"), list(_bodies()))
def test_r13_1_a_wrong_type_in_any_body_field_is_a_422_naming_it_and_saves_nothing(
    client, everyone, method, path, base, field, field_schema
):
    before = _row_counts()
    body = {**base, field: _wrong(field_schema)}
    r = _call(client, everyone, method, _url(path), data=body, content_type="application/json")
    assert r.status_code == 422, (r.status_code, r.content[:300])
    out = r.json()
    assert {"code", "message", "field"} <= set(out)
    assert field in [e["field"] for e in out["errors"]], out
    assert _row_counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), list(_multipart()))
def test_r13_1_an_upload_without_a_file_is_a_422_naming_the_file_and_saves_nothing(
    client, everyone, method, path
):
    before = _row_counts()
    r = _call(client, everyone, method, _url(path), data={"file": "not-a-file"})
    assert r.status_code == 422, (r.status_code, r.content[:300])
    assert r.json()["field"] == "file"
    assert _row_counts() == before


def test_r13_1_the_sweep_covers_the_bodies_of_every_app():
    paths = {p.values[1] for p in _bodies()}
    for expected in (
        "/api/v1/enterprises",
        "/api/v1/item-versions",
        "/api/v1/visits",
        "/api/v1/plans",
        "/api/v1/cases/{case_id}/transitions",
    ):
        assert expected in paths
    steps = {p.values[2].get("action") for p in _bodies() if "transitions" in p.values[1]}
    from fairinspect.cases.procedure import STEPS

    assert steps == set(STEPS)  # every procedure step has its own schema


# ---- the cases the issue names --------------------------------------------------------------


def _post(client, url, body, token):
    return client.post(url, body, content_type="application/json", **token)


@pytest.mark.django_db
def test_r7_4_approve_false_as_a_string_is_refused_and_the_review_does_not_pass(
    client, api_token, make_enterprise, make_user, city_officer, approver, legal_reviewer
):
    from fairinspect.cases import services
    from fairinspect.cases.models import Case

    ent = make_enterprise(district_code="650102", main_person="张建国")
    case = services.open_case(
        actor=city_officer,
        enterprise=ent,
        party="unit",
        violation_code="AQSCF2021-97-4",
        on=dt.date(2025, 6, 2),
    )
    Case.objects.filter(pk=case.pk).update(status="notified", filed_on=dt.date(2025, 6, 3))
    url = f"/api/v1/cases/{case.pk}/transitions"
    r = _post(
        client,
        url,
        {"action": "legal_review", "data": {"opinion": "同意。", "approve": "false"}},
        api_token(legal_reviewer),
    )
    assert r.status_code == 422
    assert r.json()["field"] == "data.approve"
    assert Case.objects.get(pk=case.pk).status == "notified"
    assert not case.steps.filter(action="legal_review").exists()


@pytest.mark.django_db
def test_r7_4_paused_days_abc_is_a_422_over_the_api_and_a_form_error_on_the_page(
    client, api_token, make_enterprise, city_officer
):
    from fairinspect.cases import services
    from fairinspect.cases.models import Case

    ent = make_enterprise(district_code="650102")
    case = services.open_case(
        actor=city_officer,
        enterprise=ent,
        party="unit",
        violation_code="AQSCF2021-97-4",
        on=dt.date(2025, 6, 2),
    )
    Case.objects.filter(pk=case.pk).update(
        status="served",
        filed_on=dt.date(2025, 6, 3),
        fine_amount="10000",
        proposed_fine="10000",
        outcome="penalty",
        decided_on=dt.date(2025, 6, 20),
        served_on=dt.date(2025, 6, 21),
    )
    r = _post(
        client,
        f"/api/v1/cases/{case.pk}/transitions",
        {"action": "execute", "data": {"paused_days": "abc"}},
        api_token(city_officer),
    )
    assert r.status_code == 422 and r.json()["field"] == "data.paused_days"
    client.force_login(city_officer)
    page = client.post(f"/cases/{case.pk}/act/execute/", {"paused_days": "abc"})
    assert page.status_code == 422  # the case page again, with the message naming the field
    assert "paused_days" in page.content.decode()
    assert Case.objects.get(pk=case.pk).status == "served"


@pytest.mark.django_db
def test_r7_4_an_empty_proposed_fine_is_refused_never_a_0_yuan_penalty(
    client, api_token, make_enterprise, city_officer, approver
):
    from fairinspect.cases import services

    ent = make_enterprise(district_code="650102")
    case = services.open_case(
        actor=city_officer,
        enterprise=ent,
        party="unit",
        violation_code="AQSCF2021-97-4",
        on=dt.date(2025, 6, 2),
    )
    services.transition(
        actor=approver, case=case, action="approve_filing", data={}, today=dt.date(2025, 6, 2)
    )
    facts = {"harm": "slight", "staff_affected_share": "0.05", "headcount": 50}
    url = f"/api/v1/cases/{case.pk}/transitions"
    token = api_token(city_officer)
    r = _post(
        client,
        url,
        {
            "action": "investigate",
            "data": {"facts_text": "事实", "evidence": "笔录"},
            "facts": facts,
        },
        token,
    )
    assert r.status_code == 422 and r.json()["field"] == "proposed_fine", r.json()
    r = _post(
        client,
        url,
        {"action": "investigate", "data": {"proposed_fine": ""}, "facts": facts},
        token,
    )
    assert r.status_code == 422 and r.json()["field"] == "data.proposed_fine"
    client.force_login(city_officer)
    client.post(
        f"/cases/{case.pk}/act/investigate/",
        {"facts_text": "事实", "evidence": "笔录", "proposed_fine": "", "harm": "slight"},
    )
    case.refresh_from_db()
    assert case.proposed_fine is None and not case.grade


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"justification": {"kind": "complaint_record", "date": "yesterday"}},
            "justification.date",
        ),
        ({"justification": {"kind": "complaint_record", "date": 20250101}}, "justification.date"),
        ({"officer_ids": [1, "two"]}, "officer_ids.1"),
        ({"planned_date": "2025-06-18T09:00:00"}, "planned_date"),
        ({"planned_date": 0}, "planned_date"),
    ],
)
def test_r13_1_a_nested_wrong_type_names_its_exact_path(
    client, api_token, city_officer, tianshan_enterprise, body, field
):
    from fairinspect.visits.models import Visit

    full = {
        "enterprise": tianshan_enterprise.credit_code,
        "trigger": "complaint",
        "planned_date": "2025-06-18",
        "item_codes": ["X"],
        "officer_ids": [1, 2],
        **body,
    }
    r = _post(client, "/api/v1/visits", full, api_token(city_officer))
    assert r.status_code == 422 and r.json()["field"] == field, r.json()
    assert not Visit.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"high_risk": "true", "grade": "1"}, "lines.0.high_risk"),
        ({"high_risk": True, "grade": "1", "planned_visits": "12"}, "lines.0.planned_visits"),
        ({"high_risk": True, "grade": "1", "planned_visits": 1.5}, "lines.0.planned_visits"),
        ({"high_risk": True, "grade": "1", "planned_visits": True}, "lines.0.planned_visits"),
        ({"high_risk": True, "grade": "1", "sampling_ratio": "1.5"}, "lines.0.sampling_ratio"),
    ],
)
def test_r9_1_plan_lines_take_booleans_and_whole_numbers_only(
    client, api_token, city_officer, line, field
):
    r = client.put(
        "/api/v1/plans/1/lines",
        {"lines": [line]},
        content_type="application/json",
        **api_token(city_officer),
    )
    assert r.status_code == 422 and r.json()["field"] == field, r.json()
