"""Who may open which case page and endpoint (role × page → allowed or denied), and the case
endpoints: create, read, transitions with 200/403/409/422."""

from __future__ import annotations

import datetime as dt

import pytest

from fairinspect.cases import services
from fairinspect.cases.models import Case

PERSONAS = [
    "anonymous",
    "city_officer",
    "tianshan_officer",
    "approver",
    "legal_reviewer",
    "supervisor",
    "admin_user",
    "enterprise_user",
    "expert_user",
]
STAFF = {
    "city_officer",
    "tianshan_officer",
    "approver",
    "legal_reviewer",
    "supervisor",
    "admin_user",
}
EVERYONE = set(PERSONAS)


@pytest.fixture
def world(request, city_officer, npl, ent, walk, new_case):
    case = walk(new_case(), "decide")
    disc = case.disclosure
    services.publish_disclosure(actor=city_officer, disclosure=disc, on=dt.date(2025, 6, 16))
    return {"case": case}


def _user(request, name):
    return None if name == "anonymous" else request.getfixturevalue(name)


PAGES = [
    # (url, who may open it: 200; everyone else is sent to log in (302) or refused (403/404))
    ("/cases/violations/", EVERYONE),
    ("/cases/violations/AQSCF2021-97-4/", EVERYONE),
    ("/cases/no-penalty/", EVERYONE),
    ("/cases/disclosures/", EVERYONE),
    ("/cases/dishonesty/public/", EVERYONE),
    ("/cases/disclosures/export.csv", EVERYONE),
    ("/cases/disclosures/export.xlsx", EVERYONE),
    ("/cases/", STAFF),
    ("/cases/overdue/", STAFF),
    ("/cases/discretion/", STAFF),
    ("/cases/dishonesty/", STAFF),
    ("/cases/new/", {"city_officer", "tianshan_officer"}),
    ("/cases/no-penalty/manage/", {"approver", "admin_user"}),
    ("/cases/{case}/", STAFF),  # the enterprise is in 天山区: its district officer sees it too
    ("/cases/{case}/documents/decision.docx", STAFF),
    ("/cases/credit/{credit_code}/", STAFF),
]


