"""Annual caps on on-site enforcement inspections (R3.2-R3.5, R4.1, R5.2, R5.3).

The seed (三(一) and 附件 二、八) caps how often an enterprise may be inspected on site in a
calendar year, by high-risk industry and safety-standardisation grade; exempts inspections
triggered by complaints, referrals, monitoring, the enterprise's own application and
rectification follow-ups; asks non-high-risk enterprises' inspections to fall by 10%; and
keeps one enforcement level per enterprise. Everything that varies (the table, the year,
today, the policy) is passed in. Reason codes are stable English; messages are Chinese.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum
from types import MappingProxyType

from .results import FieldError, Reason


class Grade(StrEnum):
    """Safety-standardisation grade (安全生产标准化等级); a lapsed grade is NONE."""

    ONE = "1"
    TWO = "2"
    THREE = "3"
    NONE = "none"

    @property
    def label(self) -> str:
        return GRADE_LABELS[self]


class VisitKind(StrEnum):
    ON_SITE = "on_site"
    OFF_SITE = "off_site"


class VisitStatus(StrEnum):
    PLANNED = "planned"
    APPROVED = "approved"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class Trigger(StrEnum):
    ANNUAL_PLAN = "annual_plan"
    RANDOM_DRAW = "random_draw"
    COMPLAINT = "complaint"
    REFERRAL = "referral"
    MONITORING = "monitoring"
    APPLICATION = "application"
    FOLLOW_UP = "follow_up"
    SPECIAL = "special"

    @property
    def label(self) -> str:
        return TRIGGER_LABELS[self]


class JustificationKind(StrEnum):
    COMPLAINT_RECORD = "complaint_record"
    REFERRAL_DOCUMENT = "referral_document"
    MONITORING_WARNING = "monitoring_warning"
    ENTERPRISE_APPLICATION = "enterprise_application"
    RECTIFICATION_ORDER = "rectification_order"

    @property
    def label(self) -> str:
        return JUSTIFICATION_LABELS[self]


class Level(StrEnum):
    CITY = "city"
    DISTRICT = "district"

    @property
    def label(self) -> str:
        return "市应急管理局" if self is Level.CITY else "区（县）应急管理局"


GRADE_LABELS: Mapping[Grade, str] = MappingProxyType(
    {
        Grade.ONE: "标准化一级",
        Grade.TWO: "标准化二级",
        Grade.THREE: "标准化三级",
        Grade.NONE: "未定级",
    }
)
TRIGGER_LABELS: Mapping[Trigger, str] = MappingProxyType(
    {
        Trigger.ANNUAL_PLAN: "年度监督检查计划",
        Trigger.RANDOM_DRAW: "“双随机、一公开”抽查",
        Trigger.COMPLAINT: "投诉举报",
        Trigger.REFERRAL: "转办交办",
        Trigger.MONITORING: "数据监测监控发现的严重违法行为",
        Trigger.APPLICATION: "应企业申请",
        Trigger.FOLLOW_UP: "整改复查",
        Trigger.SPECIAL: "专项检查、重点时段检查",
    }
)
JUSTIFICATION_LABELS: Mapping[JustificationKind, str] = MappingProxyType(
    {
        JustificationKind.COMPLAINT_RECORD: "投诉举报记录",
        JustificationKind.REFERRAL_DOCUMENT: "转办交办文件",
        JustificationKind.MONITORING_WARNING: "监测预警信息",
        JustificationKind.ENTERPRISE_APPLICATION: "企业检查申请",
        JustificationKind.RECTIFICATION_ORDER: "责令限期整改指令书",
    }
)

# Seed 三(一) and 附件二: these triggers are 不受频次上限限制, and R3.3 has each link the
# record that justifies it, of this kind. Special and key-period inspections are not among
# them: 附件三 gives them their own yearly quota instead.
REQUIRED_JUSTIFICATION: Mapping[Trigger, JustificationKind] = MappingProxyType(
    {
        Trigger.COMPLAINT: JustificationKind.COMPLAINT_RECORD,
        Trigger.REFERRAL: JustificationKind.REFERRAL_DOCUMENT,
        Trigger.MONITORING: JustificationKind.MONITORING_WARNING,
        Trigger.APPLICATION: JustificationKind.ENTERPRISE_APPLICATION,
        Trigger.FOLLOW_UP: JustificationKind.RECTIFICATION_ORDER,
    }
)
EXEMPT_TRIGGERS: frozenset[Trigger] = frozenset(REQUIRED_JUSTIFICATION)


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _describe(high_risk: bool, grade: Grade) -> str:
    return f"{'高危行业' if high_risk else '非高危行业'}、{grade.label}"


# ------------------------------------------------ the cap table (R3.2)

CELLS: tuple[tuple[bool, Grade], ...] = tuple(
    (high_risk, grade) for high_risk in (True, False) for grade in Grade
)
CELL_FIELDS: Mapping[tuple[bool, Grade], str] = MappingProxyType(
    {
        (high_risk, grade): (
            f"{'high_risk' if high_risk else 'non_high_risk'}_"
            f"{'ungraded' if grade is Grade.NONE else 'grade_' + grade.value}"
        )
        for high_risk, grade in CELLS
    }
)
MAX_CAP = 365  # more than one on-site inspection a day is a typing error, not a policy


class CapTableError(ValueError):
    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(f"{e.field}: {e.code}" for e in self.errors))


def validate_cap_table(
    *, year: object, source: object, cells: Mapping[tuple[bool, Grade], object]
) -> list[FieldError]:
    """Every problem of an edited table, one per field, for the admin form to show."""
    errors: list[FieldError] = []
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.append(FieldError("year", "year_out_of_range", "年度须为2000至2100之间的整数。"))
    if not isinstance(source, str) or not source.strip():
        errors.append(FieldError("source", "blank", "依据来源不能为空，请注明文件名称和条款。"))
    for key in cells:
        if key not in CELL_FIELDS:
            errors.append(FieldError("cells", "unknown_cell", f"未知的频次上限格：{key!r}。"))
    for key, name in CELL_FIELDS.items():
        what = f"{_describe(*key)}企业的年度现场执法检查上限"
        value = cells.get(key)
        if value is None:
            errors.append(FieldError(name, "required", f"{what}未填写。"))
        elif isinstance(value, bool) or not isinstance(value, int):
            errors.append(FieldError(name, "not_integer", f"{what}须为整数。"))
        elif value < 0:
            errors.append(FieldError(name, "negative", f"{what}不能为负数。"))
        elif value > MAX_CAP:
            errors.append(FieldError(name, "too_large", f"{what}不能超过{MAX_CAP}次。"))
    return errors


@dataclass(frozen=True, slots=True)
class CapTable:
    """One year's caps, with the document it comes from; invalid tables cannot exist."""

    year: int
    source: str
    high_risk_grade_1: int
    high_risk_grade_2: int
    high_risk_grade_3: int
    high_risk_ungraded: int
    non_high_risk_grade_1: int
    non_high_risk_grade_2: int
    non_high_risk_grade_3: int
    non_high_risk_ungraded: int

    def __post_init__(self) -> None:
        cells = {key: getattr(self, name) for key, name in CELL_FIELDS.items()}
        errors = validate_cap_table(year=self.year, source=self.source, cells=cells)
        if errors:
            raise CapTableError(errors)

    @classmethod
    def from_mapping(
        cls, year: int, source: str, cells: Mapping[tuple[bool, Grade], int]
    ) -> CapTable:
        errors = validate_cap_table(year=year, source=source, cells=cells)
        if errors:
            raise CapTableError(errors)
        values = {CELL_FIELDS[key]: cells[key] for key in CELLS}
        return cls(year=year, source=source, **values)

    def cells(self) -> dict[tuple[bool, Grade], int]:
        return {key: getattr(self, name) for key, name in CELL_FIELDS.items()}

    def cap(self, high_risk: bool, grade: Grade) -> int:
        value: int = getattr(self, CELL_FIELDS[(high_risk, Grade(grade))])
        return value


