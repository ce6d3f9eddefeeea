"""Supervision pages: who may open which (role × page), the dashboard's numbers open their
records, the XLSX export, and no figure per officer (严禁下达检查指标)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SUPERVISOR_PAGES = [
    "supervision:home",
    "supervision:dashboard",
    "supervision:dashboard_xlsx",
    "supervision:review_list",
    "supervision:training",
    "supervision:complaint_entry",
    "supervision:complaint_import",
    "supervision:conduct_list",
]
PUBLIC_PAGES = ["supervision:complaint_new", "supervision:complaint_lookup"]


@pytest.fixture
def people(make_user, supervisor, city_officer, enterprise_user, admin_user):
    return {
        "supervisor": supervisor,
        "admin": admin_user,
        "officer": city_officer,
        "enterprise": enterprise_user,
    }


@pytest.mark.parametrize("name", SUPERVISOR_PAGES)
@pytest.mark.parametrize(
    "who,status",
    [
        ("supervisor", 200),
        ("admin", 200),
        ("officer", 403),
        ("enterprise", 403),
        ("anonymous", 302),
    ],
)
def test_r8_4_supervision_pages_open_for_supervisors_only(client, login, people, name, who, status):
    c = client if who == "anonymous" else login(people[who])
    assert c.get(reverse(name)).status_code == status


@pytest.mark.parametrize("who,status", [("supervisor", 200), ("officer", 200), ("enterprise", 403)])
def test_r8_4_staff_see_the_breaches_assigned_to_them_and_supervisors_all(
    login, people, who, status
):
    from fairinspect.supervision.models import Breach

    mine = Breach.objects.create(
        rule="no_recording",
        key="visit:1",
        year=2026,
        message="甲",
        found_on=dt.date(2026, 5, 1),
        last_seen_on=dt.date(2026, 5, 1),
        assigned_to=people["officer"],
    )
    other = Breach.objects.create(
        rule="no_recording",
        key="visit:2",
        year=2026,
        message="乙",
        found_on=dt.date(2026, 5, 1),
        last_seen_on=dt.date(2026, 5, 1),
    )
    r = login(people[who]).get(reverse("supervision:breach_list"))
    assert r.status_code == status
    if status == 200:
        body = r.content.decode()
        detail = reverse("supervision:breach_detail", args=[other.pk])
        assert reverse("supervision:breach_detail", args=[mine.pk]) in body
        assert (detail in body) is (who == "supervisor")


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_r8_1_the_complaint_form_and_lookup_need_no_login(client, name):
    r = client.get(reverse(name))
    assert r.status_code == 200 and 'name="viewport"' in r.content.decode()


def test_r8_1_officers_see_the_complaints_assigned_to_their_unit(login, city_officer, supervisor):
    from fairinspect.supervision.services import complaints as services

    mine, _ = services.receive(
        channel="public_form",
        subject="service",
        category="service",
        content="办事慢",
        anonymous=True,
    )
    other, _ = services.receive(
        channel="public_form",
        subject="service",
        category="service",
        content="电话打不通",
        anonymous=True,
    )
    services.transition(actor=supervisor, complaint=mine, action="accept")
    services.transition(
        actor=supervisor, complaint=mine, action="assign", data={"unit_code": "650100-WH"}
    )
    body = login(city_officer).get(reverse("supervision:complaint_list")).content.decode()
    assert mine.number in body and other.number not in body


def test_r8_4_every_dashboard_number_opens_its_records_and_exports(
    login, supervisor, tianshan_enterprise, make_officer
):
    from openpyxl import load_workbook

    from fairinspect.supervision import dashboard

    c = login(supervisor)
    page = c.get(reverse("supervision:dashboard"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "echarts-6.1.0.min.js" in body and 'id="dashboard-data"' in body
    data = page.context["d"]
    for row in data["caps"]:
        for link in row["links"].values():
            assert c.get(link).status_code == 200
    for r in data["triggers"] + data["penalties"]:
        assert c.get(r["link"]).status_code == 200
    x = c.get(reverse("supervision:dashboard_xlsx"))
    wb = load_workbook(io.BytesIO(x.content))
    assert "频次与上限" in wb.sheetnames and "投诉举报" in wb.sheetnames
    # No figure names an officer.
    officer = make_officer("不应出现的执法员")
    assert officer.name not in c.get(reverse("supervision:dashboard")).content.decode()
    assert not any("officer" in k for k in dashboard.build(dt.date.today().year, dt.date.today()))


def test_r8_4_the_caps_chart_counts_an_enterprise_over_its_cap(login, supervisor, make_enterprise):
    from fairinspect.registry.models import Department
    from fairinspect.supervision import dashboard
    from fairinspect.visits.models import Visit

    e = make_enterprise(high_risk=False, standardization_grade=1, industry_id="5212")
    unit = Department.objects.get(code="650102")
    year = dt.date.today().year
    for d in (3, 4):
        day = dt.date(year, 1, d)
        Visit.objects.create(
            enterprise=e,
            kind="on_site",
            trigger="annual_plan",
            status="done",
            planned_date=day,
            department=unit,
            inspecting_level="district",
            checked_in_at=dt.datetime(year, 1, d, 2, tzinfo=dt.UTC),
        )
    row = next(r for r in dashboard.caps_by_class(year) if r["key"] == "0-1")
    assert row["over"] == 1
    r = login(supervisor).get(row["links"]["over"])
    assert e.name in r.content.decode()
