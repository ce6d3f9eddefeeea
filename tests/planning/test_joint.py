"""Joint and merged visits (R5.1–R5.4)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from fairinspect.core.errors import Conflict, Forbidden
from fairinspect.planning import bridge, joint
from fairinspect.planning.models import JointPlan, MergeDecision
from fairinspect.registry.models import Department
from fairinspect.rules.caps import CapPolicy, Grade, quota

pytest.importorskip("fairinspect.visits.services")

NOW = dt.datetime(2025, 5, 5, 9, 0)
TODAY = NOW.date()


@pytest.fixture
def district_enterprise(make_enterprise):
    return make_enterprise(supervising_level="district", district_code="650102")


def _visit(enterprise, dept_code, *, items, day, status="draft", group=None, trigger="annual_plan"):
    from django.utils import timezone

    from fairinspect.catalog.models import InspectionItem
    from fairinspect.visits.models import Visit

    dept = Department.objects.get(code=dept_code)
    v = Visit.objects.create(
        enterprise=enterprise,
        kind="on_site",
        trigger=trigger,
        status=status,
        planned_date=day,
        department=dept,
        inspecting_level=dept.bureau.level,
        merge_group=group,
        checked_in_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
        if status in ("in_progress", "done")
        else None,
    )
    v.items.set(InspectionItem.objects.filter(version__status="published", code__in=items))
    return v


def _joint_data(enterprise, officers, **extra):
    return {
        "credit_code": enterprise.credit_code,
        "items": ["YJ-WH-004"],
        "planned_date": "2025-05-20",
        "trigger": "random_draw",
        "officer_ids": [o.pk for o in officers[:2]],
        "parties": [
            {"department_code": "650102", "role": "partner", "duties": "属地监管、提供企业档案"}
        ],
        **extra,
    }


@time_machine.travel(NOW, tick=False)
def test_r5_3_a_city_spot_check_of_a_district_enterprise_needs_the_district_as_partner(
    items, city_planner, city_officers, district_enterprise
):
    good, _ = city_officers
    with pytest.raises(Conflict) as exc:
        joint.create_joint_plan(
            actor=city_planner,
            data=_joint_data(district_enterprise, good, parties=[{"external_name": "市公安局"}]),
        )
    assert exc.value.code == "joint_with_district_required"
    plan = joint.create_joint_plan(actor=city_planner, data=_joint_data(district_enterprise, good))
    roles = {
        (p.department.code if p.department else p.external_name): p.role for p in plan.parties.all()
    }
    assert roles == {"650100": "lead", "650102": "partner"}
    assert plan.visit.merge_group == plan.merge_group
    assert list(plan.visit.joint_departments.values_list("code", flat=True)) == ["650102"]
    assert plan.visit.trigger == "random_draw"


@time_machine.travel(NOW, tick=False)
def test_r5_3_a_district_does_not_inspect_again_after_the_city_except_follow_ups(
    items, district_enterprise
):
    _visit(
        district_enterprise,
        "650100-WH",
        items=["YJ-WH-004"],
        day=dt.date(2025, 3, 1),
        status="done",
    )
    district = Department.objects.get(code="650102")
    args = dict(enterprise=district_enterprise, department=district, items=["YJ-ZH-001"], year=2025)
    refused = joint.planning_check(trigger="annual_plan", **args)
    assert not refused.allowed
    assert "city_already_inspected" in {r.code for r in refused.reasons}
    follow_up = joint.planning_check(trigger="follow_up", **args)
    assert follow_up.allowed


@time_machine.travel(NOW, tick=False)
def test_r5_4_the_same_item_twice_in_a_year_is_warned_at_planning(items, district_enterprise):
    _visit(
        district_enterprise,
        "650102",
        items=["YJ-WH-004", "YJ-ZH-001"],
        day=dt.date(2025, 2, 1),
        status="done",
    )
    check = joint.planning_check(
        enterprise=district_enterprise,
        department=Department.objects.get(code="650102"),
        items=["YJ-WH-004", "YJ-WH-008"],
        trigger="annual_plan",
        year=2025,
    )
    codes = [w.code for w in check.warnings]
    assert codes.count("same_item_this_year") == 1 and "YJ-WH-004" in check.warnings[0].message
    assert "cross_department_item" in codes  # YJ-WH-008 is on the cross-department list


@time_machine.travel(NOW, tick=False)
def test_r5_2_the_merge_finder_proposes_visits_of_several_units_within_the_window(
    items, approver, make_enterprise
):
    ent = make_enterprise(supervising_level="city")
    a = _visit(ent, "650100-WH", items=["YJ-WH-004"], day=dt.date(2025, 5, 10))
    b = _visit(ent, "650100-GM", items=["YJ-GM-004"], day=dt.date(2025, 5, 25), trigger="special")
    _visit(ent, "650100-WH", items=["YJ-WH-001"], day=dt.date(2025, 8, 1))  # outside the window
    proposals = joint.merge_proposals(user=approver, window_days=30)
    assert [p.visit_ids for p in proposals] == [[a.pk, b.pk]]
    assert "2个单位" in proposals[0].reason


@time_machine.travel(NOW, tick=False)
def test_r5_2_a_merged_visit_counts_once_against_the_cap(
    items, approver, city_planner, make_enterprise
):
    ent = make_enterprise(
        supervising_level="city", high_risk=False, standardization_grade=1
    )  # cap 1
    a = _visit(ent, "650100-WH", items=["YJ-WH-004"], day=dt.date(2025, 5, 10), status="approved")
    b = _visit(ent, "650100-GM", items=["YJ-GM-004"], day=dt.date(2025, 5, 12), status="approved")

    def pending():
        q = quota(
            table=bridge.cap_table(2025),
            policy=CapPolicy(),
            high_risk=False,
            grade=Grade.ONE,
            year=2025,
            visits=bridge.visit_facts([ent.pk], 2025).get(ent.pk, []),
            today=TODAY,
        )
        return q.pending

    assert pending() == 2
    with pytest.raises(Forbidden):
        joint.merge(
            actor=city_planner, data={"visit_ids": [a.pk, b.pk], "planned_date": "2025-05-12"}
        )
    decision = joint.merge(
        actor=approver,
        data={"visit_ids": [a.pk, b.pk], "planned_date": "2025-05-12", "reason": "综合查一次"},
    )
    assert pending() == 1
    assert MergeDecision.objects.get(pk=decision.pk).visit_ids == [a.pk, b.pk]
    assert joint.merge_proposals(user=approver) == []


@time_machine.travel(NOW, tick=False)
def test_r5_2_visits_already_started_are_not_merged(items, approver, make_enterprise):
    ent = make_enterprise(supervising_level="city")
    a = _visit(ent, "650100-WH", items=["YJ-WH-004"], day=dt.date(2025, 5, 5), status="in_progress")
    b = _visit(ent, "650100-GM", items=["YJ-GM-004"], day=dt.date(2025, 5, 12))
    with pytest.raises(Conflict):
        joint.merge(actor=approver, data={"visit_ids": [a.pk, b.pk], "planned_date": "2025-05-12"})
    b.refresh_from_db()
    assert b.merge_group is None
    assert not JointPlan.objects.exists()