def cap_for(table: CapTable, high_risk: bool, grade: Grade) -> int:
    return table.cap(high_risk, grade)


DEFAULT_2025 = CapTable(
    year=2025,
    source="乌鲁木齐市应急管理局《2025年规范涉企行政检查工作方案》三(一)",
    high_risk_grade_1=2,
    high_risk_grade_2=4,
    high_risk_grade_3=8,
    high_risk_ungraded=12,
    non_high_risk_grade_1=1,
    non_high_risk_grade_2=1,
    non_high_risk_grade_3=3,
    non_high_risk_ungraded=5,
)


@dataclass(frozen=True, slots=True)
class CapPolicy:
    """Whether exempt inspections (R3.3) also use up the enterprise's ordinary slots.

    The default is False. The seed says these inspections are 不受频次上限限制: they are
    outside the cap, not merely allowed past it. Counting them would let one malicious or
    mistaken complaint burn an ordinary slot of a well-run enterprise, and would stop the
    bureau's own annual plan or random draw for exactly the enterprises people complain
    about. Set it to True only if the bureau decides that total on-site burden, whatever
    the cause, should crowd out ordinary inspections. Either way exempt inspections are
    never refused by the cap and are reported separately as ``exempt_used``, so the
    supervisor (R8.4) can see an enterprise visited often "by complaint".
    """

    exempt_consumes_cap: bool = False


