"""Monitoring warnings (R4.3): threshold rules, grades and their roll-up, disposal deadlines
and escalation, and the risk score. Pure: no Django, no clock, no I/O.

The threshold rules themselves are data (`monitoring/data/warning_rules.json`, versioned,
each with its source); this module decides what a rule means for one reading.

Grades (预警等级), most serious first: 红 red, 橙 orange, 黄 yellow, 蓝 blue.
Roll-up (升级规则): the grade of a point is the highest grade of its open warnings, raised
when several lower warnings coincide: `ROLL_UP_COUNT` (3) or more open warnings at one point
of grade G or above make the point at least one step above G (蓝→黄→橙→红), red being the
ceiling. Three yellows make orange; two yellows and an orange stay orange; three oranges make
red. A warning opens with the grade of the point at that moment (its rule's grade or the
rolled-up grade, whichever is higher); its rule's own grade is kept beside it.
Serious (严重) grades are red and orange: only they justify an exempt inspection (R3.3).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from itertools import pairwise

from .results import Reason


class Grade(IntEnum):
    BLUE = 1
    YELLOW = 2
    ORANGE = 3
    RED = 4

    @property
    def label(self) -> str:
        return {1: "蓝色", 2: "黄色", 3: "橙色", 4: "红色"}[self.value]

    @property
    def code(self) -> str:
        return self.name.lower()

    @classmethod
    def from_code(cls, code: str) -> Grade:
        return cls[code.upper()]


SERIOUS_GRADES = frozenset({Grade.RED, Grade.ORANGE})
ROLL_UP_COUNT = 3


def is_serious(grade: Grade) -> bool:
    return grade in SERIOUS_GRADES


class RuleKind(StrEnum):
    HIGH = "high"  # value above the high (一级) limit
    HIGH_HIGH = "high_high"  # value above the high-high (二级) limit
    LOW = "low"
    LOW_LOW = "low_low"
    RATE = "rate"  # change per minute larger than the limit, either direction
    TIME_ABOVE = "time_above"  # above the high limit for longer than `seconds`
    STALE = "stale"  # no reading for longer than `seconds` (offline sensor)
    DRIFT = "drift"  # a drift detector (river) signalled a change of the level


@dataclass(frozen=True, slots=True)
class Rule:
    kind: RuleKind
    grade: Grade
    seconds: float = 0.0  # TIME_ABOVE and STALE
    over: str = "high"  # TIME_ABOVE: the limit held above, "high" or "high_high"


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A versioned set of rules for a kind of point, with the standard it follows."""

    code: str
    version: str
    source: str
    rules: tuple[Rule, ...]

    def rule(self, kind: RuleKind) -> Rule | None:
        return next((r for r in self.rules if r.kind == kind), None)


@dataclass(frozen=True, slots=True)
class Limits:
    """A point's configured limits; None where the point has none."""

    low_low: float | None = None
    low: float | None = None
    high: float | None = None
    high_high: float | None = None
    rate_per_minute: float | None = None
    range_low: float | None = None
    range_high: float | None = None


@dataclass(frozen=True, slots=True)
class PointState:
    """What the engine remembers of a point between readings."""

    last_at: datetime | None = None
    last_value: float | None = None
    above_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class Condition:
    """One rule's verdict on one reading: active or not, with the numbers it compared."""

    kind: RuleKind
    grade: Grade
    active: bool
    value: float
    limit: float | None
    message: str


@dataclass(frozen=True, slots=True)
class Evaluation:
    conditions: tuple[Condition, ...]
    state: PointState
    in_order: bool  # False: an older reading than the last; it never clears a warning


class ReadingProblem(StrEnum):
    NOT_FINITE = "not_finite"
    OUT_OF_RANGE = "out_of_range"


def check_reading(value: float, limits: Limits) -> ReadingProblem | None:
    """A reading the instrument cannot have produced is refused, not evaluated."""
    if not math.isfinite(value):
        return ReadingProblem.NOT_FINITE
    if limits.range_low is not None and value < limits.range_low:
        return ReadingProblem.OUT_OF_RANGE
    if limits.range_high is not None and value > limits.range_high:
        return ReadingProblem.OUT_OF_RANGE
    return None


