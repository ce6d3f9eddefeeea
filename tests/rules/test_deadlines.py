"""Procedure deadlines of a penalty case (R7.4).

The official calendar comes from chinese_calendar (a data package). 2025 National Day: 10-01 to
10-08 are rest days; Sunday 09-28 and Saturday 10-11 are working days (调休).
"""

from datetime import date, timedelta
from decimal import Decimal

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairinspect.rules.deadlines import (
    DayKind,
    Extension,
    HearingThresholds,
    add_calendar_days,
    add_working_days,
    decision_due,
    due_dates,
    hearing_required,
    is_overdue,
    late_surcharge,
    latest_day_before,
    payment_due,
    publication_due,
    service_due,
    statement_period_end,
)
from fairinspect.rules.discretion import Party

OFFICIAL = chinese_calendar.is_workday
D = Decimal


def weekdays_only(day: date) -> bool:
    return day.weekday() < 5


def test_r7_4_the_official_calendar_has_the_2025_national_day_holiday_and_its_working_weekends():
    assert not any(OFFICIAL(date(2025, 10, d)) for d in range(1, 9))
    assert OFFICIAL(date(2025, 9, 28)) and date(2025, 9, 28).weekday() == 6
    assert OFFICIAL(date(2025, 10, 11)) and date(2025, 10, 11).weekday() == 5


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2025, 9, 30), 1, date(2025, 10, 9)),  # over the whole holiday
        (date(2025, 9, 26), 1, date(2025, 9, 28)),  # Saturday off, Sunday 09-28 is a working day
        (date(2025, 10, 10), 1, date(2025, 10, 11)),  # Saturday 10-11 is a working day
        (date(2025, 9, 29), 3, date(2025, 10, 10)),
        (date(2025, 10, 3), 0, date(2025, 10, 3)),
    ],
)
def test_r7_4_working_days_skip_the_holiday_and_count_the_tiaoxiu_weekends(start, n, expected):
    assert add_working_days(start, n, OFFICIAL) == expected


def test_r7_4_a_fake_weekdays_only_calendar_counts_friday_plus_one_as_monday():
    assert add_working_days(date(2025, 10, 10), 1, weekdays_only) == date(2025, 10, 13)


def test_r7_4_statement_period_is_three_working_days_from_the_notice():
    deadline = statement_period_end(date(2025, 9, 29), OFFICIAL)
    assert (deadline.due, deadline.kind) == (date(2025, 10, 10), DayKind.WORKING)


def test_r7_4_hearing_request_is_five_working_days_after_notice_counting_the_working_saturday():
    deadlines = due_dates(
        filed_on=date(2025, 9, 1), notice_served_on=date(2025, 9, 29), is_workday=OFFICIAL
    )
    assert deadlines["hearing_request"].due == date(2025, 10, 13)
    assert "第六十四条" in deadlines["hearing_request"].basis.message


def test_r7_4_decision_is_due_ninety_calendar_days_after_filing_moved_past_the_holiday():
    deadline = decision_due(date(2025, 7, 10), OFFICIAL)
    assert date(2025, 7, 10) + timedelta(days=90) == date(2025, 10, 8)  # a rest day
    assert (deadline.due, deadline.kind) == (date(2025, 10, 9), DayKind.CALENDAR)


def test_r7_4_recorded_extensions_add_their_days_and_are_cited():
    deadline = decision_due(
        date(2025, 7, 10), OFFICIAL, [Extension(30, "案情复杂，经负责人批准", date(2025, 9, 30))]
    )
    assert deadline.due == date(2025, 11, 7)
    assert "延长30日" in deadline.basis.message


def test_r7_4_an_extension_must_add_days():
    with pytest.raises(ValueError):
        decision_due(date(2025, 7, 10), OFFICIAL, [Extension(0, "?")])


def test_r7_4_service_of_the_decision_is_seven_working_days():
    assert service_due(date(2025, 9, 29), OFFICIAL).due == date(2025, 10, 15)


def test_r7_4_payment_is_fifteen_calendar_days_and_a_last_day_in_the_holiday_moves_on():
    assert payment_due(date(2025, 9, 20), OFFICIAL).due == date(2025, 10, 9)
    assert payment_due(date(2025, 6, 3), OFFICIAL).due == date(2025, 6, 18)


def test_r7_4_publication_is_seven_working_days_after_the_decision():
    deadline = publication_due(date(2025, 9, 29), OFFICIAL)
    assert deadline.due == date(2025, 10, 15)
    assert "第七十八条" in deadline.basis.message


