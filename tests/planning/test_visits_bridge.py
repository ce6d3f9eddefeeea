"""Planning with real visits: visits created by a published draw, R5.4 and cap exclusions
from visits' own rows, last year's numbers for R3.5."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from fairinspect.planning import bridge, draws, services
from fairinspect.planning.models import Draw

pytest.importorskip("fairinspect.visits.services")


def _visit(enterprise, department, *, items, day, status="done", kind="on_site", group=None):
    from django.utils import timezone

    from fairinspect.catalog.models import InspectionItem
    from fairinspect.visits.models import Visit

    v = Visit.objects.create(
        enterprise=enterprise,
        kind=kind,
        trigger="annual_plan",
        status=status,
        planned_date=day,
        department=department,
        inspecting_level=department.bureau.level,
        merge_group=group,
        checked_in_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
        if status in ("in_progress", "done")
        else None,
    )
    v.items.set(InspectionItem.objects.filter(version__status="published", code__in=items))
    return v


def test_r5_4_r9_2_an_enterprise_inspected_this_year_for_the_same_item_is_excluded(
    items, city_planner, city_enterprises, city_officers, task_data, make_user
):
    from fairinspect.registry.models import Department

    city, _ = city_enterprises
    _visit(
        city[0],
        Department.objects.get(code="650100-GM"),
        items=["YJ-WH-004"],
        day=dt.date(2025, 2, 3),
    )
    task = draws.publish_pools(
        actor=city_planner,
        task=draws.create_task(actor=city_planner, data={**task_data, "count": "3"}),
    )
    excluded = {e["id"]: e["reasons"] for e in task.pools.get(kind="enterprises").excluded}
    assert excluded[city[0].credit_code][0]["code"] == "already_inspected_this_year"


def test_r9_2_the_officer_who_inspected_last_time_stands_aside(
    items, city_planner, city_enterprises, city_officers, task_data
):
    from fairinspect.registry.models import Department
    from fairinspect.visits.models import VisitOfficer

    city, _ = city_enterprises
    good, _ = city_officers
    v = _visit(
        city[0],
        Department.objects.get(code="650100-WH"),
        items=["YJ-WH-004"],
        day=dt.date(2024, 5, 3),
    )
    VisitOfficer.objects.create(visit=v, officer=good[0], certificate_number="x")
    task = draws.publish_pools(
        actor=city_planner,
        task=draws.create_task(actor=city_planner, data={**task_data, "count": "12"}),
    )
    cert = good[0].certificates.first().number
    assert city[0].credit_code in task.pools.get(kind="officers").facts[cert]["last_inspected"]
    for seed in ["12345678", "87654321", "11223344", "99887766"]:
        result = draws.compute(task, seed)
        pairing = next(p for p in result.pairings if p.enterprise_id == city[0].credit_code)
        assert cert not in pairing.officer_ids


@time_machine.travel(dt.datetime(2025, 3, 20, 10, 0), tick=False)
def test_r9_2_publishing_a_draw_creates_its_visits_with_the_random_draw_trigger(
    published_task, city_planner, approver
):
    from fairinspect.visits.models import Visit

    draw = draws.live_draw(published_task)
    draw = draws.record_seed(actor=city_planner, draw=draw, seed="20250320", entered_by="群众代表")
    draw = draws.publish_result(actor=city_planner, draw=draws.run(actor=city_planner, draw=draw))
    visits = Visit.objects.filter(pk__in=draw.visit_ids)
    assert visits.count() == 4
    assert set(visits.values_list("trigger", flat=True)) == {"random_draw"}
    assert {v.enterprise.credit_code for v in visits} == set(draw.selected)
    # A re-draw cancels the visits of the draw it replaces (they have not started).
    pending = draws.request_redraw(actor=city_planner, task=published_task, reason="公证员缺席")
    draws.decide_redraw(actor=approver, draw=pending, approve=True)
    assert set(Visit.objects.filter(pk__in=draw.visit_ids).values_list("status", flat=True)) == {
        "cancelled"
    }
    assert Draw.objects.get(pk=draw.pk).status == "superseded"


def test_r3_5_last_years_visits_are_filled_in_from_visits_with_merged_visits_once(
    city_planner, city_enterprises
):
    from fairinspect.registry.models import Department

    city, _ = city_enterprises
    wh = Department.objects.get(code="650100-WH")
    day = dt.date(2024, 6, 1)
    _visit(city[0], wh, items=["YJ-WH-004"], day=day, group="m1")
    _visit(city[0], wh, items=["YJ-WH-001"], day=day, group="m1")
    _visit(city[1], wh, items=["YJ-WH-004"], day=day)
    _visit(city[2], wh, items=["YJ-WH-004"], day=day, status="cancelled")
    assert bridge.last_year_visits(wh.bureau.pk, 2024) == {(True, bridge.Grade.TWO): 2}
    plan = services.create_plan(actor=city_planner, data={"year": "2025"})
    assert plan.lines.get(high_risk=True, grade="2").last_year_visits == 2
