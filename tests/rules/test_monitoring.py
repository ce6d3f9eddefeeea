"""The monitoring rules (R4.3): one test per warning rule, the roll-up, disposal deadlines,
escalation, review separation and the risk score."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairinspect.rules import monitoring as m
from fairinspect.rules.monitoring import Grade, RuleKind

T0 = dt.datetime(2026, 6, 18, 8, 0, tzinfo=dt.UTC)
RULES = m.RuleSet(
    "test",
    "1",
    "test",
    (
        m.Rule(RuleKind.HIGH, Grade.YELLOW),
        m.Rule(RuleKind.HIGH_HIGH, Grade.ORANGE),
        m.Rule(RuleKind.LOW, Grade.YELLOW),
        m.Rule(RuleKind.LOW_LOW, Grade.ORANGE),
        m.Rule(RuleKind.RATE, Grade.YELLOW),
        m.Rule(RuleKind.TIME_ABOVE, Grade.ORANGE, seconds=600),
        m.Rule(RuleKind.STALE, Grade.BLUE, seconds=300),
    ),
)
LIMITS = m.Limits(
    low_low=1, low=2, high=16, high_high=18, rate_per_minute=1, range_low=0, range_high=20
)


EMPTY = m.PointState()


def verdicts(value, state=EMPTY, at=T0, rules=RULES, limits=LIMITS):
    ev = m.evaluate_reading(rules=rules, limits=limits, state=state, at=at, value=value)
    return {c.kind: c.active for c in ev.conditions}, ev


@pytest.mark.parametrize(
    ("value", "active"),
    [
        (10, set()),
        (16.5, {RuleKind.HIGH}),
        (18.5, {RuleKind.HIGH, RuleKind.HIGH_HIGH}),
        (1.5, {RuleKind.LOW}),
        (0.5, {RuleKind.LOW, RuleKind.LOW_LOW}),
        (16, set()),  # at the limit is not above it
    ],
)
def test_r4_3_level_rules_high_high_high_low_and_low_low(value, active):
    got, _ev = verdicts(value)
    assert {k for k, v in got.items() if v} == active


def test_r4_3_rate_of_change_compares_the_change_per_minute_with_the_limit():
    state = m.PointState(T0, 10.0, None)
    slow, _ = verdicts(10.5, state, T0 + dt.timedelta(seconds=60))
    fast, _ = verdicts(12.5, state, T0 + dt.timedelta(seconds=60))
    assert slow[RuleKind.RATE] is False and fast[RuleKind.RATE] is True


def test_r4_3_time_above_a_limit_fires_only_once_the_value_stayed_above_it_long_enough():
    state = m.PointState()
    active = []
    for minute in range(0, 12):
        got, ev = verdicts(17.0, state, T0 + dt.timedelta(minutes=minute))
        active.append(got[RuleKind.TIME_ABOVE])
        state = ev.state
    assert active.index(True) == 10  # 600 seconds after the first reading above 16
    got, ev = verdicts(10.0, state, T0 + dt.timedelta(minutes=13))
    assert got[RuleKind.TIME_ABOVE] is False and ev.state.above_since is None


def test_r4_3_a_stale_sensor_is_one_silent_longer_than_its_rule_allows():
    assert (
        m.evaluate_staleness(rules=RULES, last_at=T0, now=T0 + dt.timedelta(seconds=299)).active
        is False
    )
    assert (
        m.evaluate_staleness(rules=RULES, last_at=T0, now=T0 + dt.timedelta(seconds=301)).active
        is True
    )
    assert m.evaluate_staleness(rules=RULES, last_at=None, now=T0).active is True


def test_r4_3_an_out_of_order_reading_is_judged_by_the_level_rules_only_and_keeps_the_state():
    state = m.PointState(T0, 10.0, None)
    got, ev = verdicts(17.0, state, T0 - dt.timedelta(seconds=30))
    assert not ev.in_order and ev.state == state
    assert set(got) == {RuleKind.HIGH, RuleKind.HIGH_HIGH, RuleKind.LOW, RuleKind.LOW_LOW}


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (float("nan"), m.ReadingProblem.NOT_FINITE),
        (21, m.ReadingProblem.OUT_OF_RANGE),
        (-1, m.ReadingProblem.OUT_OF_RANGE),
        (5, None),
    ],
)
def test_r4_3_a_reading_the_instrument_cannot_produce_is_refused(value, problem):
    assert m.check_reading(value, LIMITS) == problem


@pytest.mark.parametrize(
    ("grades", "point_grade"),
    [
        ([], None),
        ([Grade.BLUE], Grade.BLUE),
        ([Grade.YELLOW, Grade.YELLOW], Grade.YELLOW),
        ([Grade.YELLOW, Grade.YELLOW, Grade.YELLOW], Grade.ORANGE),
        ([Grade.BLUE, Grade.BLUE, Grade.BLUE], Grade.YELLOW),
        ([Grade.YELLOW, Grade.ORANGE, Grade.YELLOW], Grade.ORANGE),
        ([Grade.ORANGE, Grade.ORANGE, Grade.ORANGE], Grade.RED),
        ([Grade.RED, Grade.RED, Grade.RED], Grade.RED),
        ([Grade.BLUE, Grade.BLUE, Grade.YELLOW], Grade.YELLOW),
    ],
)
def test_r4_3_several_lower_warnings_at_one_point_raise_its_grade(grades, point_grade):
    assert m.roll_up(grades) == point_grade


@given(st.lists(st.sampled_from(list(Grade)), min_size=1, max_size=12))
def test_r4_3_the_roll_up_is_never_below_the_highest_warning_and_at_most_one_step_above(grades):
    g = m.roll_up(grades)
    assert max(grades) <= g <= min(Grade.RED, max(grades) + 1)


def test_r3_3_only_red_and_orange_are_serious():
    assert {g for g in Grade if m.is_serious(g)} == {Grade.RED, Grade.ORANGE}


def test_r4_3_disposal_deadlines_are_shorter_for_graver_warnings():
    red = m.disposal_deadlines(Grade.RED, T0)
    blue = m.disposal_deadlines(Grade.BLUE, T0)
    assert red.acknowledge_by == T0 + dt.timedelta(minutes=30)
    assert red.acknowledge_by < red.report_by < red.review_by
    assert red.report_by < blue.report_by


def test_r4_3_escalation_counts_each_missed_step_and_is_idempotent():
    due = m.disposal_deadlines(Grade.ORANGE, T0)
    early = m.escalation(stage=m.Stage.OPEN, deadlines=due, now=T0 + dt.timedelta(hours=1), level=0)
    assert not early.due
    late = m.escalation(stage=m.Stage.OPEN, deadlines=due, now=T0 + dt.timedelta(hours=25), level=0)
    assert late.due and late.level == 2 and len(late.reasons) == 2
    again = m.escalation(
        stage=m.Stage.OPEN, deadlines=due, now=T0 + dt.timedelta(hours=25), level=late.level
    )
    assert not again.due and again.level == 2
    acted = m.escalation(
        stage=m.Stage.ACKNOWLEDGED, deadlines=due, now=T0 + dt.timedelta(hours=3), level=0
    )
    assert not acted.due
    closed = m.escalation(
        stage=m.Stage.CLOSED, deadlines=due, now=T0 + dt.timedelta(days=30), level=0
    )
    assert not closed.due


def test_r4_3_whoever_reported_the_action_never_reviews_it_and_only_staff_review():
    assert m.may_review(
        reviewer_is_staff=True, reviewer_id=2, reported_by_id=1, stage=m.Stage.REPORTED
    ).allowed
    assert not m.may_review(
        reviewer_is_staff=True, reviewer_id=1, reported_by_id=1, stage=m.Stage.REPORTED
    ).allowed
    assert not m.may_review(
        reviewer_is_staff=False, reviewer_id=2, reported_by_id=1, stage=m.Stage.REPORTED
    ).allowed
    assert not m.may_review(
        reviewer_is_staff=True, reviewer_id=2, reported_by_id=1, stage=m.Stage.OPEN
    ).allowed


def _factors(**kw):
    base = dict(
        open_warnings={},
        open_hazards=0,
        major_hazards=0,
        credit_level="A",
        standardization_grade=1,
        accidents_3y=0,
        complaints_1y=0,
    )
    return m.RiskFactors(**{**base, **kw})


def test_r4_3_the_risk_score_shows_each_factors_share():
    s = m.risk_score(
        _factors(
            open_warnings={Grade.RED: 1},
            open_hazards=2,
            credit_level="C",
            standardization_grade=None,
        )
    )
    parts = dict(s.parts)
    assert (
        parts["warnings"] == 20
        and parts["open_hazards"] == 6
        and parts["credit"] == 15
        and parts["standardization"] == 10
    )
    assert s.total == 51
    shares = dict(s.shares())
    assert shares["warnings"] == pytest.approx(20 / 51)


@given(
    st.integers(0, 5),
    st.integers(0, 20),
    st.integers(0, 3),
    st.sampled_from("ABCD"),
    st.sampled_from([1, 2, 3, None]),
    st.integers(0, 4),
    st.integers(0, 9),
)
def test_r4_3_shares_sum_to_one_and_the_pool_weight_stays_between_one_and_three(
    red, hazards, majors, credit, grade, accidents, complaints
):
    s = m.risk_score(
        _factors(
            open_warnings={Grade.RED: red},
            open_hazards=hazards,
            major_hazards=majors,
            credit_level=credit,
            standardization_grade=grade,
            accidents_3y=accidents,
            complaints_1y=complaints,
        )
    )
    if s.total:
        assert sum(v for _k, v in s.shares()) == pytest.approx(1)
    assert 1 <= m.pool_weight(s) <= 3


def test_r4_3_the_ranking_puts_the_highest_score_first_and_breaks_ties_by_id():
    a, b = m.risk_score(_factors(open_hazards=1)), m.risk_score(_factors(open_hazards=3))
    assert [i for i, _s in m.rank({1: a, 2: b, 3: b})] == [2, 3, 1]


def test_r4_3_a_warning_clears_only_after_its_off_delay_and_a_stale_one_at_the_next_reading():
    later = T0 + dt.timedelta(seconds=59)
    assert not m.clears(RuleKind.HIGH, last_active_at=T0, at=later, clear_after_seconds=60)
    assert m.clears(
        RuleKind.HIGH, last_active_at=T0, at=T0 + dt.timedelta(seconds=60), clear_after_seconds=60
    )
    assert m.clears(RuleKind.STALE, last_active_at=T0, at=later, clear_after_seconds=60)
