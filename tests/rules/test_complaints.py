"""The complaint state machine and its deadlines as pure rules (R8.1)."""

import datetime as dt
import json
from pathlib import Path

import pytest

from fairinspect.rules import complaints as rule

DATA = (
    Path(__file__).resolve().parents[2]
    / "src/fairinspect/supervision/data/complaint_deadlines.json"
)


def weekdays(d: dt.date) -> bool:
    return d.weekday() < 5


@pytest.fixture
def table():
    return rule.parse_table(json.loads(DATA.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    "state,action,actor,allowed",
    [
        ("received", "accept", "supervision", True),
        ("received", "accept", "handler", False),
        ("received", "verify", "supervision", False),
        ("accepted", "assign", "supervision", True),
        ("assigned", "verify", "handler", True),
        ("verified", "handle", "handler", True),
        ("handled", "reply", "supervision", True),
        ("replied", "record_satisfaction", "complainant", True),
        ("closed", "reply", "supervision", False),
        ("refused", "accept", "supervision", False),
        ("merged", "merge", "supervision", False),
        ("verified", "merge", "supervision", True),
    ],
)
def test_r8_1_each_step_is_taken_from_its_states_by_its_actor(state, action, actor, allowed):
    text = "理由" if rule.STEPS[rule.Action(action)].needs_text else ""
    assert rule.decide_transition(state, action, actor=actor, text=text).allowed is allowed


def test_r8_1_a_refusal_needs_a_written_reason():
    d = rule.decide_transition("received", "refuse", actor="supervision", text="  ")
    assert not d.allowed and d.reasons[0].code == "reason_required"
    assert (
        rule.decide_transition(
            "received", "refuse", actor="supervision", text="不属于本局职责"
        ).target
        is rule.State.REFUSED
    )


def test_r8_1_every_step_has_a_deadline_with_its_source(table):
    assert {r.step for r in table.rules} == set(rule.STEP_LABELS)
    assert all(r.source and r.days > 0 for r in table.rules)


def test_r8_1_acceptance_is_due_two_working_days_after_receipt_skipping_the_weekend(table):
    friday = dt.date(2025, 6, 20)
    due = rule.current_due(
        "received", table=table, received_on=friday, accepted_on=None, is_workday=weekdays
    )
    assert due.step == "accept" and due.due == dt.date(2025, 6, 24)
    assert not rule.is_overdue(due, today=dt.date(2025, 6, 24))
    assert rule.is_overdue(due, today=dt.date(2025, 6, 25))


def test_r8_1_handling_is_due_fifteen_working_days_after_acceptance(table):
    due = rule.current_due(
        "verified",
        table=table,
        received_on=dt.date(2025, 6, 2),
        accepted_on=dt.date(2025, 6, 3),
        is_workday=weekdays,
    )
    assert due.step == "handle" and due.due == dt.date(2025, 6, 24)


def test_r8_1_a_closed_refused_or_merged_complaint_waits_for_nothing(table):
    for state in ("closed", "refused", "merged", "replied"):
        assert (
            rule.current_due(
                state,
                table=table,
                received_on=dt.date(2025, 1, 2),
                accepted_on=dt.date(2025, 1, 3),
                is_workday=weekdays,
            )
            is None
        )


def test_r8_1_a_table_missing_a_step_is_refused():
    with pytest.raises(ValueError):
        rule.parse_table(
            {"steps": [{"step": "accept", "working_days": 2, "from": "received", "source": "x"}]}
        )


@pytest.mark.parametrize(
    "dup,target,same,back,allowed",
    [
        ("received", "assigned", False, False, True),
        ("received", "received", True, False, False),
        ("closed", "assigned", False, False, False),
        ("received", "merged", False, False, False),
        ("received", "refused", False, False, False),
        ("received", "replied", False, True, False),
    ],
)
def test_r8_1_duplicates_merge_into_a_live_complaint_only(dup, target, same, back, allowed):
    assert (
        rule.decide_merge(
            duplicate_state=dup, target_state=target, same=same, target_merged_into_duplicate=back
        ).allowed
        is allowed
    )
