"""The officer's day and the ways to an enterprise's pre-check (issue 12 item 1, R6.1):
each visit one tap from its pre-check, plan, check-in, recording and findings; the enterprise
page links the pre-check, the poster and 安排检查; the pre-check and the plan form warn
before planning when approval will be refused (the approval service's own rule); and every
refused form comes back with what was typed."""

from __future__ import annotations

import datetime as dt

import pytest

from fairinspect.core.errors import DomainError
from fairinspect.visits import qr, queries, services

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def test_r6_1_the_officers_day_lists_todays_and_coming_visits_each_one_tap_from_its_steps(
    client, approved_visit, new_visit, started_visit, team
):
    a = approved_visit()
    coming = new_visit(planned_date=TODAY + dt.timedelta(days=5))
    far = new_visit(planned_date=TODAY + dt.timedelta(days=40))
    client.force_login(team[0][0])
    body = client.get("/visits/day/").content.decode()
    today_part, coming_part = body.split('id="day-coming"', 1)
    assert f'href="/visits/{a.pk}/#checkin"' in today_part
    assert f'href="/visits/{a.pk}/#plan"' in today_part
    assert f'href="/visits/q/{qr.token_for(a.enterprise)}/"' in today_part
    assert f"/visits/{coming.pk}/#plan" in coming_part
    assert f"/visits/{far.pk}/" not in body
    s = started_visit()
    body = client.get("/visits/day/").content.decode()
    assert f'/visits/{s.pk}/#recording"' in body and f'/visits/{s.pk}/#findings"' in body


def test_r6_1_the_day_is_the_officers_own(client, approved_visit, make_user):
    from fairinspect.core.roles import Role

    approved_visit()
    other = make_user("other_off", Role.OFFICER, department="650100-WH")
    client.force_login(other)  # an officer login without an officer record
    assert client.get("/visits/day/").status_code == 403


def test_r6_1_the_enterprise_page_links_its_precheck_poster_and_planning(
    client, team, city_enterprise, items
):
    client.force_login(team[0][0])
    code = city_enterprise.credit_code
    body = client.get(f"/registry/enterprises/{code}/").content.decode()
    for url in (
        f"/visits/enterprise/{code}/precheck/",
        f"/visits/enterprise/{code}/poster/",
        f"/visits/new/?enterprise={code}",
    ):
        assert url in body
    r = client.get(f"/visits/enterprise/{code}/precheck/")
    assert r.status_code == 200 and "年度现场执法检查频次" in r.content.decode()


def _use_the_cap(approved_visit):
    # 高危·标准化一级: 2 a year; two approved plans hold both slots.
    approved_visit()
    approved_visit()


def test_r3_4_the_precheck_warns_before_planning_when_approval_will_refuse_the_cap(
    client, approved_visit, new_visit, team, approver_user, city_enterprise, make_user
):
    _use_the_cap(approved_visit)
    forecast = queries.planning_forecast(
        city_enterprise, department=team[0][0].department, today=TODAY
    )
    assert not forecast.ok and forecast.code == "cap_reached"
    # What the service answers for such a plan is the same refusal.
    v = new_visit()
    services.submit_plan(actor=team[0][0], visit=v)
    with pytest.raises(DomainError) as exc:
        services.approve_plan(actor=approver_user, visit=v, today=TODAY)
    assert exc.value.code == forecast.code
    # The page tells it, and offers no plain 安排检查 at 剩余0.
    from fairinspect.core.roles import Role

    third = make_user("wh_officer3", Role.OFFICER, department="650100-WH")
    client.force_login(third)
    body = client.get(f"/visits/enterprise/{city_enterprise.credit_code}/precheck/").content
    text = body.decode()
    assert "审批时将被拒绝" in text
    assert "安排不受频次限制的检查" in text
    body = client.get(f"/visits/new/?enterprise={city_enterprise.credit_code}").content.decode()
    assert "审批时将被拒绝" in body


