"""The learned-limits rules of the warning engine (R4.3): a group's band, its deviation and
the alarm latch with its off-delay."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from fairinspect.rules import monitoring as m

T0 = dt.datetime(2026, 6, 18, 8, 0, tzinfo=dt.UTC)


def test_r4_3_the_band_is_each_sensors_median_and_standard_deviation_floored_for_a_constant_one():
    band = m.learn_band([[9.0, 5.0], [11.0, 5.0], [9.0, 5.0], [11.0, 5.0]])
    assert band.centre == (10.0, 5.0)
    assert band.scale[0] == pytest.approx(1.0)
    assert band.scale[1] == pytest.approx(5e-3)  # 0.1 % of the level, never zero
    with pytest.raises(ValueError):
        m.learn_band([])


def test_r4_3_the_group_deviates_as_far_as_its_farthest_sensor_and_ignores_a_broken_one():
    band = m.Band((10.0, 100.0, 0.0), (1.0, 10.0, 1.0))
    dev = m.group_deviation([10.5, 60.0, math.nan], band)
    assert dev == m.GroupDeviation(4.0, 1)
    assert m.group_deviation([12.0, 100.0, 0.0], band) == m.GroupDeviation(2.0, 0)


def test_r4_3_the_group_deviation_feeds_the_ordinary_time_above_and_high_high_rules():
    rules = m.RuleSet(
        "learned",
        "1",
        "test",
        (
            m.Rule(m.RuleKind.HIGH_HIGH, m.Grade.ORANGE),
            m.Rule(m.RuleKind.TIME_ABOVE, m.Grade.YELLOW, seconds=2),
        ),
    )
    limits = m.Limits(high=3.0, high_high=6.0)
    band = m.Band((0.0, 0.0), (1.0, 1.0))
    state, fired = m.PointState(), []
    for i, row in enumerate([[4.0, 0.0], [0.0, 4.5], [4.0, 0.0], [0.0, 7.0]]):
        ev = m.evaluate_reading(
            rules=rules,
            limits=limits,
            state=state,
            at=T0 + dt.timedelta(seconds=i),
            value=m.group_deviation(row, band).value,
        )
        state = ev.state
        fired.append({c.kind for c in ev.conditions if c.active})
    # above 3 on different sensors still counts as the group above: held 2 s at the third
    assert fired == [
        set(),
        set(),
        {m.RuleKind.TIME_ABOVE},
        {m.RuleKind.TIME_ABOVE, m.RuleKind.HIGH_HIGH},
    ]


def test_r4_3_the_alarm_latch_holds_through_its_off_delay_and_clears_after_it():
    s = m.latch(m.Latch(), active=False, at=T0, clear_after_seconds=30)
    assert not s.raised
    s = m.latch(s, active=True, at=T0, clear_after_seconds=30)
    assert s.raised and s.last_active_at == T0
    s = m.latch(s, active=False, at=T0 + dt.timedelta(seconds=29), clear_after_seconds=30)
    assert s.raised  # a value dipping back for less than the off-delay keeps the alarm
    s = m.latch(s, active=True, at=T0 + dt.timedelta(seconds=40), clear_after_seconds=30)
    s = m.latch(s, active=False, at=T0 + dt.timedelta(seconds=69), clear_after_seconds=30)
    assert s.raised  # the off-delay counts from the last active reading
    s = m.latch(s, active=False, at=T0 + dt.timedelta(seconds=70), clear_after_seconds=30)
    assert not s.raised