@dataclass(frozen=True, slots=True)
class LimitProblem:
    field: str
    code: str
    message: str


def limit_problems(limits: Limits) -> tuple[LimitProblem, ...]:
    """What is wrong with a point's configured range and alarm limits, field by field: the
    range must be ordered, every limit inside it, and the limits ordered
    low-low <= low < high <= high-high (a page shows these before the service refuses them)."""
    out: list[LimitProblem] = []
    lo, hi = limits.range_low, limits.range_high
    if lo is None or hi is None or not lo < hi:
        out.append(LimitProblem("range_high", "range_order", "量程上限应大于量程下限"))
        return tuple(out)
    named = (
        ("low_low", limits.low_low, "低低限"),
        ("low", limits.low, "低限"),
        ("high", limits.high, "高限"),
        ("high_high", limits.high_high, "高高限"),
    )
    for name, v, word in named:
        if v is not None and not lo <= v <= hi:
            out.append(LimitProblem(name, "outside_range", f"{word}应在量程 {lo:g}～{hi:g} 之内"))
    present = [(name, v, word) for name, v, word in named if v is not None]
    for (n1, v1, w1), (n2, v2, w2) in pairwise(present):
        strict = n1 in ("low_low", "low") and n2 in ("high", "high_high")
        if v1 > v2 or (strict and v1 == v2):
            out.append(
                LimitProblem(n2, "limit_order", f"{w2}应{'大于' if strict else '不小于'}{w1}")
            )
    if limits.rate_per_minute is not None and limits.rate_per_minute <= 0:
        out.append(LimitProblem("rate_per_minute", "not_positive", "变化速率限值应大于 0"))
    return tuple(out)


def evaluate_reading(
    *, rules: RuleSet, limits: Limits, state: PointState, at: datetime, value: float
) -> Evaluation:
    """The verdict of every applicable rule on one reading, and the point's next state.

    A reading older than the last one seen is evaluated for the level rules only (it may
    open a warning; its verdicts never clear one) and leaves the state unchanged."""
    in_order = state.last_at is None or at > state.last_at
    out: list[Condition] = []

    def level(kind: RuleKind, limit: float | None, above: bool, word: str) -> None:
        rule = rules.rule(kind)
        if rule is None or limit is None:
            return
        active = value > limit if above else value < limit
        out.append(
            Condition(kind, rule.grade, active, value, limit, f"{word} {value:g}（限值 {limit:g}）")
        )

    level(RuleKind.HIGH_HIGH, limits.high_high, True, "超高高限")
    level(RuleKind.HIGH, limits.high, True, "超高限")
    level(RuleKind.LOW_LOW, limits.low_low, False, "低于低低限")
    level(RuleKind.LOW, limits.low, False, "低于低限")
    if not in_order:
        return Evaluation(tuple(out), state, False)

    rate_rule = rules.rule(RuleKind.RATE)
    if (
        rate_rule is not None
        and limits.rate_per_minute is not None
        and state.last_at is not None
        and state.last_value is not None
    ):
        minutes = (at - state.last_at).total_seconds() / 60
        rate = abs(value - state.last_value) / minutes
        out.append(
            Condition(
                RuleKind.RATE,
                rate_rule.grade,
                rate > limits.rate_per_minute,
                value,
                limits.rate_per_minute,
                f"变化速率 {rate:.3g}/分钟（限值 {limits.rate_per_minute:g}）",
            )
        )

    time_rule = rules.rule(RuleKind.TIME_ABOVE)
    over = (
        limits.high_high if time_rule is not None and time_rule.over == "high_high" else limits.high
    )
    is_above = over is not None and value > over
    above_since = (state.above_since or at) if is_above else None
    if time_rule is not None and over is not None:
        held = (at - above_since).total_seconds() if above_since else 0.0
        word = "高高限" if time_rule.over == "high_high" else "高限"
        out.append(
            Condition(
                RuleKind.TIME_ABOVE,
                time_rule.grade,
                above_since is not None and held >= time_rule.seconds,
                value,
                over,
                f"持续超{word} {held:.0f} 秒（允许 {time_rule.seconds:g} 秒）",
            )
        )
    return Evaluation(tuple(out), PointState(at, value, above_since), True)


