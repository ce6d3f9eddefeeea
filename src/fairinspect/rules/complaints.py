"""Complaints and reports (投诉举报, R8.1): the states, who may take each step, the deadlines.

A complaint is received (by the public form, the enterprise's page, a 12345 work order or a
referral), accepted or refused with a reason, assigned to a handling unit, verified, handled,
answered to the complainant, and closed once the complainant's satisfaction is recorded (or
could not be reached). A duplicate is merged into the complaint it repeats and follows it.

Deadlines are counted in working days from the day of receipt or acceptance; the table is data
(`DeadlineTable`, with the source of every row) passed in by the caller, never read here.
`is_workday` is passed in as for the case deadlines (`rules/deadlines.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .deadlines import IsWorkday, add_working_days
from .results import Reason


class State(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    ASSIGNED = "assigned"
    VERIFIED = "verified"
    HANDLED = "handled"
    REPLIED = "replied"
    CLOSED = "closed"
    MERGED = "merged"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    State.RECEIVED: "已接收待受理",
    State.ACCEPTED: "已受理待交办",
    State.REFUSED: "不予受理",
    State.ASSIGNED: "已交办待核查",
    State.VERIFIED: "已核查待办理",
    State.HANDLED: "已办理待答复",
    State.REPLIED: "已答复待评价",
    State.CLOSED: "已办结",
    State.MERGED: "已合并",
}
OPEN_STATES = frozenset(
    {State.RECEIVED, State.ACCEPTED, State.ASSIGNED, State.VERIFIED, State.HANDLED}
)
# States from which the complaint counts as accepted (a lead for an exempt inspection).
ACCEPTED_STATES = frozenset(
    {State.ACCEPTED, State.ASSIGNED, State.VERIFIED, State.HANDLED, State.REPLIED, State.CLOSED}
)


class Action(StrEnum):
    ACCEPT = "accept"
    REFUSE = "refuse"
    ASSIGN = "assign"
    VERIFY = "verify"
    HANDLE = "handle"
    REPLY = "reply"
    RECORD_SATISFACTION = "record_satisfaction"
    MERGE = "merge"


class Actor(StrEnum):
    """Who takes a step: the supervision office (受理、交办、答复、合并) or the handling unit."""

    SUPERVISION = "supervision"
    HANDLER = "handler"
    COMPLAINANT = "complainant"


@dataclass(frozen=True)
class Step:
    action: Action
    sources: frozenset[State]
    target: State
    actors: frozenset[Actor]
    needs_text: str = ""  # the field that must not be empty ("" when none)
    label: str = ""


STEPS: Mapping[Action, Step] = {
    s.action: s
    for s in (
        Step(
            Action.ACCEPT,
            frozenset({State.RECEIVED}),
            State.ACCEPTED,
            frozenset({Actor.SUPERVISION}),
            label="受理",
        ),
        Step(
            Action.REFUSE,
            frozenset({State.RECEIVED}),
            State.REFUSED,
            frozenset({Actor.SUPERVISION}),
            needs_text="reason",
            label="不予受理",
        ),
        Step(
            Action.ASSIGN,
            frozenset({State.ACCEPTED, State.ASSIGNED}),
            State.ASSIGNED,
            frozenset({Actor.SUPERVISION}),
            label="交办",
        ),
        Step(
            Action.VERIFY,
            frozenset({State.ASSIGNED}),
            State.VERIFIED,
            frozenset({Actor.HANDLER, Actor.SUPERVISION}),
            needs_text="verification",
            label="核查",
        ),
        Step(
            Action.HANDLE,
            frozenset({State.VERIFIED}),
            State.HANDLED,
            frozenset({Actor.HANDLER, Actor.SUPERVISION}),
            needs_text="result",
            label="办理",
        ),
        Step(
            Action.REPLY,
            frozenset({State.HANDLED}),
            State.REPLIED,
            frozenset({Actor.SUPERVISION, Actor.HANDLER}),
            needs_text="reply",
            label="答复",
        ),
        Step(
            Action.RECORD_SATISFACTION,
            frozenset({State.REPLIED}),
            State.CLOSED,
            frozenset({Actor.SUPERVISION, Actor.COMPLAINANT}),
            label="评价",
        ),
        Step(
            Action.MERGE,
            frozenset(OPEN_STATES),
            State.MERGED,
            frozenset({Actor.SUPERVISION}),
            label="合并重复件",
        ),
    )
}


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY = "basically_satisfied"
    UNSATISFIED = "unsatisfied"
    NOT_REACHED = "not_reached"


SATISFACTION_LABELS = {
    Satisfaction.SATISFIED: "满意",
    Satisfaction.BASICALLY: "基本满意",
    Satisfaction.UNSATISFIED: "不满意",
    Satisfaction.NOT_REACHED: "无法联系",
}


@dataclass(frozen=True)
class TransitionDecision:
    allowed: bool
    target: State | None
    reasons: tuple[Reason, ...]


def decide_transition(
    state: State | str, action: Action | str, *, actor: Actor | str, text: str = ""
) -> TransitionDecision:
    """Whether ``actor`` may take ``action`` on a complaint in ``state`` (and the new state)."""
    state, action, actor = State(state), Action(action), Actor(actor)
    step = STEPS[action]
    if state not in step.sources:
        return TransitionDecision(
            False,
            None,
            (Reason("wrong_state", f"投诉举报当前为“{state.label}”，不能{step.label}。"),),
        )
    if actor not in step.actors:
        return TransitionDecision(
            False, None, (Reason("wrong_actor", f"“{step.label}”不由该角色办理。"),)
        )
    if step.needs_text and not text.strip():
        return TransitionDecision(
            False, None, (Reason(f"{step.needs_text}_required", f"{step.label}须写明理由或结果。"),)
        )
    return TransitionDecision(True, step.target, (Reason("ok", f"可以{step.label}。"),))


# ------------------------------------------------------------------------ deadlines


class Start(StrEnum):
    RECEIVED = "received"  # counted from the day of receipt
    ACCEPTED = "accepted"  # counted from the day of acceptance


@dataclass(frozen=True)
class DeadlineRule:
    step: str  # accept, assign, verify, handle, reply
    days: int  # working days
    start: Start
    source: str


@dataclass(frozen=True)
class DeadlineTable:
    rules: tuple[DeadlineRule, ...]
    title: str

    def rule(self, step: str) -> DeadlineRule:
        for r in self.rules:
            if r.step == step:
                return r
        raise KeyError(step)


# The step a state waits for: what the overdue flag reads.
WAITING_FOR = {
    State.RECEIVED: "accept",
    State.ACCEPTED: "assign",
    State.ASSIGNED: "verify",
    State.VERIFIED: "handle",
    State.HANDLED: "reply",
}
STEP_LABELS = {
    "accept": "受理",
    "assign": "交办",
    "verify": "核查",
    "handle": "办结",
    "reply": "答复",
}


def parse_table(data: Mapping) -> DeadlineTable:
    """The table from its data file (supervision/data/complaint_deadlines.json)."""
    rules = []
    for row in data["steps"]:
        days = int(row["working_days"])
        if days <= 0 or row["step"] not in STEP_LABELS:
            raise ValueError(f"bad deadline row {row!r}")
        rules.append(DeadlineRule(row["step"], days, Start(row["from"]), str(row["source"])))
    steps = {r.step for r in rules}
    if steps != set(STEP_LABELS):
        raise ValueError(
            f"the deadline table must name every step: missing {set(STEP_LABELS) - steps}"
        )
    return DeadlineTable(tuple(rules), str(data.get("title", "")))


@dataclass(frozen=True)
class Due:
    step: str
    due: date
    rule: DeadlineRule

    @property
    def label(self) -> str:
        return STEP_LABELS[self.step]


def due_for(
    step: str,
    *,
    table: DeadlineTable,
    received_on: date,
    accepted_on: date | None,
    is_workday: IsWorkday,
) -> Due | None:
    rule = table.rule(step)
    start = received_on if rule.start is Start.RECEIVED else accepted_on
    if start is None:
        return None
    return Due(step, add_working_days(start, rule.days, is_workday), rule)


def current_due(
    state: State | str,
    *,
    table: DeadlineTable,
    received_on: date,
    accepted_on: date | None,
    is_workday: IsWorkday,
) -> Due | None:
    """The deadline of the step the complaint waits for, or None when nothing is pending."""
    step = WAITING_FOR.get(State(state))
    if step is None:
        return None
    return due_for(
        step, table=table, received_on=received_on, accepted_on=accepted_on, is_workday=is_workday
    )


def is_overdue(due: Due | None, *, today: date) -> bool:
    return due is not None and today > due.due


def all_dues(
    *, table: DeadlineTable, received_on: date, accepted_on: date | None, is_workday: IsWorkday
) -> tuple[Due, ...]:
    out = []
    for step in STEP_LABELS:
        d = due_for(
            step,
            table=table,
            received_on=received_on,
            accepted_on=accepted_on,
            is_workday=is_workday,
        )
        if d is not None:
            out.append(d)
    return tuple(out)


# ------------------------------------------------------------------------ merging


@dataclass(frozen=True)
class MergeDecision:
    allowed: bool
    reasons: tuple[Reason, ...]


def decide_merge(
    *,
    duplicate_state: State | str,
    target_state: State | str,
    same: bool,
    target_merged_into_duplicate: bool = False,
) -> MergeDecision:
    """A duplicate (重复件) is merged into another open or answered complaint, never into itself,
    into a merged or refused one, or into one that was merged into it."""
    d, t = State(duplicate_state), State(target_state)
    if same:
        return MergeDecision(False, (Reason("merge_self", "不能与自身合并。"),))
    if d not in OPEN_STATES:
        return MergeDecision(
            False, (Reason("wrong_state", f"该件当前为“{d.label}”，不能作为重复件合并。"),)
        )
    if t in (State.MERGED, State.REFUSED) or target_merged_into_duplicate:
        return MergeDecision(
            False, (Reason("merge_target_invalid", f"目标件当前为“{t.label}”，不能并入。"),)
        )
    return MergeDecision(True, (Reason("ok", "可以合并，重复件随主件办理和答复。"),))