# ------------------------------------------------ exemptions (R3.3)


@dataclass(frozen=True, slots=True)
class Justification:
    kind: JustificationKind
    reference: str  # number of the complaint, referral document, warning, application, order
    date: date
    summary: str


@dataclass(frozen=True, slots=True)
class ExemptionDecision:
    exempt: bool
    reasons: tuple[Reason, ...]


def check_exemption(
    trigger: Trigger,
    justification: Justification | None,
    *,
    today: date,
    visit_date: date | None = None,
) -> ExemptionDecision:
    """Exempt only with an exempt trigger and a complete record of the right kind.

    Every failure gets its own reason so the officer can fix them all at once. The record
    must exist before the visit it justifies (a complaint filed after the inspection cannot
    have caused it) and cannot be dated in the future.
    """
    failures: list[Reason] = []

    def fail(code: str, message: str) -> ExemptionDecision:
        failures.append(Reason(code, message))
        return ExemptionDecision(False, tuple(failures))

    if trigger not in EXEMPT_TRIGGERS:
        return fail(
            "trigger_not_exempt",
            f"“{trigger.label}”不属于投诉举报、转办交办、数据监测监控发现的严重违法行为、"
            "应企业申请或整改复查等不受频次上限限制的情形。",
        )
    required = REQUIRED_JUSTIFICATION[trigger]
    if justification is None:
        return fail(
            "justification_missing",
            f"因{trigger.label}开展的检查须关联{required.label}，当前未关联。",
        )
    j, what = justification, justification.kind.label
    if j.kind != required:
        fail(
            "justification_wrong_kind",
            f"因{trigger.label}开展的检查须关联{required.label}，当前关联的是{what}。",
        )
    if not j.reference.strip():
        fail("justification_reference_blank", f"{what}缺少编号或文号。")
    if j.date > today:
        fail(
            "justification_date_in_future",
            f"{what}的日期{_cn_date(j.date)}晚于今天（{_cn_date(today)}），不能作为依据。",
        )
    if visit_date is not None and j.date > visit_date:
        fail(
            "justification_after_visit",
            f"{what}的日期{_cn_date(j.date)}晚于检查日期{_cn_date(visit_date)}，"
            "不能作为本次检查的依据。",
        )
    if not j.summary.strip():
        fail("justification_summary_blank", f"{what}缺少内容摘要。")
    if failures:
        return ExemptionDecision(False, tuple(failures))
    granted = Reason(
        "exempt_trigger_justified",
        f"本次检查因{trigger.label}开展（{what}：{j.reference.strip()}，{_cn_date(j.date)}），"
        "不受年度现场执法检查频次上限限制。",
    )
    return ExemptionDecision(True, (granted,))


# ------------------------------------------------ counting visits (R3.2, R4.1, R5.2)


@dataclass(frozen=True, slots=True)
class VisitFact:
    visit_id: str
    kind: VisitKind
    trigger: Trigger
    date: date
    status: VisitStatus
    merge_group: str | None = None
    justification: Justification | None = None


@dataclass(frozen=True, slots=True)
class ProposedVisit:
    kind: VisitKind
    trigger: Trigger
    date: date
    merge_group: str | None = None
    justification: Justification | None = None
    visit_id: str | None = None  # when set, the same visit in `visits` is not counted twice