def evaluate_staleness(
    *, rules: RuleSet, last_at: datetime | None, now: datetime
) -> Condition | None:
    """Offline sensor: no reading for longer than the rule allows. A point that never sent a
    reading is stale too (it was configured but is not connected)."""
    rule = rules.rule(RuleKind.STALE)
    if rule is None:
        return None
    silent = (now - last_at).total_seconds() if last_at else math.inf
    return Condition(
        RuleKind.STALE,
        rule.grade,
        silent > rule.seconds,
        silent,
        rule.seconds,
        "从未上报数据"
        if last_at is None
        else f"已 {silent:.0f} 秒无数据（允许 {rule.seconds:g} 秒）",
    )


def clears(
    kind: RuleKind, *, last_active_at: datetime, at: datetime, clear_after_seconds: float
) -> bool:
    """A live warning clears once its condition has been inactive for `clear_after_seconds`
    (an off-delay, as alarm management practice has it, so a value hovering at a limit does
    not open and close a warning every second). A stale-sensor warning clears at once: the
    next reading proves the sensor is back."""
    if kind == RuleKind.STALE:
        return at >= last_active_at
    return (at - last_active_at).total_seconds() >= clear_after_seconds


@dataclass(frozen=True, slots=True)
class Band:
    """A group of sensors' normal band, learned on a window assumed normal: per sensor the
    centre (median) and the scale (the window's standard deviation, floored so a constant
    sensor does not divide by zero). The same 3-sigma band as the fixed-threshold baseline,
    so what the engine adds is only how it turns deviations into alarms."""

    centre: tuple[float, ...]
    scale: tuple[float, ...]


def learn_band(rows: Sequence[Sequence[float]]) -> Band:
    """The band of a window of readings (rows × sensors); at least one row."""
    if not rows:
        raise ValueError("an empty learning window")
    cols = list(zip(*rows, strict=True))
    centre, scale = [], []
    for col in cols:
        mid = statistics.median(col)
        sd = statistics.pstdev(col) if len(col) > 1 else 0.0
        centre.append(mid)
        scale.append(max(sd, abs(mid) * 1e-3, 1e-9))
    return Band(tuple(centre), tuple(scale))


@dataclass(frozen=True, slots=True)
class GroupDeviation:
    """How far a group's reading is from its band: the largest deviation of any sensor in
    scales (|x - centre| / scale), and which sensor it is (its index)."""

    value: float
    sensor: int


def group_deviation(values: Sequence[float], band: Band) -> GroupDeviation:
    """One reading of every sensor of a group (a pump, a tank) reduced to one number that the
    ordinary level rules judge: any sensor far from its band makes the group deviate. A
    sensor whose value is not finite is left out (its own reading is refused elsewhere)."""
    best, at = 0.0, -1
    for j, (x, c, s) in enumerate(zip(values, band.centre, band.scale, strict=True)):
        if not math.isfinite(x):
            continue
        d = abs(x - c) / s
        if d > best or at < 0:
            best, at = d, j
    return GroupDeviation(best, at)


@dataclass(frozen=True, slots=True)
class Latch:
    """An alarm's state between readings: raised or not, and when its condition was last
    active (the off-delay counts from there)."""

    raised: bool = False
    last_active_at: datetime | None = None


def latch(state: Latch, *, active: bool, at: datetime, clear_after_seconds: float) -> Latch:
    """An alarm raised by any active condition (the conditions carry their own on-delays:
    time above a limit, or high-high at once) and cleared only after `clear_after_seconds`
    without one (the off-delay of `clears`)."""
    if active:
        return Latch(True, at)
    if (
        state.raised
        and state.last_active_at is not None
        and clears(
            RuleKind.HIGH,
            last_active_at=state.last_active_at,
            at=at,
            clear_after_seconds=clear_after_seconds,
        )
    ):
        return Latch(False, state.last_active_at)
    return state


