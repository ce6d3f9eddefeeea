"""Pure checks of an annual plan before approval (R9.1, R3.2, R3.5): no Django, no clock.

The service turns the plan's rows into these values and refuses approval when ``ok`` is
False, showing every reason at once so the planner can fix them together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .caps import CapTable, Grade, check_non_high_risk_reduction
from .results import Reason


@dataclass(frozen=True)
class LineFact:
    high_risk: bool
    grade: Grade
    enterprises: int
    planned_visits: int
    last_year_visits: int  # what the −10% rule compares: derived, or the override
    sampling_ratio: Decimal
    last_year_derived: int | None = None  # counted from last year's visits
    last_year_override_reason: str = ""  # set when last_year_visits is a written override


@dataclass(frozen=True)
class KeyFact:
    enterprise: str  # credit code
    name: str
    high_risk: bool
    grade: Grade
    planned_visits: int
    at_cap_now: int = 0  # visits already counted against the cap this year


@dataclass(frozen=True)
class LineCheck:
    line: LineFact
    cap: int
    max_visits: int  # enterprises × cap
    ok: bool
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class PlanCheck:
    ok: bool
    lines: tuple[LineCheck, ...]
    non_high_risk_previous: int
    non_high_risk_planned: int
    reduction_ok: bool
    reduction_message: str  # the −10% comparison in words, passed or not
    reasons: tuple[Reason, ...]  # every failure, plan-wide and per line; empty when ok
    # Not failures, but what the approver must see: overridden counts with their reasons.
    notices: tuple[Reason, ...] = ()


def _class_label(high_risk: bool, grade: Grade) -> str:
    return f"{'高危行业' if high_risk else '非高危行业'}、{grade.label}"


def check_plan(
    *, table: CapTable, lines: Sequence[LineFact], key_enterprises: Sequence[KeyFact]
) -> PlanCheck:
    reasons: list[Reason] = []
    checked: list[LineCheck] = []
    for line in lines:
        cap = table.cap(line.high_risk, line.grade)
        max_visits = cap * line.enterprises
        own: list[Reason] = []
        what = _class_label(line.high_risk, line.grade)
        if line.planned_visits > max_visits:
            own.append(
                Reason(
                    "plan_over_cap",
                    f"{what}企业{line.enterprises}家，每家年度上限{cap}次，计划现场检查"
                    f"{line.planned_visits}次超过上限合计{max_visits}次。",
                )
            )
        if not Decimal(0) <= line.sampling_ratio <= Decimal(1):
            own.append(Reason("ratio_invalid", f"{what}的随机抽查比例须在0到1之间。"))
        checked.append(LineCheck(line, cap, max_visits, not own, tuple(own)))
        reasons.extend(own)
    for key in key_enterprises:
        cap = table.cap(key.high_risk, key.grade)
        if key.planned_visits < 1:
            reasons.append(Reason("key_needs_visit", f"重点检查企业{key.name}每年至少检查1次。"))
        if key.planned_visits + key.at_cap_now > cap:
            reasons.append(
                Reason(
                    "key_over_cap",
                    f"重点检查企业{key.name}（{_class_label(key.high_risk, key.grade)}）"
                    f"年度上限{cap}次，已计入{key.at_cap_now}次，计划{key.planned_visits}次超过上限。",
                )
            )
    notices = tuple(
        Reason(
            "last_year_overridden",
            f"{_class_label(li.high_risk, li.grade)}上年度现场检查次数人工更正为"
            f"{li.last_year_visits}次（系统按上年度检查记录统计为{li.last_year_derived}次），"
            f"理由：{li.last_year_override_reason}",
        )
        for li in lines
        if li.last_year_override_reason
    )
    previous = sum(li.last_year_visits for li in lines if not li.high_risk)
    planned = sum(li.planned_visits for li in lines if not li.high_risk)
    reduction = check_non_high_risk_reduction(previous, planned)
    if not reduction.ok:
        reasons.extend(reduction.reasons)
    return PlanCheck(
        ok=not reasons,
        lines=tuple(checked),
        non_high_risk_previous=previous,
        non_high_risk_planned=planned,
        reduction_ok=reduction.ok,
        reduction_message=reduction.reasons[0].message,
        reasons=tuple(reasons),
        notices=notices,
    )