class CapStage(StrEnum):
    # At check-in only visits that really happened (checked in or done) have used a slot.
    CHECK_IN = "check_in"
    # When approving a plan, approved plans not yet carried out hold a slot too; otherwise
    # more plans could be approved than the enterprise may receive. Drafts hold nothing.
    PLANNING = "planning"


_CHECKED_IN = frozenset({VisitStatus.IN_PROGRESS, VisitStatus.DONE})
_STAGE_STATUSES: Mapping[CapStage, frozenset[VisitStatus]] = MappingProxyType(
    {CapStage.CHECK_IN: _CHECKED_IN, CapStage.PLANNING: _CHECKED_IN | {VisitStatus.APPROVED}}
)


@dataclass(frozen=True, slots=True)
class _Tally:
    used: int
    exempt_used: int
    counted_visits: tuple[str, ...]
    exempt_visits: tuple[str, ...]
    counted_groups: frozenset[tuple[str, date]]  # (merge group, day) holding a slot


def _tally(
    visits: Sequence[VisitFact],
    *,
    year: int,
    stage: CapStage,
    policy: CapPolicy,
    today: date,
    exclude_id: str | None,
) -> _Tally:
    statuses = _STAGE_STATUSES[stage]
    # A merged visit (综合查一次) is one trip: same merge group on the same day. Keying by
    # the day too stops a "merge" label from hiding trips on different days.
    groups: dict[tuple[str, str, date], list[VisitFact]] = {}
    for v in visits:
        on_site = v.kind is VisitKind.ON_SITE and v.status in statuses
        if not on_site or v.date.year != year or v.visit_id == exclude_id:
            continue
        key = ("merge", v.merge_group, v.date) if v.merge_group else ("visit", v.visit_id, v.date)
        groups.setdefault(key, []).append(v)
    used = exempt_used = 0
    counted: list[VisitFact] = []
    exempt: list[VisitFact] = []
    counted_groups: set[tuple[str, date]] = set()
    for (scope, name, day), members in groups.items():
        is_exempt = all(
            check_exemption(m.trigger, m.justification, today=today, visit_date=m.date).exempt
            for m in members
        )
        if is_exempt:
            exempt_used += 1
            exempt.extend(members)
            if not policy.exempt_consumes_cap:
                continue
        used += 1
        counted.extend(members)
        if scope == "merge":
            counted_groups.add((name, day))

    def ids(vs: list[VisitFact]) -> tuple[str, ...]:
        return tuple(v.visit_id for v in sorted(vs, key=lambda v: (v.date, v.visit_id)))

    return _Tally(used, exempt_used, ids(counted), ids(exempt), frozenset(counted_groups))


@dataclass(frozen=True, slots=True)
class CapDecision:
    allowed: bool
    cap: int
    used: int  # visits (merged ones once) counted against the cap, before this proposal
    remaining: int  # max(cap - used, 0)
    exempt_used: int  # exempt visits this year, counted or not, reported separately
    counted_visits: tuple[str, ...]  # ids behind `used`; a merged visit lists all its ids
    exempt_visits: tuple[str, ...]
    consumes_slot: bool  # whether carrying out this proposal adds one to `used`
    stage: CapStage
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Quota:
    year: int
    cap: int
    used: int
    remaining: int
    exempt_used: int
    pending: int  # approved plans not yet carried out that will take a slot
    counted_visits: tuple[str, ...]
    exempt_visits: tuple[str, ...]


def quota(
    *,
    table: CapTable,
    policy: CapPolicy,
    high_risk: bool,
    grade: Grade,
    year: int,
    visits: Sequence[VisitFact],
    today: date,
) -> Quota:
    """The year's numbers for the quota API and the 扫码入企 page, without a proposal."""
    cap = table.cap(high_risk, grade)
    done, planned = (
        _tally(visits, year=year, stage=stage, policy=policy, today=today, exclude_id=None)
        for stage in (CapStage.CHECK_IN, CapStage.PLANNING)
    )
    return Quota(
        year,
        cap,
        done.used,
        max(cap - done.used, 0),
        done.exempt_used,
        planned.used - done.used,
        done.counted_visits,
        done.exempt_visits,
    )


