"""Experts on inspections (R12.1, R12.2): who may join which visit, and never alone.

An expert joins a visit's team only while appointed (status and term on the visit's day),
without a conflict of interest with the enterprise (a tie of a kind in
`legal_data/expert_conflicts.json`, still running or ended within the look-back years, or an
enterprise the pool lists as one the expert must avoid), and only beside at least two officers:
experts give technical support and are never counted as officers (the two-officer rule and the
certificate checks of `rules.checkin` are unchanged; `decide_team(..., experts=n)` still counts
officers only). Their opinions are advice, recorded apart from any decision.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .results import Reason

DATA = Path(__file__).parent / "legal_data" / "expert_conflicts.json"
MIN_OFFICERS = 2  # the same two of rules.checkin: an expert never makes up the number


@dataclass(frozen=True)
class ConflictPolicy:
    lookback_years: int
    kinds: dict[str, tuple[str, bool]]  # code → (label, counts after it ended)
    source: str


@cache
def default_policy() -> ConflictPolicy:
    doc: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return ConflictPolicy(
        lookback_years=int(doc["lookback_years"]),
        kinds={k: (v["label"], bool(v["lookback"])) for k, v in doc["kinds"].items()},
        source=doc["lookback_source"],
    )


@dataclass(frozen=True)
class Tie:
    """A declared relationship between the expert and an enterprise."""

    enterprise_id: int
    kind: str
    started_on: dt.date | None
    ended_on: dt.date | None  # None: still running


@dataclass(frozen=True)
class ExpertFacts:
    expert_id: int
    name: str
    status: str  # appointed / suspended / dismissed
    term_from: dt.date
    term_to: dt.date
    ties: tuple[Tie, ...] = ()
    avoid_enterprise_ids: frozenset[int] = frozenset()  # the pool's 回避企业


@dataclass(frozen=True)
class JoinDecision:
    allowed: bool
    reasons: tuple[Reason, ...]


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def conflicts(
    e: ExpertFacts, enterprise_id: int, day: dt.date, policy: ConflictPolicy | None = None
) -> tuple[Reason, ...]:
    """The expert's conflicts of interest with the enterprise on `day`."""
    policy = policy or default_policy()
    since = _years_before(day, policy.lookback_years)
    out: list[Reason] = []
    if enterprise_id in e.avoid_enterprise_ids:
        out.append(Reason("expert_avoids_enterprise", f"{e.name}在专家库中登记须回避该企业"))
    for t in e.ties:
        if t.enterprise_id != enterprise_id or t.kind not in policy.kinds:
            continue
        label, lookback = policy.kinds[t.kind]
        if t.started_on is not None and t.started_on > day:
            continue
        running = t.ended_on is None or t.ended_on >= day
        recent = lookback and t.ended_on is not None and t.ended_on >= since
        if running or recent:
            when = (
                "（现仍存在）"
                if running
                else f"（{t.ended_on:%Y年%m月%d日}结束，未满{policy.lookback_years}年）"
            )
            out.append(Reason("expert_conflict_of_interest", f"{e.name}：{label}{when}，应当回避"))
    return tuple(out)


def check_join(
    e: ExpertFacts,
    *,
    enterprise_id: int,
    day: dt.date,
    officers: int,
    policy: ConflictPolicy | None = None,
) -> JoinDecision:
    """Whether the expert may be added to a visit of `enterprise_id` on `day` whose team has
    `officers` officers (experts never counted)."""
    reasons: list[Reason] = []
    if e.status != "appointed":
        reasons.append(Reason("expert_not_appointed", f"{e.name}不在聘（暂停或已解聘）"))
    if not (e.term_from <= day <= e.term_to):
        reasons.append(
            Reason(
                "expert_term_not_in_force",
                f"{e.name}的聘期为{e.term_from:%Y年%m月%d日}至{e.term_to:%Y年%m月%d日}，"
                f"不含检查日{day:%Y年%m月%d日}",
            )
        )
    reasons.extend(conflicts(e, enterprise_id, day, policy))
    reasons.extend(never_alone(officers=officers, experts=1))
    return JoinDecision(not reasons, tuple(reasons))


def never_alone(*, officers: int, experts: int) -> tuple[Reason, ...]:
    """A visit with experts has at least two officers: experts never act alone and never
    count towards the two (严禁专家、中介机构单独执法)."""
    if experts and officers < MIN_OFFICERS:
        return (
            Reason(
                "experts_need_two_officers",
                f"有专家参加的检查须有至少{MIN_OFFICERS}名执法人员（现有{officers}名）；"
                "专家只提供技术支持，不计入执法人员，不得单独执法",
            ),
        )
    return ()


def check_score(score: object) -> Reason | None:
    """An evaluation score is a whole number from 1 to 5."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        return Reason("score_invalid", "评价分数应为1至5的整数")
    return None