def roll_up(grades: Iterable[Grade]) -> Grade | None:
    """The grade of a point from the grades of its open warnings (see the module doc)."""
    gs = list(grades)
    if not gs:
        return None
    result = max(gs)
    for g in Grade:
        if g < Grade.RED and sum(1 for x in gs if x >= g) >= ROLL_UP_COUNT:
            result = max(result, Grade(g + 1))
    return result


# --- disposal (处置闭环) -------------------------------------------------------------------


class Stage(StrEnum):
    OPEN = "open"  # raised; the enterprise must acknowledge
    ACKNOWLEDGED = "acknowledged"  # the enterprise must report its action
    REPORTED = "reported"  # the bureau must review
    CLOSED = "closed"  # reviewed and accepted


@dataclass(frozen=True, slots=True)
class DisposalPolicy:
    """Hours allowed per grade for acknowledging, reporting the action and reviewing."""

    acknowledge_hours: Mapping[Grade, float]
    report_hours: Mapping[Grade, float]
    review_hours: Mapping[Grade, float]


DEFAULT_DISPOSAL = DisposalPolicy(
    acknowledge_hours={Grade.RED: 0.5, Grade.ORANGE: 2, Grade.YELLOW: 24, Grade.BLUE: 72},
    report_hours={Grade.RED: 4, Grade.ORANGE: 24, Grade.YELLOW: 72, Grade.BLUE: 168},
    review_hours={Grade.RED: 24, Grade.ORANGE: 48, Grade.YELLOW: 120, Grade.BLUE: 240},
)


@dataclass(frozen=True, slots=True)
class Deadlines:
    acknowledge_by: datetime
    report_by: datetime
    review_by: datetime


def disposal_deadlines(
    grade: Grade, raised_at: datetime, policy: DisposalPolicy = DEFAULT_DISPOSAL
) -> Deadlines:
    ack = raised_at + timedelta(hours=policy.acknowledge_hours[grade])
    rep = raised_at + timedelta(hours=policy.report_hours[grade])
    return Deadlines(ack, rep, rep + timedelta(hours=policy.review_hours[grade]))


@dataclass(frozen=True, slots=True)
class Escalation:
    due: bool
    level: int  # the escalation level the warning should have now
    reasons: tuple[Reason, ...] = field(default=())


def escalation(*, stage: Stage, deadlines: Deadlines, now: datetime, level: int) -> Escalation:
    """Escalation when nobody acts: each missed step (acknowledge, report, review) is one
    level; level 1 goes to the district's leaders, 2 to the city, 3 to the city's leaders.
    Idempotent: the level depends only on the stage and the clock, so running it twice
    changes nothing the second time."""
    missed: list[Reason] = []
    if stage == Stage.OPEN and now > deadlines.acknowledge_by:
        missed.append(Reason("not_acknowledged", "企业未按时签收"))
    if stage in (Stage.OPEN, Stage.ACKNOWLEDGED) and now > deadlines.report_by:
        missed.append(Reason("not_reported", "企业未按时报告处置情况"))
    if stage != Stage.CLOSED and now > deadlines.review_by:
        missed.append(Reason("not_reviewed", "监管部门未按时审核"))
    target = max(level, len(missed))
    return Escalation(target > level, target, tuple(missed))


@dataclass(frozen=True, slots=True)
class ReviewCheck:
    allowed: bool
    reasons: tuple[Reason, ...]


def may_review(
    *, reviewer_is_staff: bool, reviewer_id: int, reported_by_id: int | None, stage: Stage
) -> ReviewCheck:
    """The bureau reviews what the enterprise reported; whoever reported never reviews."""
    reasons: list[Reason] = []
    if not reviewer_is_staff:
        reasons.append(Reason("not_staff", "只有监管部门工作人员可以审核处置情况。"))
    if reported_by_id is not None and reviewer_id == reported_by_id:
        reasons.append(Reason("own_report", "报告处置情况的人不能审核自己的报告。"))
    if stage != Stage.REPORTED:
        reasons.append(Reason("not_reported", "企业尚未报告处置情况。"))
    return ReviewCheck(not reasons, tuple(reasons))