def decide_cap(
    *,
    table: CapTable,
    policy: CapPolicy,
    high_risk: bool,
    grade: Grade,
    year: int,
    visits: Sequence[VisitFact],
    proposed: ProposedVisit,
    today: date,
    stage: CapStage = CapStage.CHECK_IN,
) -> CapDecision:
    """May this on-site visit take place without breaking the enterprise's annual cap?

    R3.4 enforces the cap twice: at check-in (the default stage, counting visits checked in
    or done) and at plan approval (stage=PLANNING, where approved plans hold a slot too).
    """
    if proposed.date.year != year:
        raise ValueError(f"proposed visit on {proposed.date} is not in year {year}")
    cap = table.cap(high_risk, grade)
    t = _tally(
        visits, year=year, stage=stage, policy=policy, today=today, exclude_id=proposed.visit_id
    )
    remaining = max(cap - t.used, 0)
    where = f"（{_describe(high_risk, grade)}）"
    counted = "已计入（含已批准待实施的计划）" if stage is CapStage.PLANNING else "已计入"
    reasons: list[Reason] = []

    def decide(allowed: bool, consumes_slot: bool, code: str, message: str) -> CapDecision:
        reasons.append(Reason(code, message))
        return CapDecision(
            allowed=allowed,
            cap=cap,
            used=t.used,
            remaining=remaining,
            exempt_used=t.exempt_used,
            counted_visits=t.counted_visits,
            exempt_visits=t.exempt_visits,
            consumes_slot=consumes_slot,
            stage=stage,
            reasons=tuple(reasons),
        )

    if table.year != year:
        reasons.append(
            Reason(
                "cap_table_from_other_year",
                f"{year}年度尚无频次上限表，暂按{table.year}年度上限表执行（{table.source}）。",
            )
        )
    if proposed.kind is VisitKind.OFF_SITE:
        return decide(
            True,
            False,
            "off_site_not_counted",
            "非现场检查不计入现场执法检查频次，不受年度上限限制。",
        )
    group = (proposed.merge_group, proposed.date) if proposed.merge_group else None
    if proposed.trigger in EXEMPT_TRIGGERS:
        exemption = check_exemption(
            proposed.trigger, proposed.justification, today=today, visit_date=proposed.date
        )
        reasons.extend(exemption.reasons)
        if exemption.exempt and not policy.exempt_consumes_cap:
            return decide(
                True,
                False,
                "exempt_not_counted",
                "按现行规则，此类检查不占用年度频次，单独统计为不受频次上限限制的检查。",
            )
        if exemption.exempt and group in t.counted_groups:
            return decide(
                True, False, "exempt_joins_merged_visit", "本次检查并入已计入频次的合并检查。"
            )
        if exemption.exempt and t.used >= cap:
            return decide(
                True,
                True,
                "exempt_over_cap",
                f"该企业{year}年度现场执法检查{counted}{t.used}次，已达上限{cap}次{where}；"
                "本次检查不受频次上限限制，仍可开展，并按现行规则计入频次。",
            )
        if exemption.exempt:
            return decide(
                True, True, "exempt_counted", "按现行规则，此类检查不受上限限制，但计入年度频次。"
            )
        reasons.append(
            Reason(
                "exemption_not_applied",
                f"本次检查虽因{proposed.trigger.label}开展，但依据材料不符合要求，按普通检查计入。",
            )
        )
    # Joining a merged visit that already holds a slot adds no trip. With the default policy
    # a merged visit made only of exempt visits holds none; joining it as an ordinary
    # inspection makes it an ordinary visit, which needs a slot.
    if group in t.counted_groups:
        return decide(
            True,
            False,
            "joins_merged_visit",
            f"本次检查并入已计入频次的合并检查（{proposed.merge_group}，“综合查一次”），"
            "不另占用频次。",
        )
    if t.used < cap:
        return decide(
            True,
            True,
            "within_cap",
            f"该企业{year}年度现场执法检查上限{cap}次{where}，{counted}{t.used}次，"
            f"本次检查后剩余{remaining - 1}次。",
        )
    return decide(
        False,
        True,
        "cap_reached",
        f"该企业{year}年度现场执法检查已达上限{cap}次{where}，{counted}{t.used}次，"
        "本次检查不属于投诉举报等不受频次限制的情形。",
    )


