"""The procedure of a penalty case as data (R7.4): which step moves which state, who may take it,
and which procedure rules apply on a filing date. No database access here.

Roles (the issue's allocation): the officer files, investigates, notifies, serves and executes;
the approver (单位负责人) approves filing, extends the time limit, holds the collective discussion,
decides and closes; the legal reviewer does 法制审核.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import chinese_calendar

from fairinspect.core.roles import Role


@dataclass(frozen=True)
class ProcedureRule:
    code: str
    title: str
    effective_from: dt.date
    effective_to: dt.date | None


PROCEDURE_RULES = (
    ProcedureRule(
        "SAWS-15",
        "《安全生产违法行为行政处罚办法》（国家安全生产监督管理总局令第15号）",
        dt.date(2008, 1, 1),
        dt.date(2026, 1, 31),
    ),
    ProcedureRule(
        "MEM-18", "《应急管理行政处罚程序规定》（应急管理部令第18号）", dt.date(2026, 2, 1), None
    ),
)


def procedure_rule_on(day: dt.date) -> ProcedureRule:
    """The rules in force on the filing date: a case keeps the rules it was filed under."""
    for rule in PROCEDURE_RULES:
        if rule.effective_from <= day and (rule.effective_to is None or day <= rule.effective_to):
            return rule
    return PROCEDURE_RULES[0]


def procedure_rule(code: str) -> ProcedureRule:
    return next((r for r in PROCEDURE_RULES if r.code == code), PROCEDURE_RULES[0])


@dataclass(frozen=True)
class Step:
    action: str
    label: str
    role: Role
    sources: tuple[str, ...]
    target: str | None  # None: the service chooses (legal review may return the case)


STEPS = {
    s.action: s
    for s in (
        Step("approve_filing", "批准立案", Role.APPROVER, ("pending_filing",), "investigating"),
        Step("reject_filing", "不予立案", Role.APPROVER, ("pending_filing",), "not_filed"),
        Step("investigate", "调查取证与裁量", Role.OFFICER, ("investigating",), "investigating"),
        Step("notify", "送达告知书", Role.OFFICER, ("investigating",), "notified"),
        Step("record_statement", "记录陈述申辩", Role.OFFICER, ("notified",), "notified"),
        Step("legal_review", "法制审核", Role.LEGAL_REVIEWER, ("notified",), None),
        Step("discuss", "集体讨论", Role.APPROVER, ("reviewed",), "discussed"),
        Step("decide", "作出决定", Role.APPROVER, ("reviewed", "discussed"), "decided"),
        Step("serve", "送达决定书", Role.OFFICER, ("decided",), "served"),
        Step("execute", "执行", Role.OFFICER, ("served",), "executed"),
        Step("close", "结案", Role.APPROVER, ("executed",), "closed"),
        Step(
            "extend",
            "延长办案期限",
            Role.APPROVER,
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


def is_workday(day: dt.date) -> bool:
    """The official calendar (holidays and 调休 working weekends) from chinese_calendar.
    Outside the years the installed package covers it raises; we then fall back to Monday to
    Friday, which is wrong only on holidays the State Council has not yet announced: update
    the package each December when the next year's calendar is published."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5
