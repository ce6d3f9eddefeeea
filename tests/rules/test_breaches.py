"""R8.4: each breach rule with a case that trips it and one that does not."""

import datetime as dt
from decimal import Decimal as D

import pytest

from fairinspect.rules import breaches as br
from fairinspect.rules.caps import Trigger

DAY = dt.date(2026, 5, 6)
AT = dt.datetime(2026, 5, 6, 9, 0)


def team(*valid, experts=0):
    return br.Team(
        1, DAY, tuple(br.Member(i, f"员{i}", f"C{i}", v) for i, v in enumerate(valid)), experts
    )


def iv(vid, dept, trigger=Trigger.ANNUAL_PLAN, group=None):
    return br.ItemVisit(vid, dept, f"单位{dept}", DAY, trigger, group)


CASES = [
    # (rule function, facts that trip it, facts that do not, kwargs)
    (
        "r8_4_over_cap",
        br.over_cap,
        br.CapCount(1, "甲", 2026, 2, "高危", (1, 2, 3)),
        br.CapCount(1, "甲", 2026, 2, "高危", (1, 2)),
        {},
    ),
    ("r1_3_too_few_certified", br.too_few_certified, team(True, False), team(True, True), {}),
    (
        "r1_1_lapsed_certificate",
        br.lapsed_certificate,
        team(True, True, False),
        team(True, True),
        {},
    ),
    ("r1_3_experts_alone", br.experts_alone, team(experts=1), team(True, True, experts=1), {}),
    (
        "r6_2_no_approved_plan",
        br.no_approved_plan,
        br.PlanFact(1, AT, None),
        br.PlanFact(1, AT, AT - dt.timedelta(days=1)),
        {},
    ),
    (
        "r6_3_no_recording",
        br.no_recording,
        br.RecordingFact(1, DAY, True, True, True),
        br.RecordingFact(1, DAY, True, True, False),
        {},
    ),
    (
        "r5_4_same_item_multi_unit",
        br.same_item_multi_unit,
        br.ItemRepeat(1, "甲", 2026, "A01", (iv(1, 10), iv(2, 11))),
        br.ItemRepeat(1, "甲", 2026, "A01", (iv(1, 10), iv(2, 11, Trigger.FOLLOW_UP))),
        {},
    ),
    (
        "r5_3_district_after_city",
        br.district_after_city,
        br.DistrictVisit(
            2, DAY, Trigger.ANNUAL_PLAN, frozenset({"A01"}), ((1, frozenset({"A01"})),)
        ),
        br.DistrictVisit(2, DAY, Trigger.FOLLOW_UP, frozenset({"A01"}), ((1, frozenset({"A01"})),)),
        {},
    ),
    (
        "r8_4_overdue_order",
        br.overdue_order,
        br.OrderFact(1, "令1", DAY - dt.timedelta(days=10), False),
        br.OrderFact(1, "令1", DAY - dt.timedelta(days=3), False),
        {"today": DAY},
    ),
    (
        "r7_4_overdue_case",
        br.overdue_case,
        br.DueFact(1, "案1", DAY - dt.timedelta(days=1), "decision"),
        br.DueFact(1, "案1", DAY, "decision"),
        {"today": DAY},
    ),
    (
        "r8_1_overdue_complaint",
        br.overdue_complaint,
        br.DueFact(1, "TS1", DAY - dt.timedelta(days=1), "受理"),
        br.DueFact(1, "TS1", DAY, "受理"),
        {"today": DAY},
    ),
    (
        "r8_2_overdue_disclosure",
        br.overdue_disclosure,
        br.DisclosureFact(1, 1, "决1", DAY - dt.timedelta(days=2), DAY),
        br.DisclosureFact(1, 1, "决1", DAY, DAY),
        {"today": DAY},
    ),
    (
        "r7_2_fine_outside_range",
        br.fine_outside_range,
        br.CaseFine(1, "案1", D(90000), D(10000), D(50000), True, False),
        br.CaseFine(1, "案1", D(90000), D(10000), D(50000), True, True),
        {},
    ),
    (
        "r7_2_similar_cases_disparity",
        br.similar_cases_disparity,
        br.SimilarCases(
            "V1", "违法", "ordinary", "unit", 2026, ((1, "a", D(10000)), (2, "b", D(30000)))
        ),
        br.SimilarCases(
            "V1", "违法", "ordinary", "unit", 2026, ((1, "a", D(10000)), (2, "b", D(20000)))
        ),
        {},
    ),
    (
        "r6_6_checkin_far",
        br.checkin_far,
        br.CheckInPlace(1, 1, 43.80, 87.60, 43.82, 87.60),
        br.CheckInPlace(1, 1, 43.80, 87.60, 43.805, 87.60),
        {},
    ),
    (
        "r6_6_checkin_off_hours",
        br.checkin_off_hours,
        br.CheckInTime(1, AT.replace(hour=22)),
        br.CheckInTime(1, AT),
        {},
    ),
]


@pytest.mark.parametrize("name,fn,trips,passes,kw", CASES, ids=[c[0] for c in CASES])
def test_r8_4_each_breach_rule_trips_on_its_case_and_not_on_the_other(name, fn, trips, passes, kw):
    found = fn(trips, **kw)
    assert found is not None and found.message and found.evidence
    assert fn(passes, **kw) is None


def test_r8_4_every_rule_has_a_label_and_one_function():
    assert set(br.RULE_LABELS) == set(br.Rule)
    for rule in br.Rule:
        assert callable(getattr(br, rule.value))


def test_r5_4_visits_of_one_merge_group_are_one_trip_not_a_repeat():
    f = br.ItemRepeat(1, "甲", 2026, "A01", (iv(1, 10, group="g"), iv(2, 11, group="g")))
    assert br.same_item_multi_unit(f) is None


def test_r8_4_the_over_cap_breach_names_the_visits_beyond_the_cap():
    found = br.over_cap(br.CapCount(7, "甲", 2026, 1, "非高危", (11, 12, 13)))
    assert [e.id for e in found.evidence] == [12, 13] and found.key == "ent:7:2026"


def test_r6_6_the_sql_prefilter_box_never_drops_a_far_checkin():
    dlat, dlng = br.prefilter_degrees()
    # Just beyond the threshold diagonally: both offsets exceed the box on at least one axis.
    import math

    for bearing in range(0, 360, 15):
        d = br.DEFAULT_THRESHOLDS.far_km * 1.01
        lat = 43.8 + d * math.cos(math.radians(bearing)) / 111.2
        lng = 87.6 + d * math.sin(math.radians(bearing)) / (111.32 * math.cos(math.radians(43.8)))
        if br.distance_km(43.8, 87.6, lat, lng) > br.DEFAULT_THRESHOLDS.far_km:
            assert abs(lat - 43.8) > dlat or abs(lng - 87.6) > dlng