# ------------------------------------------------ the cap state of many enterprises at once

# The characters str.strip() removes that a blank justification text could hold; a set-based
# count strips these (str.strip() strips any Unicode whitespace, and a reference or summary
# made only of rarer spaces is not one the forms let through).
BLANK_CHARS = " \t\n\r\x0b\x0c\u00a0\u3000"


@dataclass(frozen=True, slots=True)
class CapCountParameters:
    """Everything a set-based count (SQL over many enterprises) needs to decide, for an
    ordinary proposal (not exempt, not joining a merged visit: a 双随机 draw's), what
    ``decide_cap`` decides one enterprise at a time. The rule stays here; the SQL only
    applies these parameters:

    - a visit counts when it is on site, its status is in ``counted_statuses`` and its day
      (the local check-in day, else the planned day) is in ``year``;
    - a visit is exempt when ``required_justification`` maps its trigger to its record's
      kind, the record has a date not after ``today`` nor after the visit's day, and its
      reference and summary are not blank (``BLANK_CHARS`` stripped);
    - visits of one merge group on one day are one trip; a trip all of whose visits are
      exempt uses a slot only when ``exempt_consumes_cap``;
    - the enterprise is at its cap when its trips used ≥ ``limits[(high_risk, grade)]``
      (the grade as ``rules.checkin.effective_grade`` on the proposal's day).
    """

    year: int
    today: date
    limits: Mapping[tuple[bool, Grade], int]
    counted_statuses: frozenset[VisitStatus]
    required_justification: Mapping[Trigger, JustificationKind]
    exempt_consumes_cap: bool
    blank_chars: str = BLANK_CHARS


def cap_count_parameters(
    *, table: CapTable, policy: CapPolicy, year: int, today: date, stage: CapStage
) -> CapCountParameters:
    return CapCountParameters(
        year=year,
        today=today,
        limits=MappingProxyType({cell: table.cap(*cell) for cell in CELLS}),
        counted_statuses=_STAGE_STATUSES[stage],
        required_justification=REQUIRED_JUSTIFICATION,
        exempt_consumes_cap=policy.exempt_consumes_cap,
    )


def at_cap(limit: int, used: int) -> bool:
    """An ordinary proposal is refused once the trips used reach the limit (decide_cap's
    ``cap_reached``)."""
    return used >= limit


# ------------------------------------------------ non-high-risk -10% (R3.5)

REDUCTION_RATE = Decimal("0.10")


@dataclass(frozen=True, slots=True)
class ReductionCheck:
    ok: bool
    previous: int
    planned: int
    max_allowed: int  # floor(previous × 0.9): "at least 10% fewer" rounds against the plan
    reduction_pct: Decimal  # (previous - planned) / previous × 100, one decimal; 0 if no base
    reasons: tuple[Reason, ...]


def check_non_high_risk_reduction(previous_year_count: int, planned_count: int) -> ReductionCheck:
    """The year's planned inspections of non-high-risk enterprises vs. the previous year's."""
    previous, planned = previous_year_count, planned_count
    if previous < 0 or planned < 0:
        raise ValueError("inspection counts cannot be negative")
    max_allowed = int((previous * (1 - REDUCTION_RATE)).to_integral_value(ROUND_FLOOR))
    if previous == 0:
        # Nothing to reduce from: any planned inspection would be an increase, which the
        # seed's "减少10%" forbids.
        if planned == 0:
            reason = Reason(
                "no_previous_inspections", "上年度为0次，本年度计划0次，未增加，符合要求。"
            )
        else:
            reason = Reason(
                "increase_without_baseline",
                f"上年度为0次，本年度计划{planned}次属于增加，不符合非高危行业领域企业执法检查"
                "频次减少10%的要求，本年度计划须为0次。",
            )
        return ReductionCheck(planned == 0, previous, planned, 0, Decimal("0"), (reason,))
    pct = (Decimal(previous - planned) * 100 / previous).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    ok = planned <= max_allowed
    if ok:
        reason = Reason(
            "reduction_ok",
            f"上年度{previous}次，本年度计划{planned}次，减少{pct}%，"
            "符合非高危行业领域企业执法检查频次减少10%的要求。",
        )
    else:
        reason = Reason(
            "reduction_insufficient",
            f"上年度{previous}次，本年度计划{planned}次，减少{pct}%；按要求至少减少10%，"
            f"本年度计划不得超过{max_allowed}次。",
        )
    return ReductionCheck(ok, previous, planned, max_allowed, pct, (reason,))


