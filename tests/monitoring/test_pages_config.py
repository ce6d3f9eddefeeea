# ruff: noqa: F811 (the visits fixtures are imported by name and then used as arguments)
"""The monitoring pages beside the wall: point configuration (R4.3: unit, range, alarm
limits, typed like the API, audited), off-site inspections (R4.1/R4.2: their own kind, with
their method, never against the cap) and the assistant (R4.4: a draft is marked as a draft,
needs a person's edit before it is confirmed, and the log is for the supervisors)."""

from __future__ import annotations

import pytest

from fairinspect.audit.models import AuditEvent
from fairinspect.core.roles import Role
from fairinspect.monitoring.models import AssistantLog, MonitoringPoint, OffsiteInspection
from fairinspect.rules import monitoring as rules
from tests.visits.conftest import (  # noqa: F401  (fixtures shared with the visits tests)
    approved_visit,
    approver_user,
    city_enterprise,
    items,
    new_visit,
    team,
)

pytestmark = pytest.mark.django_db


def _form(**over):
    base = {
        "code": "PT-9",
        "name": "反应釜压力",
        "kind": "pressure",
        "unit": "MPa",
        "range_low": "0",
        "range_high": "4",
        "high": "2.5",
        "high_high": "3.0",
        "active": "on",
    }
    return {k: v for k, v in (base | over).items() if v is not None}


def test_r4_3_limit_problems_name_the_field_at_fault():
    ok = rules.Limits(low_low=1, low=2, high=16, high_high=18, range_low=0, range_high=20)
    assert rules.limit_problems(ok) == ()
    swapped = rules.Limits(high=19, high_high=18, range_low=0, range_high=20)
    assert [p.field for p in rules.limit_problems(swapped)] == ["high_high"]
    outside = rules.Limits(high=25, range_low=0, range_high=20)
    assert rules.limit_problems(outside)[0].code == "outside_range"
    crossed = rules.Limits(low=5, high=5, range_low=0, range_high=20)
    assert rules.limit_problems(crossed)[0].field == "high"
    assert rules.limit_problems(rules.Limits(range_low=3, range_high=3))[0].code == "range_order"
    rate = rules.Limits(range_low=0, range_high=1, rate_per_minute=0)
    assert rules.limit_problems(rate)[0].field == "rate_per_minute"


def test_r4_3_an_officer_configures_a_point_on_its_page_and_it_is_audited(
    client, tianshan_officer, tianshan_enterprise
):
    client.force_login(tianshan_officer)
    url = f"/monitoring/enterprises/{tianshan_enterprise.credit_code}/points/new/"
    assert client.get(url).status_code == 200
    r = client.post(url, _form())
    assert r.status_code == 302
    p = MonitoringPoint.objects.get(enterprise=tianshan_enterprise, code="PT-9")
    assert (p.unit, p.range_high, p.high, p.high_high, p.low) == ("MPa", 4.0, 2.5, 3.0, None)
    assert AuditEvent.objects.filter(action="monitoring.point_created", object_id=str(p.pk))

    page = client.get(f"/monitoring/enterprises/{tianshan_enterprise.credit_code}/").content
    assert "修改配置".encode() in page and b"PT-9" in page

    edit = f"/monitoring/points/{p.pk}/edit/"
    assert b'value="2.5"' in client.get(edit).content
    r = client.post(edit, _form(code=None, high="2.8", unit="MPa"))
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.high == 2.8
    ev = AuditEvent.objects.get(action="monitoring.point_updated", object_id=str(p.pk))
    assert ev.data["before"] == {"high": 2.5} and ev.data["after"] == {"high": 2.8}


def test_r4_3_a_refused_point_form_keeps_what_was_typed_and_saves_nothing(
    client, tianshan_officer, tianshan_enterprise
):
    client.force_login(tianshan_officer)
    url = f"/monitoring/enterprises/{tianshan_enterprise.credit_code}/points/new/"
    r = client.post(url, _form(high="3.5"))  # above high-high
    assert r.status_code == 400
    body = r.content.decode()
    assert "高高限应不小于高限" in body and 'value="3.5"' in body and 'value="PT-9"' in body
    r = client.post(url, _form(range_high="四"))  # not a number: the schema names the field
    assert r.status_code == 400 and "range_high: 应为数字" in r.content.decode()
    assert not MonitoringPoint.objects.filter(code="PT-9").exists()
    assert not AuditEvent.objects.filter(action="monitoring.point_created").exists()


def test_r4_3_an_enterprise_user_cannot_configure_points(
    client, make_user, tianshan_enterprise, gas_point
):
    client.force_login(make_user("ent_u", Role.ENTERPRISE, enterprise=tianshan_enterprise))
    url = f"/monitoring/enterprises/{tianshan_enterprise.credit_code}/points/new/"
    assert client.post(url, _form()).status_code == 403
    assert client.post(f"/monitoring/points/{gas_point.pk}/edit/", _form()).status_code == 403
    assert MonitoringPoint.objects.count() == 1