# --- risk ranking (风险排序) ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RiskFactors:
    """Counts and grades derived from records, never typed."""

    open_warnings: Mapping[Grade, int]
    open_hazards: int
    major_hazards: int
    credit_level: str  # A..D
    standardization_grade: int | None  # 1..3 or None
    accidents_3y: int
    complaints_1y: int


@dataclass(frozen=True, slots=True)
class RiskWeights:
    warning_points: Mapping[Grade, float]
    open_hazard: float
    major_hazard: float
    credit: Mapping[str, float]
    standardization: Mapping[int | None, float]
    accident: float
    complaint: float
    version: str


DEFAULT_RISK_WEIGHTS = RiskWeights(
    warning_points={Grade.RED: 20, Grade.ORANGE: 10, Grade.YELLOW: 4, Grade.BLUE: 1},
    open_hazard=3,
    major_hazard=15,
    credit={"A": 0, "B": 5, "C": 15, "D": 30},
    standardization={1: 0, 2: 3, 3: 6, None: 10},
    accident=12,
    complaint=2,
    version="2026-1",
)


@dataclass(frozen=True, slots=True)
class RiskScore:
    total: float
    parts: tuple[tuple[str, float], ...]  # (factor, points), in a fixed order

    def shares(self) -> tuple[tuple[str, float], ...]:
        """Each factor's share of the total, 0..1 (all zero when the total is zero)."""
        if self.total == 0:
            return tuple((name, 0.0) for name, _p in self.parts)
        return tuple((name, p / self.total) for name, p in self.parts)


def risk_score(f: RiskFactors, w: RiskWeights = DEFAULT_RISK_WEIGHTS) -> RiskScore:
    parts = (
        ("warnings", float(sum(w.warning_points[g] * n for g, n in f.open_warnings.items()))),
        ("open_hazards", w.open_hazard * f.open_hazards),
        ("major_hazards", w.major_hazard * f.major_hazards),
        ("credit", float(w.credit.get(f.credit_level, 0))),
        ("standardization", float(w.standardization.get(f.standardization_grade, 0))),
        ("accidents", w.accident * f.accidents_3y),
        ("complaints", w.complaint * f.complaints_1y),
    )
    return RiskScore(sum(p for _n, p in parts), parts)


def rank(scores: Mapping[int, RiskScore]) -> Sequence[tuple[int, RiskScore]]:
    """Highest score first; ties by id so the order is stable."""
    return sorted(scores.items(), key=lambda kv: (-kv[1].total, kv[0]))


# The weight of an enterprise in a 双随机 task weighted by risk ranking (issue 11 item 3), in
# tenths: 1.0 for a score of 0 (the floor: nobody's weight is 0, everybody can be drawn),
# +0.1 for every full 5 points, at most 3.0 (the cap: the riskiest enterprise is at most three
# times as likely to be picked next as the least risky one). An integer, so the published pool
# file states it exactly and every verifier computes the same draw.
DRAW_WEIGHT_FLOOR = 10
DRAW_WEIGHT_CEILING = 30
DRAW_WEIGHT_POINTS_PER_STEP = 5


def draw_weight(score: RiskScore) -> int:
    """The integer draw weight (DRAW_WEIGHT_FLOOR..DRAW_WEIGHT_CEILING) of a risk score. It
    changes how likely an enterprise is drawn, never whether a cap allows the visit."""
    steps = int(max(0.0, score.total) // DRAW_WEIGHT_POINTS_PER_STEP)
    return min(DRAW_WEIGHT_CEILING, DRAW_WEIGHT_FLOOR + steps)


def pool_weight(score: RiskScore) -> float:
    """``draw_weight`` as the ranking shows it (1.0..3.0)."""
    return draw_weight(score) / 10
