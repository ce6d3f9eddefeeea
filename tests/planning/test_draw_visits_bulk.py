"""Publishing a draw creates its visits as one batch (issue 13, "draws that stream"): the
pairings' teams, a plan and a trail event per visit, a number of statements that does not
grow with the number of visits, all or nothing, and a trail that still verifies."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fairinspect.audit.models import AuditEvent
from fairinspect.audit.queries import events_of
from fairinspect.audit.verify import verify
from fairinspect.core.errors import DomainError
from fairinspect.planning import draws
from fairinspect.planning.models import Draw
from tests.visits.test_bulk_create import insert_statements

pytest.importorskip("fairinspect.visits.services")

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 3, 20, 10, 0)


def _drawn(actor, task_data, count: int, title: str) -> Draw:
    task = draws.create_task(actor=actor, data={**task_data, "count": str(count), "title": title})
    task = draws.publish_pools(actor=actor, task=task)
    draw = draws.record_seed(
        actor=actor, draw=draws.live_draw(task), seed="20250320", entered_by="群众代表"
    )
    return draws.run(actor=actor, draw=draw)


def _teams(draw: Draw) -> list[list[int]]:
    officers = draw.task.pools.get(kind="officers").facts
    return [[officers[c]["officer"] for c in p["officers"]] for p in draw.pairings if p["officers"]]


@time_machine.travel(NOW, tick=False)
def test_r9_2_r8_5_a_published_draws_visits_carry_their_pairings_plans_and_history(
    published_task, city_planner
):
    from fairinspect.visits.models import Visit

    draw = draws.live_draw(published_task)
    draw = draws.record_seed(actor=city_planner, draw=draw, seed="20250320", entered_by="群众代表")
    draw = draws.publish_result(actor=city_planner, draw=draws.run(actor=city_planner, draw=draw))
    visits = [Visit.objects.get(pk=pk) for pk in draw.visit_ids]
    assert len(visits) == 4
    for v, team, pairing in zip(visits, _teams(draw), draw.pairings, strict=True):
        assert v.enterprise.credit_code == pairing["enterprise"]
        assert (v.trigger, v.status, v.planned_date) == (
            "random_draw",
            "draft",
            dt.date(2025, 4, 1),
        )
        assert list(v.team.order_by("pk").values_list("officer_id", flat=True)) == team
        assert v.team.filter(is_lead=True).count() == 1
        assert v.plan.drafted_from["items"] == ["YJ-WH-004"]
        (event,) = events_of(v)
        assert (event.action, event.actor_id, event.data["officers"]) == (
            "create",
            city_planner.pk,
            team,
        )
    report = verify(checkpoint=False)
    assert report.ok, [b.line() for b in report.breaks]


@time_machine.travel(NOW, tick=False)
def test_r9_2_issue_13_publishing_50_visits_issues_no_more_statements_than_5(
    items, city_planner, city_officers, make_enterprise, task_data
):
    from fairinspect.visits.models import InspectionPlan, Visit, VisitOfficer

    for _ in range(62):
        make_enterprise(supervising_level="city")

    def statements(count: int, title: str) -> int:
        draw = _drawn(city_planner, task_data, count, title)
        with CaptureQueriesContext(connection) as ctx:
            draw = draws.publish_result(actor=city_planner, draw=draw)
        assert len(draw.visit_ids) == count
        return len(ctx.captured_queries)

    statements(2, "预备")  # once: the day's chain row, the planner's officer, the bureau's code
    small = statements(5, "第一批")
    large = statements(50, "第二批")
    tables = [(Visit, 1), (Visit.items.through, 1), (VisitOfficer, 2), (InspectionPlan, 1)]
    tables.append((AuditEvent, 1))
    growth = sum(insert_statements(m, 50 * k) - insert_statements(m, 5 * k) for m, k in tables)
    assert large <= small + growth, (small, large, growth)
    if connection.vendor == "postgresql":
        assert large == small
    assert large < 100  # one create_visit per visit took about 20 statements each
    report = verify(checkpoint=False)
    assert report.ok, [b.line() for b in report.breaks]


@time_machine.travel(NOW, tick=False)
def test_r9_2_r1_3_a_draw_whose_one_visit_is_refused_publishes_nothing(
    published_task, city_planner
):
    """An officer of one pairing lost their certificate after the draw: create_visit would
    refuse that visit, so the publication is refused whole and the draw stays drawn."""
    from fairinspect.registry.models import Certificate
    from fairinspect.visits.models import Visit

    draw = draws.live_draw(published_task)
    draw = draws.record_seed(actor=city_planner, draw=draw, seed="20250320", entered_by="群众代表")
    draw = draws.run(actor=city_planner, draw=draw)
    last_team = _teams(draw)[-1]
    Certificate.objects.filter(officer_id=last_team[0]).update(status="revoked")
    visits, events = Visit.objects.count(), AuditEvent.objects.count()
    with pytest.raises(DomainError) as e:
        draws.publish_result(actor=city_planner, draw=draw)
    assert e.value.code == "no_valid_certificate" and e.value.field == "officer_ids"
    assert (Visit.objects.count(), AuditEvent.objects.count()) == (visits, events)
    draw.refresh_from_db()
    assert draw.status == "drawn" and not draw.visit_ids
