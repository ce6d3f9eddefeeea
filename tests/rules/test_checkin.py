"""Who may enter and which grade counts (R1.3, R3.2, R4.2, R6.2)."""

import datetime as dt
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairinspect.rules.caps import Grade
from fairinspect.rules.checkin import (
    OfficerConfirmation,
    PlanItem,
    check_plan,
    decide_team,
    effective_grade,
)

DAY = date(2025, 6, 18)


@pytest.mark.parametrize(
    ("grade", "valid_to", "expected"),
    [
        (1, None, Grade.ONE),
        (2, date(2025, 6, 18), Grade.TWO),
        (3, date(2026, 1, 1), Grade.THREE),
        (1, date(2025, 6, 17), Grade.NONE),
        (2, date(2024, 12, 31), Grade.NONE),
        (None, None, Grade.NONE),
        (None, date(2030, 1, 1), Grade.NONE),
        ("2", None, Grade.TWO),
    ],
)
def test_r3_2_an_expired_grade_counts_as_ungraded(grade, valid_to, expected):
    assert effective_grade(grade, valid_to, DAY) is expected


def _o(n, *, eligible=True, confirmed=True):
    return OfficerConfirmation(str(n), f"员{n}", eligible, confirmed)


def test_r1_3_two_eligible_confirmed_officers_are_ready():
    d = decide_team([_o(1), _o(2)])
    assert d.ready and d.confirmed_eligible == ("1", "2") and d.reasons == ()


def test_r1_3_one_officer_is_refused_and_an_expert_does_not_count():
    d = decide_team([_o(1)], experts=1)
    assert not d.ready
    assert d.reasons[0].code == "too_few_officers"
    assert "专家" in d.reasons[0].message


def test_r1_3_an_officer_without_a_valid_certificate_does_not_count():
    d = decide_team([_o(1), _o(2, eligible=False)])
    assert not d.ready
    assert [r.code for r in d.reasons] == ["too_few_eligible_officers"]


def test_r1_3_waiting_for_the_second_confirmation_names_who_is_missing():
    d = decide_team([_o(1), _o(2, confirmed=False)])
    assert not d.ready
    assert d.reasons[-1].code == "awaiting_confirmation" and "员2" in d.reasons[-1].message


@given(st.lists(st.tuples(st.booleans(), st.booleans()), max_size=6))
def test_r1_3_ready_exactly_when_two_eligible_officers_confirmed(flags):
    team = [_o(i, eligible=e, confirmed=c) for i, (e, c) in enumerate(flags)]
    d = decide_team(team)
    assert d.ready == (sum(1 for e, c in flags if e and c) >= 2)


def test_r4_2_an_offsite_capable_item_needs_a_reason_in_the_plan():
    items = [PlanItem("A1", "资料", True), PlanItem("A2", "现场", False)]
    assert [r.code for r in check_plan(items, officers=2)] == ["offsite_reason_missing"]
    items[0] = PlanItem("A1", "资料", True, "须现场核验设备状态")
    assert check_plan(items, officers=2) == ()


def test_r2_3_a_plan_without_items_or_with_one_officer_is_refused():
    codes = [r.code for r in check_plan([], officers=1)]
    assert codes == ["no_items", "too_few_officers"]


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "expected"),
    [
        (None, None, Grade.ONE),
        (dt.date(2025, 1, 1), dt.date(2027, 12, 31), Grade.ONE),
        (dt.date(2025, 6, 18), None, Grade.ONE),  # in force from the visit day itself
        (dt.date(2025, 6, 19), None, Grade.NONE),  # not yet in force: 未定级
        (dt.date(2025, 9, 1), dt.date(2028, 8, 31), Grade.NONE),
        (dt.date(2022, 1, 1), dt.date(2025, 6, 17), Grade.NONE),  # lapsed
    ],
)
def test_r3_2_a_grade_not_yet_in_force_does_not_set_the_cap(valid_from, valid_to, expected):
    from fairinspect.rules.checkin import effective_grade

    assert effective_grade(1, valid_to, dt.date(2025, 6, 18), valid_from) is expected