@pytest.mark.parametrize(("url", "allowed"), PAGES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_r13_1_access_table_for_every_case_page(client, request, world, url, allowed, persona):
    case = world["case"]
    user = _user(request, persona)
    if user is not None:
        client.force_login(user)
    r = client.get(url.format(case=case.pk, credit_code=case.enterprise.credit_code))
    if persona in allowed:
        assert r.status_code == 200, (persona, url, r.status_code)
    else:
        assert r.status_code in (302, 403, 404), (persona, url, r.status_code)


def test_r8_2_the_public_export_has_no_personal_data(client, world, walk, new_case, city_officer):
    case = walk(
        new_case(violation="AQSCF2021-94", party="person", person_name="张建国"),
        "decide",
        facts={"harm": "slight"},
    )
    services.publish_disclosure(
        actor=city_officer, disclosure=case.disclosure, on=dt.date(2025, 6, 16)
    )
    body = client.get("/cases/disclosures/export.csv").content.decode("utf-8")
    assert "张**" in body and "张建国" not in body and "13912345678" not in body
    assert "行政处罚决定书文号" in body and case.decision_number in body
    page = client.get("/cases/disclosures/").content.decode()
    assert "张建国" not in page and "张**" in page


API = [
    ("get", "/api/v1/cases/{case}", STAFF),
    ("post", "/api/v1/discretion", STAFF),
    ("post", "/api/v1/cases", {"city_officer", "tianshan_officer"}),
]


@pytest.mark.parametrize(("method", "url", "allowed"), API)
@pytest.mark.parametrize("persona", PERSONAS)
def test_r13_1_access_table_for_every_case_endpoint(
    client, request, world, api_token, method, url, allowed, persona
):
    case = world["case"]
    user = _user(request, persona)
    headers = api_token(user) if user else {}
    body = {
        "violation_code": "AQSCF2021-97-4",
        "party": "unit",
        "facts": {},
        "credit_code": case.enterprise.credit_code,
    }
    r = getattr(client, method)(
        url.format(case=case.pk),
        body if method == "post" else None,
        content_type="application/json",
        **headers,
    )
    if persona in allowed:
        assert r.status_code in (200, 201), (persona, url, r.status_code, r.content)
    else:
        assert r.status_code in (401, 403, 404), (persona, url, r.status_code)


def test_r7_4_the_api_opens_a_case_and_takes_steps_with_403_and_409_reasons(
    client, api_token, city_officer, approver, legal_reviewer, ent, npl
):
    r = client.post(
        "/api/v1/cases",
        {
            "credit_code": ent.credit_code,
            "party": "unit",
            "violation_code": "AQSCF2021-97-4",
            "cause": "未如实记录培训",
        },
        content_type="application/json",
        **api_token(city_officer),
    )
    assert r.status_code == 201, r.json()
    cid = r.json()["id"]
    assert r.json()["status"] == "pending_filing" and r.json()["allowed_actions"] == []
    url = f"/api/v1/cases/{cid}/transitions"
    r = client.post(
        url,
        {"action": "approve_filing"},
        content_type="application/json",
        **api_token(city_officer),
    )
    assert r.status_code == 403 and r.json()["reasons"]
    r = client.post(
        url, {"action": "decide"}, content_type="application/json", **api_token(approver)
    )
    assert r.status_code == 409 and r.json()["code"] == "wrong_state" and r.json()["reasons"]
    r = client.post(
        url, {"action": "approve_filing"}, content_type="application/json", **api_token(approver)
    )
    assert r.status_code == 200 and r.json()["status"] == "investigating"
    assert [d["name"] for d in r.json()["deadlines"]] == ["decision"]
    r = client.post(
        url,
        {"action": "investigate", "facts": {"harm": "bad"}},
        content_type="application/json",
        **api_token(city_officer),
    )
    assert r.status_code == 422 and r.json()["field"] == "facts.harm"
    r = client.post(
        url,
        {
            "action": "investigate",
            "data": {"facts_text": "事实", "evidence": "笔录", "proposed_fine": "12000"},
            "facts": {"staff_affected_share": 0.05, "headcount": 30},
        },
        content_type="application/json",
        **api_token(city_officer),
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert (body["grade"], body["fine_min"], body["fine_max"]) == (
        "ordinary",
        "10000.00",
        "20000.00",
    )
    r = client.post(
        url, {"action": "fly"}, content_type="application/json", **api_token(city_officer)
    )
    assert r.status_code == 422 and r.json()["field"] == "action"
    assert Case.objects.get(pk=cid).status == "investigating"


def test_r7_4_the_api_refuses_an_enterprise_outside_the_officers_district(
    client, api_token, tianshan_officer, make_enterprise, npl
):
    other = make_enterprise(district_code="650103")
    r = client.post(
        "/api/v1/cases",
        {"credit_code": other.credit_code, "violation_code": "AQSCF2021-97-4"},
        content_type="application/json",
        **api_token(tianshan_officer),
    )
    assert r.status_code == 422 and r.json()["field"] == "credit_code"


POSTS = [
    # (url, form data, who may take the step: anyone else is refused and nothing changes)
    ("/cases/{case}/act/serve/", {"served_on": "2025-06-16"}, {"city_officer", "tianshan_officer"}),
    ("/cases/{case}/act/close/", {}, set()),  # the case is not executed yet: refused to all
]


@pytest.mark.parametrize(("url", "data", "allowed"), POSTS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_r7_4_access_table_for_the_step_forms(client, request, world, url, data, allowed, persona):
    case = world["case"]
    user = _user(request, persona)
    if user is not None:
        client.force_login(user)
    client.post(url.format(case=case.pk), data)
    changed = Case.objects.get(pk=case.pk).status != case.status
    assert changed is (persona in allowed), (persona, url)


@pytest.mark.parametrize("persona", PERSONAS)
def test_r7_6_access_table_for_opening_a_case_from_a_hazard(client, request, world, persona):
    from django.utils import timezone

    from fairinspect.registry.models import Department
    from fairinspect.visits.models import Hazard, Visit

    ent = world["case"].enterprise
    visit = Visit.objects.create(
        enterprise=ent,
        kind="on_site",
        trigger="annual_plan",
        status="in_progress",
        planned_date=dt.date(2025, 6, 1),
        department=Department.objects.get(code="650100-WH"),
        inspecting_level="city",
        checked_in_at=timezone.now(),
    )
    h = Hazard.objects.create(visit=visit, enterprise=ent, level="general", description="通道堵塞")
    user = _user(request, persona)
    if user is not None:
        client.force_login(user)
    r = client.get(f"/cases/from-hazard/{h.pk}/")
    if persona in {"city_officer", "tianshan_officer"}:
        assert r.status_code == 200
        client.post(f"/cases/from-hazard/{h.pk}/")
        assert Case.objects.filter(hazard=h).count() == 1
    else:
        assert r.status_code in (302, 403, 404)
        client.post(f"/cases/from-hazard/{h.pk}/")
        assert not Case.objects.filter(hazard=h).exists()