def test_r5_3_the_forecast_refuses_a_district_visit_after_the_citys(
    started_visit, make_enterprise, items, team
):
    from fairinspect.registry.models import Department

    ent = make_enterprise(name="区管企业", supervising_level="district", high_risk=True)
    district = Department.objects.get(code="650102")
    before = queries.planning_forecast(ent, department=district, today=TODAY)
    assert before.ok, before.reasons
    # the city inspected it this year (a complaint lets the city in; R5.3 then bars the district)
    from fairinspect.visits.models import Visit

    v = Visit.objects.create(
        enterprise=ent,
        kind="on_site",
        trigger="annual_plan",
        status="done",
        planned_date=TODAY,
        department=Department.objects.get(code="650100-WH"),
        inspecting_level="city",
        checked_in_at=dt.datetime(2025, 6, 1, 9, tzinfo=dt.UTC),
        checked_out_at=dt.datetime(2025, 6, 1, 11, tzinfo=dt.UTC),
    )
    v.items.set(items["onsite"][:1])
    after = queries.planning_forecast(ent, department=district, today=TODAY)
    assert not after.ok and after.code == "city_already_inspected"


def test_r6_2_a_refused_plan_form_keeps_the_date_the_items_and_the_officers(
    client, team, city_enterprise, items
):
    (u1, o1), (_u2, o2) = team
    client.force_login(u1)
    codes = [i.code for i in items["onsite"][:2]]
    r = client.post(
        "/visits/new/",
        {
            "enterprise": city_enterprise.credit_code,
            "kind": "on_site",
            "trigger": "annual_plan",
            "entry_kind": "inspection",
            "planned_date": "2025-07-03",
            "item_codes": codes,
            "officer_ids": [str(o2.pk)],  # one officer: refused
        },
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert 'value="2025-07-03"' in body
    for c in codes:
        assert f'value="{c}" checked' in body
    assert f'value="{o2.pk}" checked' in body
    assert f'value="{o1.pk}" checked' not in body  # what was sent, not the default
    from fairinspect.visits.models import Visit

    assert not Visit.objects.exists()


def _page_form(body: str, action: str) -> str:
    return body.split(f'action="{action}"', 1)[1].split("</form>", 1)[0]


def test_r6_2_refused_forms_on_the_visit_page_keep_what_was_typed(client, started_visit, team):
    v = started_visit()
    client.force_login(team[0][0])
    base = f"/visits/{v.pk}"
    item = v.items.order_by("code").first()
    cases = [
        # (form, posted, what must come back in the form)
        (
            "hazard",
            {
                "level": "bogus",
                "description": "储罐区静电接地断开",
                "place": "东罐区",
                "item_code": item.code,
            },
            ["储罐区静电接地断开", 'value="东罐区"', f'value="{item.code}" selected'],
        ),
        (
            "order",
            {"hazard_ids": [], "deadline": "2025-07-30", "requirements": "立即恢复接地"},
            ['value="2025-07-30"', "立即恢复接地"],
        ),
        (
            "finding",
            {"item_code": item.code, "result": "bogus", "notes": "现场未见台账"},
            ['value="现场未见台账"'],
        ),
    ]
    services.record_hazard(actor=team[0][0], visit=v, level="general", description="通道堵塞")
    for form, posted, expected in cases:
        r = client.post(f"{base}/{form}/", posted)
        assert r.status_code == 422, form
        part = _page_form(r.content.decode(), f"{base}/{form}/")
        for e in expected:
            assert e in part, (form, e)
    assert v.hazards.count() == 1 and not v.orders.exists() and not v.findings.exists()


def test_r6_2_a_refused_plan_submission_keeps_what_was_typed(client, new_visit, team, items):
    codes = [items["onsite"][0].code, items["offsite"][0].code]
    v = new_visit(item_codes=codes)  # the off-site capable item needs its reason
    client.force_login(team[0][0])
    r = client.post(
        f"/visits/{v.pk}/plan/",
        {
            "key_points": "重点查动火作业票",
            "methods": "查阅资料",
            "steps": "一、二、三",
            "then": "submit",
        },
    )
    assert r.status_code == 422
    part = _page_form(r.content.decode(), f"/visits/{v.pk}/plan/")
    assert "重点查动火作业票" in part and "一、二、三" in part
    v.refresh_from_db()
    assert v.status == "draft"
