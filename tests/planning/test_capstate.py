"""The freeze's set-based cap state agrees with rules.caps.decide_cap enterprise by
enterprise (issue 13 item 3, R3.2, R3.3, R3.4, R9.2), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest

from fairinspect.planning import bridge, capstate, queries
from fairinspect.rules import caps
from fairinspect.rules.caps import CapStage, ProposedVisit, Trigger, VisitKind

YEAR = 2025
ON = dt.date(2025, 4, 1)
TRIGGERS = ["annual_plan", "random_draw", "complaint", "referral", "monitoring", "follow_up"]
STATUSES = ["draft", "plan_submitted", "approved", "in_progress", "done", "cancelled"]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _world(make_enterprise, seed: int):
    from fairinspect.registry.models import Department
    from fairinspect.visits.models import Visit

    rnd = random.Random(seed)
    department = Department.objects.get(code="650100-WH")
    ents = []
    for _n in range(40):
        ents.append(
            make_enterprise(
                supervising_level="city",
                high_risk=rnd.random() < 0.6,
                standardization_grade=rnd.choice([1, 2, 3, None]),
                **rnd.choice(
                    [
                        {},
                        {"grade_valid_to": dt.date(2025, 3, 1)},  # lapsed before the draw
                        {"grade_valid_from": dt.date(2025, 5, 1)},  # not yet in force
                        {
                            "grade_valid_from": dt.date(2020, 1, 1),
                            "grade_valid_to": dt.date(2026, 1, 1),
                        },
                    ]
                ),
            )
        )
    kinds = {
        "complaint": "complaint_record",
        "referral": "referral_document",
        "monitoring": "monitoring_warning",
        "follow_up": "rectification_order",
    }
    for i, e in enumerate(ents):
        for _j in range(rnd.randint(0, 7)):
            trigger = rnd.choice(TRIGGERS)
            status = rnd.choice(STATUSES)
            day = rnd.choice(
                [
                    dt.date(2024, 12, 31),
                    dt.date(2025, 1, 1),
                    dt.date(2025, 2, 3),
                    dt.date(2025, 2, 3),
                    dt.date(2025, 3, 20),
                    dt.date(2025, 12, 31),
                    dt.date(2026, 1, 2),
                ]
            )
            checked = None
            if status in ("in_progress", "done") or rnd.random() < 0.2:
                # Around local midnight: the check-in day decides the year, in local time.
                checked = dt.datetime.combine(day, dt.time(rnd.choice([0, 9, 23])), SHANGHAI)
                checked += dt.timedelta(minutes=rnd.choice([-30, 0, 30]))
            just = {}
            if trigger in kinds:
                just = dict(
                    justification_kind=rnd.choice([kinds[trigger], "complaint_record"]),
                    justification_reference=rnd.choice(["TS-1", " X ", "R-9"]),
                    justification_date=rnd.choice(
                        [dt.date(2025, 1, 15), dt.date(2025, 3, 25), dt.date(2025, 6, 1)]
                    ),
                    justification_summary=rnd.choice(["摘要", "", "\u3000 ", "有内容"]),
                )
            Visit.objects.create(
                enterprise=e,
                kind=rnd.choice(["on_site", "on_site", "off_site"]),
                trigger=trigger,
                status=status,
                planned_date=day,
                department=department,
                inspecting_level="city",
                merge_group=rnd.choice([None, None, "", f"M{i % 3}"]),
                checked_in_at=checked,
                **just,
            )
    return ents


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("consumes", [False, True])
def test_r3_2_r3_3_r9_2_the_sql_cap_state_agrees_with_decide_cap_enterprise_by_enterprise(
    items, make_enterprise, seed, consumes
):
    from fairinspect.registry.models import Enterprise
    from fairinspect.visits.models import CapTableSetting

    ents = _world(make_enterprise, seed)
    CapTableSetting.objects.update_or_create(
        year=YEAR,
        defaults={
            "source": "测试",
            "exempt_consumes_cap": consumes,
            **{f: (n % 4) + 1 for n, f in enumerate(bridge.CAP_FIELDS)},
        },
    )
    table, policy = bridge.cap_table(YEAR), bridge.cap_policy(YEAR)
    params = caps.cap_count_parameters(
        table=table, policy=policy, year=YEAR, today=ON, stage=CapStage.PLANNING
    )
    qs = Enterprise.objects.filter(pk__in=[e.pk for e in ents])
    rows = list(capstate.cap_state(qs, params, ON))
    assert [r[1] for r in rows] == sorted(e.credit_code for e in ents)  # canonical order
    facts = bridge.visit_facts(qs.values("pk"), YEAR)
    proposed = ProposedVisit(VisitKind.ON_SITE, Trigger.RANDOM_DRAW, ON)
    by_pk = {e.pk: e for e in ents}
    seen_at_cap = seen_used = 0
    for pk, _code, _level, cap, used in rows:
        e = by_pk[pk]
        grade = bridge.effective_grade(
            e.standardization_grade, e.grade_valid_to, ON, e.grade_valid_from
        )
        decision = caps.decide_cap(
            table=table,
            policy=policy,
            high_risk=e.high_risk,
            grade=grade,
            year=YEAR,
            visits=facts.get(pk, []),
            proposed=proposed,
            today=ON,
            stage=CapStage.PLANNING,
        )
        assert (cap, used) == (decision.cap, decision.used), (e.credit_code, facts.get(pk))
        assert caps.at_cap(cap, used) == (not decision.allowed)
        seen_at_cap += caps.at_cap(cap, used)
        seen_used += used > 0
    assert seen_at_cap and seen_used  # the fixtures reach both sides


def test_r9_2_the_cap_state_reads_only_the_territory(items, make_enterprise):
    from fairinspect.registry.models import Department, Enterprise

    _world(make_enterprise, 4)
    params = caps.cap_count_parameters(
        table=bridge.cap_table(YEAR),
        policy=bridge.cap_policy(YEAR),
        year=YEAR,
        today=ON,
        stage=CapStage.PLANNING,
    )
    qs = queries.territory(Department.objects.get(code="650100")).filter(
        pk__in=Enterprise.objects.order_by("pk").values("pk")[:5]
    )
    sql, _params = capstate.cap_state_sql(qs, params, ON)
    assert sql.count("registry_enterprise") >= 2  # the visits are bounded by the territory
    assert len(list(capstate.cap_state(qs, params, ON))) == 5