def test_r4_3_the_point_api_is_typed_and_shares_the_limit_check(
    client, api_token, tianshan_officer, tianshan_enterprise
):
    body = {
        "enterprise_id": tianshan_enterprise.pk,
        "code": "TT-1",
        "name": "反应温度",
        "kind": "temperature",
        "unit": "℃",
        "range_low": -20,
        "range_high": 200,
        "high": 120,
        "high_high": 150,
    }
    h = api_token(tianshan_officer)
    bad = client.post(
        "/api/v1/monitoring/points",
        body | {"high": "120"},
        content_type="application/json",
        **h,
    )
    assert bad.status_code == 422 and "high" in bad.json()["message"]
    order = client.post(
        "/api/v1/monitoring/points", body | {"high": 160}, content_type="application/json", **h
    )
    assert order.status_code == 422 and order.json()["field"] == "high_high"
    r = client.post("/api/v1/monitoring/points", body, content_type="application/json", **h)
    assert r.status_code == 200, r.content
    pid = r.json()["id"]
    again = client.post("/api/v1/monitoring/points", body, content_type="application/json", **h)
    assert again.status_code == 409
    edit = {k: v for k, v in body.items() if k not in ("enterprise_id", "code")}
    r = client.put(
        f"/api/v1/monitoring/points/{pid}",
        edit | {"high_high": 140, "active": False},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 200 and r.json()["high_high"] == 140 and r.json()["active"] is False


def test_r4_1_off_site_inspections_have_their_own_pages(client, approved_visit, team, make_user):
    (u1, _o1), _ = team
    visit = approved_visit(kind="off_site", item_codes=None)
    client.force_login(u1)
    listing = client.get("/monitoring/offsite/?method=none").content.decode()
    assert f"/monitoring/offsite/{visit.pk}/" in listing and "未登记" in listing
    detail = client.get(f"/monitoring/offsite/{visit.pk}/").content.decode()
    assert "不计入检查次数上限" in detail and "登记检查方式" in detail

    url = f"/monitoring/offsite/{visit.pk}/record/"
    r = client.post(url, {"method": "remote_video", "material": "短"})
    assert r.status_code == 400 and "material" in r.content.decode()
    assert 'value="remote_video" checked' in r.content.decode()
    assert not OffsiteInspection.objects.exists()
    r = client.post(url, {"method": "remote_video", "material": "视频连线查看罐区巡检与动火作业票"})
    assert r.status_code == 302
    detail = client.get(f"/monitoring/offsite/{visit.pk}/").content.decode()
    assert "远程视频检查" in detail and "视频连线查看罐区" in detail
    listing = client.get("/monitoring/offsite/?method=remote_video").content.decode()
    assert f"/monitoring/offsite/{visit.pk}/" in listing
    # Someone not on the team sees the record but cannot record a method.
    other = make_user("wh_other", Role.OFFICER, department="650100-WH")
    client.force_login(other)
    assert "登记检查方式</a>" not in client.get(f"/monitoring/offsite/{visit.pk}/").content.decode()


def test_r4_4_the_assistant_page_marks_the_draft_and_needs_an_edit_before_confirming(
    client, tianshan_officer, tianshan_enterprise, make_user, settings
):
    settings.ASSISTANT_BASE_URL = ""
    client.force_login(tianshan_officer)
    r = client.post(
        "/monitoring/assistant/",
        {
            "purpose": "warning_digest",
            "credit_code": tianshan_enterprise.credit_code,
            "facts": "夜班巡检发现罐区气味",
        },
    )
    assert r.status_code == 302
    log = AssistantLog.objects.get()
    page = client.get(r["Location"]).content.decode()
    assert "草稿" in page and "须经人工修改确认" in page and "夜班巡检发现罐区气味" in page
    unchanged = client.post(r["Location"], {"text": log.answer})
    assert unchanged.status_code == 400 and "须经人工修改" in unchanged.content.decode()
    log.refresh_from_db()
    assert log.confirmed_at is None
    ok = client.post(r["Location"], {"text": log.answer + "\n经核实，已责令企业排查。"})
    assert ok.status_code == 302
    log.refresh_from_db()
    assert log.confirmed_at is not None and "已责令企业排查" in log.confirmed_text
    assert "已确认的文字" in client.get(r["Location"]).content.decode()

    # The log of prompts and answers: supervisors see it, the officer does not.
    assert client.get("/monitoring/assistant/log/").status_code == 403
    client.force_login(make_user("sup", Role.SUPERVISOR, department="650100-ZH"))
    log_page = client.get("/monitoring/assistant/log/").content.decode()
    assert "提示词" in log_page and "夜班巡检发现罐区气味" in log_page and "修改确认" in log_page


def test_r4_4_an_unknown_enterprise_on_the_assistant_page_is_refused_with_what_was_typed(
    client, tianshan_officer
):
    client.force_login(tianshan_officer)
    r = client.post(
        "/monitoring/assistant/",
        {"purpose": "plan_points", "credit_code": "91650102XXXXXXXXXX", "facts": "保留这段"},
    )
    assert r.status_code == 400
    assert "credit_code" in r.content.decode() and "保留这段" in r.content.decode()
    assert not AssistantLog.objects.exists()


def test_r4_4_a_draft_posted_back_untouched_by_a_browser_is_still_unedited(
    client, tianshan_officer, settings
):
    """A browser posts a textarea's line breaks as CRLF: that is not an edit."""
    from fairinspect.monitoring import assistant

    settings.ASSISTANT_BASE_URL = ""
    d = assistant.request_draft(actor=tianshan_officer, purpose="reasoning", facts="甲\n乙")
    crlf = d.text.replace("\n", "\r\n") + "  \r\n"
    from fairinspect.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as e:
        assistant.confirm_draft(actor=tianshan_officer, log_id=d.log_id, text=crlf)
    assert e.value.code == "draft_unedited"
