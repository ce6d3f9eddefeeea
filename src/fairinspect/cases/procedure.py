"""The procedure of a penalty case (R7.4): which procedure rules apply on a filing date and the
official working-day calendar. The steps and who takes them are `rules.case_workflow`.
No database access here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import chinese_calendar

from fairinspect.rules import case_workflow


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


# The steps, who takes them and the discussion rule live once, in rules/case_workflow.py.
STEPS = case_workflow.STEPS
OPEN_STATUSES = case_workflow.OPEN_STATUSES
Step = case_workflow.Step


def is_workday(day: dt.date) -> bool:
    """The official calendar (holidays and 调休 working weekends) from chinese_calendar.
    Outside the years the installed package covers it raises; we then fall back to Monday to
    Friday, which is wrong only on holidays the State Council has not yet announced: update
    the package each December when the next year's calendar is published."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5
