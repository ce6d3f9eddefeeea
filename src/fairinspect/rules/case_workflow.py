"""The workflow of a penalty case (R7.4) as data: which step moves which state, who takes it,
and the rule that a major case is discussed collectively before it is decided (《行政处罚法》
第五十七条第二款). Services refuse with these decisions and pages offer only the steps these
functions allow, so the table lives once.

Roles (the issue's allocation): the officer files, investigates, notifies, serves and executes;
the approver (单位负责人) approves filing, extends the time limit, holds the collective discussion,
decides and closes; the legal reviewer does 法制审核. Roles are the values of
`core.roles.Role` (this module may not import Django).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .results import Reason

OFFICER, APPROVER, LEGAL_REVIEWER = "officer", "approver", "legal_reviewer"


@dataclass(frozen=True)
class Step:
    action: str
    label: str
    role: str
    sources: tuple[str, ...]
    target: str | None  # None: the service chooses (legal review may return the case)

    @property
    def approving(self) -> bool:
        """Steps that approve, review or decide: the separation-of-duties rule applies."""
        return self.role != OFFICER


STEPS = {
    s.action: s
    for s in (
        Step("approve_filing", "批准立案", APPROVER, ("pending_filing",), "investigating"),
        Step("reject_filing", "不予立案", APPROVER, ("pending_filing",), "not_filed"),
        Step("investigate", "调查取证与裁量", OFFICER, ("investigating",), "investigating"),
        Step("notify", "送达告知书", OFFICER, ("investigating",), "notified"),
        Step("record_statement", "记录陈述申辩", OFFICER, ("notified",), "notified"),
        Step("legal_review", "法制审核", LEGAL_REVIEWER, ("notified",), None),
        Step("discuss", "集体讨论", APPROVER, ("reviewed",), "discussed"),
        Step("decide", "作出决定", APPROVER, ("reviewed", "discussed"), "decided"),
        Step("serve", "送达决定书", OFFICER, ("decided",), "served"),
        Step("execute", "执行", OFFICER, ("served",), "executed"),
        Step("close", "结案", APPROVER, ("executed",), "closed"),
        Step(
            "extend",
            "延长办案期限",
            APPROVER,
            ("investigating", "notified", "reviewed", "discussed"),
            None,
        ),
    )
}

OPEN_STATUSES = (
    "pending_filing",
    "investigating",
    "notified",
    "reviewed",
    "discussed",
    "decided",
    "served",
)

DISCUSSION_BASIS = Reason(
    "discussion_basis",
    "《行政处罚法》第五十七条第二款：对情节复杂或者重大违法行为给予行政处罚，"
    "行政机关负责人应当集体讨论决定。",
)


@dataclass(frozen=True)
class StepDecision:
    allowed: bool
    reasons: tuple[Reason, ...]


def discussion_rule(action: str, *, status: str, is_major: bool) -> StepDecision:
    """A major case is discussed before it is decided; a case that is not major is not
    discussed (it is decided directly)."""
    if action == "discuss" and not is_major:
        return StepDecision(
            False, (Reason("not_major", "本案不属于须集体讨论的重大案件，可直接决定。"),)
        )
    if action == "decide" and is_major and status != "discussed":
        return StepDecision(
            False,
            (Reason("discussion_required", "重大行政处罚案件须经集体讨论后方可决定。"),),
        )
    return StepDecision(True, ())


def step_allowed(action: str, *, status: str, is_major: bool, roles: Iterable[str]) -> bool:
    """Whether a person holding `roles` may take `action` now (role, state, discussion)."""
    step = STEPS.get(action)
    if step is None or status not in step.sources or step.role not in {str(r) for r in roles}:
        return False
    return discussion_rule(action, status=status, is_major=is_major).allowed


def available_actions(*, status: str, is_major: bool, roles: Iterable[str]) -> list[str]:
    held = {str(r) for r in roles}
    return [a for a in STEPS if step_allowed(a, status=status, is_major=is_major, roles=held)]
