"""R3.5, R3.2 (issue 8 item 3): the numbers the plan rules compare are derived from records.
Last year's count comes from last year's visits; an override needs a written reason, is shown
to the approver and in the published plan and is audited; an approved plan keeps the cap table
it was approved under and flags a later edit."""

from __future__ import annotations

import datetime as dt

import pytest

from fairinspect.audit.models import AuditEvent
from fairinspect.core.errors import Conflict, ValidationFailed
from fairinspect.planning import queries, services

from .conftest import TODAY
from .test_visits_bridge import _visit

pytestmark = pytest.mark.django_db

APPROVAL = {"approval_doc_no": "乌政函〔2025〕12号", "approval_date": "2025-03-10"}


@pytest.fixture
def small(make_enterprise):
    """Three city-supervised non-high-risk ungraded enterprises (cap 5 each)."""
    return [
        make_enterprise(supervising_level="city", high_risk=False, standardization_grade=None)
        for _ in range(3)
    ]


@pytest.fixture
def last_year(small, make_enterprise):
    """Last year's visits: 4 that count, and what the cap does not count."""
    from fairinspect.registry.models import Department

    wh = Department.objects.get(code="650100-WH")
    district = Department.objects.get(code="650102")
    day = dt.date(2024, 5, 6)
    _visit(small[0], wh, items=["YJ-WH-004"], day=day)
    _visit(small[0], wh, items=["YJ-WH-004"], day=day, group="m1")  # merged: one trip
    _visit(small[0], wh, items=["YJ-WH-001"], day=day, group="m1")
    _visit(small[1], district, items=["YJ-WH-004"], day=day)  # a joint district visit counts
    _visit(small[2], wh, items=["YJ-WH-004"], day=dt.date(2024, 9, 1))
    _visit(small[2], wh, items=["YJ-WH-004"], day=day, status="cancelled")
    _visit(small[2], wh, items=["YJ-WH-004"], day=day, status="approved")  # never carried out
    _visit(small[2], wh, items=["YJ-WH-004"], day=day, kind="off_site")
    _visit(small[1], wh, items=["YJ-WH-004"], day=dt.date(2025, 2, 1))  # this year
    other = make_enterprise(supervising_level="district", high_risk=False)
    _visit(other, wh, items=["YJ-WH-004"], day=day)  # not an enterprise this bureau plans for


def _plan(city_planner):
    return services.create_plan(actor=city_planner, data={"year": "2025"}, today=TODAY)


def _nhr(plan):
    return plan.lines.get(high_risk=False, grade="none")


def test_r3_5_last_years_count_is_derived_from_last_years_visits_as_the_cap_counts_them(
    items, city_planner, last_year
):
    plan = _plan(city_planner)
    assert _nhr(plan).last_year_visits == 4
    assert queries.plan_check(plan).non_high_risk_previous == 4


def test_r3_5_a_typed_count_without_a_reason_is_refused_and_saves_nothing(
    items, city_planner, last_year
):
    plan = _plan(city_planner)
    line = {"high_risk": False, "grade": "none", "last_year_visits": 200, "planned_visits": 9}
    with pytest.raises(ValidationFailed) as exc:
        services.update_plan_lines(actor=city_planner, plan=plan, lines=[line])
    assert exc.value.code == "override_reason_required"
    assert exc.value.field == "lines.0.last_year_override_reason"
    assert "统计为4次" in exc.value.message
    li = _nhr(plan)
    assert (li.last_year_override, li.planned_visits) == (None, 0)
    # With 200 typed, 9 planned would have passed the −10% rule; as derived (4) it fails.
    services.update_plan_lines(
        actor=city_planner, plan=plan, lines=[{**line, "last_year_visits": None}]
    )
    with pytest.raises(Conflict) as exc:
        services.submit_plan(actor=city_planner, plan=plan)
    assert exc.value.extra["reasons"][0]["code"] == "reduction_insufficient"


def test_r3_5_an_override_with_its_reason_is_shown_to_the_approver_published_and_audited(
    items, city_planner, approver, last_year, client
):
    plan = _plan(city_planner)
    why = "2024年另有6次检查只在纸质台账中，已补录说明"
    services.update_plan_lines(
        actor=city_planner,
        plan=plan,
        lines=[
            {
                "high_risk": False,
                "grade": "none",
                "last_year_visits": 10,
                "last_year_override_reason": why,
                "planned_visits": 9,
            }
        ],
    )
    event = AuditEvent.objects.filter(action="update").order_by("-id").first()
    assert why in str(event.data) and "10" in str(event.data)
    check = queries.plan_check(plan)
    assert check.ok and check.non_high_risk_previous == 10
    assert [n.code for n in check.notices] == ["last_year_overridden"]
    assert "系统按上年度检查记录统计为4次" in check.notices[0].message
    services.submit_plan(actor=city_planner, plan=plan)
    client.force_login(approver)
    page = client.get(f"/planning/plans/{plan.pk}/").content.decode()
    assert why in page and "人工更正" in page
    services.approve_plan(actor=approver, plan=plan, data=APPROVAL)
    approved = AuditEvent.objects.filter(action="approve").order_by("-id").first()
    assert why in str(approved.data)
    services.file_plan(
        actor=approver,
        plan=plan,
        data={"filing_doc_no": "乌司备〔2025〕3号", "filing_date": "2025-03-12"},
    )
    services.publish_plan(actor=approver, plan=plan)
    client.logout()
    public = client.get(f"/planning/public/plans/{plan.pk}/").content.decode()
    assert why in public and "统计为4次" in public


def test_r3_2_editing_the_cap_table_never_changes_an_approved_plan_silently(
    items, city_planner, approver, small, client
):
    from fairinspect.visits.models import CapTableSetting

    plan = _plan(city_planner)
    services.update_plan_lines(
        actor=city_planner,
        plan=plan,
        lines=[{"high_risk": False, "grade": "none", "planned_visits": 0}],
    )
    services.update_plan_lines(
        actor=city_planner,
        plan=plan,
        lines=[{"high_risk": True, "grade": "none", "planned_visits": 0}],
    )
    services.submit_plan(actor=city_planner, plan=plan)
    plan = services.approve_plan(actor=approver, plan=plan, data=APPROVAL)
    assert plan.cap_table_snapshot["non_high_risk_ungraded"] == 5
    assert queries.cap_table_change(plan) == ""
    CapTableSetting.objects.create(year=2025, source="修订后的上限表", non_high_risk_ungraded=2)
    plan.refresh_from_db()
    check = queries.plan_check(plan)
    line = next(c for c in check.lines if not c.line.high_risk and c.line.grade.value == "none")
    assert line.cap == 5  # still the table it was approved under
    change = queries.cap_table_change(plan)
    assert "non_high_risk_ungraded" in change and "已修改" in change
    client.force_login(approver)
    assert change in client.get(f"/planning/plans/{plan.pk}/").content.decode()
