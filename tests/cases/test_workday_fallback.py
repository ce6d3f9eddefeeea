"""R7 deadlines: the working-day calendar is the official one (holidays and 调休) in the years
chinese_calendar covers, and Monday to Friday in the first year it does not yet cover."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest

from fairinspect.cases.procedure import is_workday
from fairinspect.rules.deadlines import add_working_days

LAST_COVERED = max(d.year for d in chinese_calendar.holidays)
FALLBACK_YEAR = LAST_COVERED + 1


def test_r7_the_installed_calendar_does_not_cover_the_fallback_year():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(dt.date(FALLBACK_YEAR, 3, 2))


def test_r7_a_covered_year_follows_the_official_holidays_and_working_weekends():
    assert is_workday(dt.date(2025, 10, 1)) is False  # 国庆节, a Wednesday
    assert is_workday(dt.date(2025, 9, 28)) is True  # 调休: a Sunday worked


@pytest.mark.parametrize("year", [FALLBACK_YEAR, 2003])
def test_r7_outside_the_calendar_every_monday_to_friday_is_a_working_day_and_weekends_are_not(year):
    days = [dt.date(year, 3, 1) + dt.timedelta(days=i) for i in range(14)]
    assert [is_workday(d) for d in days] == [d.weekday() < 5 for d in days]


def test_r7_a_deadline_running_from_the_last_covered_year_into_the_fallback_year_is_counted():
    # 15 working days from 20 December: the covered December, then Monday to Friday.
    start = dt.date(LAST_COVERED, 12, 20)
    due = add_working_days(start, 15, is_workday)
    expected, left = start, 15
    while left:
        expected += dt.timedelta(days=1)
        if (
            chinese_calendar.is_workday(expected)
            if expected.year == LAST_COVERED
            else expected.weekday() < 5
        ):
            left -= 1
    assert due == expected and due.year == FALLBACK_YEAR