def test_r7_4_hearing_notice_must_leave_seven_working_days_before_the_hearing():
    latest = latest_day_before(date(2025, 10, 15), 7, OFFICIAL)
    assert add_working_days(latest, 7, OFFICIAL) <= date(2025, 10, 15)
    assert add_working_days(latest + timedelta(days=1), 7, OFFICIAL) > date(2025, 10, 15)
    assert latest_day_before(date(2025, 6, 16), 7, weekdays_only) == date(2025, 6, 5)


def test_r7_4_due_dates_lists_only_the_deadlines_already_started():
    started = due_dates(filed_on=date(2025, 9, 1), is_workday=OFFICIAL)
    assert set(started) == {"decision"}
    everything = due_dates(
        filed_on=date(2025, 9, 1),
        notice_served_on=date(2025, 9, 20),
        hearing_on=date(2025, 10, 20),
        decided_on=date(2025, 10, 27),
        decision_served_on=date(2025, 10, 28),
        is_workday=OFFICIAL,
    )
    assert set(everything) == {
        "decision",
        "statement",
        "hearing_request",
        "hearing_notice",
        "service",
        "publication",
        "payment",
    }
    assert all(
        d.basis.message.startswith("依据") or "《" in d.basis.message for d in everything.values()
    )


def test_r7_4_a_deadline_is_overdue_when_done_late_or_not_done_after_the_due_day():
    deadline = payment_due(date(2025, 9, 20), OFFICIAL)  # due 2025-10-09
    assert not is_overdue(deadline, done_on=None, today=date(2025, 10, 9))
    assert is_overdue(deadline, done_on=None, today=date(2025, 10, 10))
    assert not is_overdue(deadline, done_on=date(2025, 10, 9), today=date(2025, 12, 1))


@pytest.mark.parametrize(
    ("paid", "expected"),
    [
        (date(2025, 10, 9), D("0.00")),
        (date(2025, 10, 10), D("300.00")),
        (date(2025, 10, 19), D("3000.00")),
        (date(2025, 11, 11), D("9900.00")),  # 33 days
        (date(2025, 11, 12), D("10000.00")),  # 34 days would be 10,200: capped at the fine
        (date(2026, 6, 1), D("10000.00")),
    ],
)
def test_r7_4_late_surcharge_is_three_percent_a_day_capped_at_the_fine(paid, expected):
    assert late_surcharge(D(10000), date(2025, 10, 9), paid) == expected


def test_r7_4_days_of_review_or_litigation_do_not_add_surcharge():
    assert late_surcharge(D(10000), date(2025, 10, 9), date(2025, 10, 19), paused_days=10) == 0


@given(fine=st.decimals(0, 10_000_000, places=2), days=st.integers(0, 1000))
def test_r7_4_property_late_surcharge_never_exceeds_the_fine(fine, days):
    due = date(2025, 1, 1)
    assert 0 <= late_surcharge(fine, due, due + timedelta(days=days)) <= fine


@pytest.mark.parametrize(
    ("party", "fine", "required"),
    [
        (Party.UNIT, D(50000), True),
        (Party.UNIT, D("49999.99"), False),
        (Party.PERSON, D(20000), True),
        (Party.PERSON, D(19999), False),
    ],
)
def test_r7_4_a_large_fine_requires_a_hearing_notice(party, fine, required):
    decision = hearing_required(party, fine)
    assert decision.required is required
    assert decision.reasons and "第六十三条" in decision.reasons[0].message


def test_r7_4_suspension_of_production_requires_a_hearing_notice_whatever_the_fine():
    decision = hearing_required("unit", D(1000), penalty_types=("罚款", "责令停产停业整顿"))
    assert decision.required and decision.reasons[0].code == "heavy_penalty"


def test_r7_4_the_hearing_thresholds_are_data():
    local = HearingThresholds(unit=D(30000), person=D(10000), source="test")
    assert hearing_required("unit", D(30000), thresholds=local).required


holidays = st.sets(st.dates(date(2025, 1, 1), date(2025, 12, 31)), max_size=80)


@given(start=st.dates(date(2025, 1, 1), date(2025, 12, 31)), n=st.integers(0, 30), rest=holidays)
def test_r7_4_property_add_working_days_lands_on_the_nth_working_day(start, n, rest):
    def cal(day):
        return weekdays_only(day) and day not in rest

    due = add_working_days(start, n, cal)
    between = [start + timedelta(days=i) for i in range(1, (due - start).days + 1)]
    assert sum(cal(d) for d in between) == n
    assert n == 0 or cal(due)


@given(start=st.dates(date(2025, 1, 1), date(2025, 12, 31)), n=st.integers(0, 120))
def test_r7_4_property_calendar_deadlines_never_end_on_a_rest_day(start, n):
    due = add_calendar_days(start, n, OFFICIAL)
    assert OFFICIAL(due) and due >= start + timedelta(days=n)