# ------------------------------------------------ enforcement level (R5.3)


@dataclass(frozen=True, slots=True)
class LevelDecision:
    allowed: bool
    joint_required: bool
    reasons: tuple[Reason, ...]


def check_enforcement_level(
    supervising_level: Level, inspecting_level: Level, trigger: Trigger, district_partner: bool
) -> LevelDecision:
    """一家企业对应一个层级的执法主体 (附件八), with its 投诉举报等特殊情形 exception.

    The exception is judged on the trigger alone; the caller also runs check_exemption so
    an unjustified "complaint" is refused there.
    """
    joint = False
    if supervising_level == inspecting_level:
        allowed, code = True, "same_level"
        message = f"该企业由{inspecting_level.label}负责执法，本次检查由同一层级实施。"
    elif trigger in EXEMPT_TRIGGERS:
        allowed, code = True, "level_exception_exempt_trigger"
        message = (
            f"本次检查因{trigger.label}开展，属于“一家企业对应一个层级的执法主体”的特殊情形，"
            f"可由{inspecting_level.label}实施。"
        )
    elif inspecting_level is Level.DISTRICT:
        allowed, code = False, "city_supervised_enterprise"
        message = (
            "该企业由市应急管理局负责执法（一家企业对应一个层级的执法主体），"
            "区（县）应急管理局不对其开展检查，投诉举报等特殊情形除外。"
        )
    # The seed names 抽查 explicitly; any ordinary city inspection of a district enterprise
    # would break "one level per enterprise" just the same, so all of them are joint.
    elif district_partner:
        allowed, joint, code = True, True, "joint_with_district"
        message = "该企业由区（县）应急管理局负责执法，市应急管理局的检查与区（县）联合开展。"
    else:
        allowed, joint, code = False, True, "joint_with_district_required"
        message = (
            "该企业由区（县）应急管理局负责执法，市应急管理局须与区（县）应急管理局联合开展"
            "检查，请先确定区（县）联合检查人员。"
        )
    return LevelDecision(allowed, joint, (Reason(code, message),))


@dataclass(frozen=True, slots=True)
class ReinspectionDecision:
    allowed: bool
    overlapping_items: tuple[str, ...]  # items of this visit the city already inspected
    reasons: tuple[Reason, ...]


def check_district_reinspection(
    inspecting_level: Level,
    trigger: Trigger,
    city_inspected_items_this_year: set[str],
    items: set[str],
) -> ReinspectionDecision:
    """附件八: after the city inspected an enterprise, the district does not inspect it again.

    Follow-ups of rectification (跟进复查) are the seed's named exception. Complaints,
    referrals, monitoring and applications are allowed too: they bring a new matter, not a
    repeat, and the seed orders them handled 及时快速 whatever the level.
    """
    overlap = tuple(sorted(items & city_inspected_items_this_year))
    allowed = True
    if inspecting_level is Level.CITY:
        code, message = (
            "city_inspection_not_restricted",
            "本规则仅约束区（县）应急管理局的重复检查。",
        )
    elif not city_inspected_items_this_year:
        code, message = "city_has_not_inspected", "市应急管理局今年未对该企业开展执法检查。"
    elif trigger is Trigger.FOLLOW_UP:
        code, message = "follow_up_after_city", "本次为跟进复查督促整改落实，不属于重复执法检查。"
    elif trigger in EXEMPT_TRIGGERS:
        code = "exempt_trigger_after_city"
        message = f"本次检查因{trigger.label}开展，属于新的线索，不属于重复执法检查。"
    else:
        allowed, code = False, "city_already_inspected"
        repeated = f"其中与本次重复的事项：{'、'.join(overlap)}。" if overlap else ""
        message = (
            "市应急管理局今年已对该企业开展执法检查，除跟进复查督促整改落实外，"
            f"区（县）应急管理局不再对该企业重复执法检查。{repeated}"
        )
    return ReinspectionDecision(allowed, overlap, (Reason(code, message),))
