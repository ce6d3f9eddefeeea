"""Who may enter an enterprise, and which grade counts (R1.3, R3.2, R3.4, R4.2, R6.2).

Pure: the visits app turns rows into these values and asks. Reason codes are stable English;
messages are Chinese.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .caps import Grade, Reason

MIN_OFFICERS = 2  # R1.3: 执法人员不得少于两人


def effective_grade(
    grade: int | str | None, valid_to: date | None, on: date, valid_from: date | None = None
) -> Grade:
    """The standardisation grade that sets the cap on `on`.

    A grade whose certificate has lapsed (valid_to before the visit day) is 未定级 for the
    cap: the enterprise no longer holds the grade that earned it fewer inspections. A grade
    not yet in force (valid_from after the visit day) has not earned it yet either: until
    then the enterprise is 未定级 (its earlier grade, if any, is not on record). A grade
    without dates is taken as recorded.
    """
    if grade in (None, "", "none", 0):
        return Grade.NONE
    if valid_to is not None and valid_to < on:
        return Grade.NONE
    if valid_from is not None and valid_from > on:
        return Grade.NONE
    return Grade(str(grade))


@dataclass(frozen=True, slots=True)
class OfficerConfirmation:
    officer_id: str
    name: str
    eligible: bool  # certificate valid on the day and covering the matter
    confirmed: bool  # confirmed on their own phone, logged in
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True, slots=True)
class TeamDecision:
    ready: bool
    confirmed_eligible: tuple[str, ...]
    reasons: tuple[Reason, ...]


def decide_team(officers: Sequence[OfficerConfirmation], *, experts: int = 0) -> TeamDecision:
    """Ready to enter when at least two eligible officers have each confirmed.

    Experts give technical support and are never counted as one of the two (R1.3, R10).
    """
    reasons: list[Reason] = []
    eligible = [o for o in officers if o.eligible]
    if len(officers) < MIN_OFFICERS:
        extra = f"；{experts}名专家只提供技术支持，不计入执法人员" if experts else ""
        reasons.append(
            Reason(
                "too_few_officers",
                f"现场检查须由{MIN_OFFICERS}名以上持有效执法证的执法人员实施，"
                f"本次检查只安排了{len(officers)}名执法人员{extra}。",
            )
        )
    for o in officers:
        reasons.extend(o.reasons)
    if len(officers) >= MIN_OFFICERS and len(eligible) < MIN_OFFICERS:
        reasons.append(
            Reason(
                "too_few_eligible_officers",
                f"持有效执法证且证件范围覆盖本次检查事项的执法人员只有{len(eligible)}名，"
                f"不足{MIN_OFFICERS}名。",
            )
        )
    done = tuple(o.officer_id for o in eligible if o.confirmed)
    if len(eligible) >= MIN_OFFICERS and len(done) < MIN_OFFICERS:
        waiting = "、".join(o.name for o in eligible if not o.confirmed)
        reasons.append(
            Reason(
                "awaiting_confirmation",
                f"已确认入企的执法人员{len(done)}名，还需{MIN_OFFICERS - len(done)}名"
                f"在本人手机上登录确认（待确认：{waiting}）。",
            )
        )
    return TeamDecision(len(done) >= MIN_OFFICERS, done, tuple(reasons))


@dataclass(frozen=True, slots=True)
class PlanItem:
    code: str
    name: str
    offsite_capable: bool
    offsite_insufficient_reason: str = ""


def check_plan(items: Sequence[PlanItem], *, officers: int) -> tuple[Reason, ...]:
    """What stops a 现场检查方案 from being submitted or approved (R2.3, R4.2, R1.3)."""
    problems: list[Reason] = []
    if not items:
        problems.append(
            Reason("no_items", "检查方案未列入检查事项：无清单不检查，须从现行清单中选择事项。")
        )
    for it in items:
        if it.offsite_capable and not it.offsite_insufficient_reason.strip():
            problems.append(
                Reason(
                    "offsite_reason_missing",
                    f"事项“{it.code} {it.name}”可以非现场方式检查，"
                    "方案须说明非现场检查不足以查清的理由。",
                )
            )
    if officers < MIN_OFFICERS:
        problems.append(
            Reason(
                "too_few_officers",
                f"检查方案须安排{MIN_OFFICERS}名以上执法人员，当前{officers}名。",
            )
        )
    return tuple(problems)
