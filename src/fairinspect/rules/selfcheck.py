"""The enterprise's own part (measures 七 and 九 of 《关于规范行政执法行为的措施》, 2025-06-18):
its internal inspection group (R11.1), the quarterly major-hazard self-checks and the main
person's yearly part in one (R11.2), whether a hazard officers found is one the enterprise had
reported and is rectifying (R11.3) or an unreported major hazard (R7.6, 一案双罚), and who may
inspect itself (R10.4).

Measure 九 (quoted): “企业主要负责人要指定1名领导班子成员，组织企业内部安全管理机构、企业工会、
从业人员代表和注册安全工程师等专业力量，形成企业内部安全检查组，对本企业重大事故隐患每季度至少检查
1次，并将检查情况报告企业主要负责人和属地具有管辖权的应急管理部门。企业主要负责人每年至少参加其中1次
检查。对企业自查查出的重大事故隐患，已按规定报告并正在采取有效措施消除的依法不予处罚；对于重大事故隐患
不检查、不报告、不整改，执法检查发现重大事故隐患的，依法对企业主要负责人“一案双罚”，并对企业内部安全
检查组人员启动责任倒查和精准追责。”

Measure 七 (quoted): “结合企业安全生产信用等级、安全生产标准化等级以及五年以上未发生生产安全事故等
情况，积极实施企业自我检查。” The measure names the three factors, not their thresholds: the
thresholds are the bureau's (`EligibilityCriteria`, loaded from data that says so).

Pure: no Django, no clock. Dates come in as arguments.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from .results import Reason

MEASURE_9 = "《关于规范行政执法行为的措施》第九条（附件九）"
MEASURE_7 = "《关于规范行政执法行为的措施》第七条"


# ---- R11.1 the internal inspection group ---------------------------------------------------


class GroupRole(StrEnum):
    LEADER = "leader"  # the leadership member the main person designates (exactly one)
    SAFETY_MANAGER = "safety_manager"  # 内部安全管理机构
    UNION = "union"  # 企业工会
    WORKER_REP = "worker_rep"  # 从业人员代表
    SAFETY_ENGINEER = "safety_engineer"  # 注册安全工程师等专业力量

    @property
    def label(self) -> str:
        return GROUP_ROLE_LABELS[self]


GROUP_ROLE_LABELS = {
    GroupRole.LEADER: "指定的领导班子成员（组长）",
    GroupRole.SAFETY_MANAGER: "安全管理机构人员",
    GroupRole.UNION: "企业工会代表",
    GroupRole.WORKER_REP: "从业人员代表",
    GroupRole.SAFETY_ENGINEER: "注册安全工程师等专业力量",
}


def check_group(roles: Iterable[str]) -> tuple[Reason, ...]:
    """What the group (its current members' roles) lacks against measure 九; empty when it is
    complete. Exactly one designated leadership member; at least one of every other role."""
    counts: dict[GroupRole, int] = dict.fromkeys(GroupRole, 0)
    for r in roles:
        counts[GroupRole(r)] += 1
    out: list[Reason] = []
    if counts[GroupRole.LEADER] == 0:
        out.append(
            Reason("group_no_leader", "未指定领导班子成员负责内部安全检查组（措施第九条）。")
        )
    elif counts[GroupRole.LEADER] > 1:
        out.append(
            Reason(
                "group_two_leaders", "措施第九条要求主要负责人指定1名领导班子成员，现登记了多名。"
            )
        )
    for role in (
        GroupRole.SAFETY_MANAGER,
        GroupRole.UNION,
        GroupRole.WORKER_REP,
        GroupRole.SAFETY_ENGINEER,
    ):
        if counts[role] == 0:
            out.append(Reason(f"group_no_{role.value}", f"检查组缺少{role.label}（措施第九条）。"))
    return tuple(out)


# ---- R11.2 quarterly checks and the main person's yearly part --------------------------------


def quarter_of(d: date) -> int:
    return (d.month - 1) // 3 + 1


def quarter_start(year: int, quarter: int) -> date:
    return date(year, 3 * (quarter - 1) + 1, 1)


def quarter_end(year: int, quarter: int) -> date:
    if quarter == 4:
        return date(year, 12, 31)
    nxt = quarter_start(year, quarter + 1)
    return date.fromordinal(nxt.toordinal() - 1)


class QuarterStatus(StrEnum):
    COVERED = "covered"  # at least one check filed and reported to the main person
    MISSING = "missing"  # the quarter has ended without one: flagged
    DUE = "due"  # the current quarter, no check yet
    FUTURE = "future"
    NOT_REQUIRED = "not_required"  # before the bureau started counting (or before the year)

    @property
    def label(self) -> str:
        return {
            "covered": "已自查",
            "missing": "缺报",
            "due": "本季度待自查",
            "future": "未到",
            "not_required": "不计",
        }[self.value]


@dataclass(frozen=True, slots=True)
class CheckFact:
    """One filed self-check (filing it in the system is the report to the bureau)."""

    checked_on: date
    reported_to_main_person: bool
    main_person_took_part: bool
    number: str = ""


@dataclass(frozen=True, slots=True)
class QuarterCoverage:
    year: int
    quarter: int
    status: QuarterStatus
    checks: tuple[str, ...]  # numbers of the checks that cover it

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.quarter}季度"


@dataclass(frozen=True, slots=True)
class Coverage:
    year: int
    quarters: tuple[QuarterCoverage, ...]
    main_person: QuarterStatus  # COVERED, MISSING (year over), DUE (not yet) or NOT_REQUIRED
    flags: tuple[Reason, ...]  # what is flagged to the enterprise and the bureau

    @property
    def missing(self) -> tuple[QuarterCoverage, ...]:
        return tuple(q for q in self.quarters if q.status is QuarterStatus.MISSING)


def coverage(checks: Sequence[CheckFact], *, year: int, today: date, starts: date) -> Coverage:
    """Quarter by quarter, whether the year's checks meet measure 九.

    A check counts for the quarter of its date only when it was reported to the main person
    (the measure: 报告企业主要负责人和属地…应急管理部门; filing it here reaches the bureau). The measure
    sets no time for the report after the quarter: a quarter is missing once it has ended
    without a counted check. Quarters ending before `starts` (the day the bureau began
    counting) are not required. The main person's part is missing once the year has ended
    without a check they took part in (only if any quarter of the year was required).
    """
    counted = [c for c in checks if c.checked_on.year == year and c.reported_to_main_person]
    quarters: list[QuarterCoverage] = []
    flags: list[Reason] = []
    for q in (1, 2, 3, 4):
        numbers = tuple(c.number for c in counted if quarter_of(c.checked_on) == q)
        end = quarter_end(year, q)
        if numbers:
            status = QuarterStatus.COVERED
        elif end < starts:
            status = QuarterStatus.NOT_REQUIRED
        elif end < today:
            status = QuarterStatus.MISSING
        elif quarter_start(year, q) <= today:
            status = QuarterStatus.DUE
        else:
            status = QuarterStatus.FUTURE
        qc = QuarterCoverage(year, q, status, numbers)
        quarters.append(qc)
        if status is QuarterStatus.MISSING:
            flags.append(
                Reason(
                    "quarter_missing",
                    f"{qc.label}未开展（或未报告主要负责人）重大事故隐患自查（{MEASURE_9}：每季度至少检查1次）。",
                )
            )
    required = any(q.status is not QuarterStatus.NOT_REQUIRED for q in quarters)
    if not required:
        main = QuarterStatus.NOT_REQUIRED
    elif any(c.main_person_took_part for c in counted):
        main = QuarterStatus.COVERED
    elif date(year, 12, 31) < today:
        main = QuarterStatus.MISSING
        flags.append(
            Reason(
                "main_person_missing",
                f"{year}年企业主要负责人未参加任何一次重大事故隐患自查（{MEASURE_9}：每年至少参加1次）。",
            )
        )
    else:
        main = QuarterStatus.DUE
    return Coverage(year, tuple(quarters), main, tuple(flags))


# ---- R11.3 / R7.6 a hazard officers found, against what the enterprise reported --------------

_PUNCT = re.compile(r"[\s\-_·,，.。、;；:：()（）\[\]【】/\\#＃]+")


def normalise_place(place: str) -> str:
    """Compare places as written: full-width folded (NFKC), case, spaces and punctuation
    dropped. "3号 车间（东侧）" and "3号车间东侧" are the same place."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", place or "")).lower()


@dataclass(frozen=True, slots=True)
class SelfReport:
    """A major hazard the enterprise reported (R11.3)."""

    number: str
    item_code: str  # the inspection item (检查事项) it falls under
    place: str
    reported_at: datetime
    rectifying: bool  # reported and its rectification still running (not closed)
    standard_item: str = ""  # the 判定标准 clause, shown in the explanation


@dataclass(frozen=True, slots=True)
class FoundHazard:
    """A hazard officers recorded on a visit."""

    level: str  # "major" or "general"
    item_code: str  # "" when the officer named no item
    place: str
    found_at: datetime


@dataclass(frozen=True, slots=True)
class Match:
    report: SelfReport | None
    explanation: tuple[str, ...]  # why it matched, or why each candidate did not


def match_self_report(found: FoundHazard, reports: Sequence[SelfReport]) -> Match:
    """The one rule that says whether officers found a hazard the enterprise had reported.

    The same hazard means: the same inspection item (by its code, so a later version of the
    item list still matches), the same place (as written, after `normalise_place`; one
    place written inside the other also matches, e.g. "3号车间" and "3号车间东侧配电室"),
    reported before the officers recorded it, and its rectification still running (a closed
    report that recurs is a new hazard). Without an item or a place on either side nothing
    can be shown to be the same, so nothing matches. The first report that matches (the
    earliest) is taken."""
    notes: list[str] = []
    fplace = normalise_place(found.place)
    if not found.item_code or not fplace:
        return Match(None, ("检查发现的隐患未填写检查事项或部位，无法与企业自报隐患比对。",))
    for r in sorted(reports, key=lambda r: (r.reported_at, r.number)):
        rplace = normalise_place(r.place)
        why: list[str] = []
        if r.item_code != found.item_code:
            why.append(f"检查事项不同（自报{r.item_code or '未填'}，检查发现{found.item_code}）")
        if not rplace:
            why.append("自报未填写部位")
        elif not (rplace == fplace or rplace in fplace or fplace in rplace):
            why.append(f"部位不同（自报“{r.place}”，检查发现“{found.place}”）")
        if r.reported_at >= found.found_at:
            why.append("自报时间不早于检查发现时间")
        if not r.rectifying:
            why.append("该自报隐患已整改销号，再次出现视为新的隐患")
        if not why:
            same = "部位相同" if rplace == fplace else f"部位一致（“{r.place}”与“{found.place}”）"
            clause = f"，判定标准条款：{r.standard_item}" if r.standard_item else ""
            return Match(
                r,
                (
                    f"与企业自报隐患{r.number}为同一隐患：检查事项相同（{found.item_code}），{same}，"
                    f"企业于{r.reported_at:%Y年%m月%d日}报告，检查发现前已在整改{clause}。",
                ),
            )
        notes.append(f"自报隐患{r.number}：" + "；".join(why) + "。")
    if not reports:
        notes.append("企业未自报任何正在整改的重大事故隐患。")
    return Match(None, tuple(notes))


class HazardOutcome(StrEnum):
    NOT_PENALISED = "not_penalised"  # R11.3
    DOUBLE_PENALTY = "double_penalty"  # R7.6: two linked cases and 责任倒查 of the group
    ORDINARY = "ordinary"  # a general hazard: one case against the unit


@dataclass(frozen=True, slots=True)
class HazardDecision:
    outcome: HazardOutcome
    match: Match
    reasons: tuple[Reason, ...]

    @property
    def penalise(self) -> bool:
        return self.outcome is not HazardOutcome.NOT_PENALISED


def decide_found_hazard(
    found: FoundHazard, reports: Sequence[SelfReport], *, flagged_self_report: str = ""
) -> HazardDecision:
    """R11.3 and R7.6 together: what a hazard officers found leads to.

    `flagged_self_report` is a self-report reference an officer wrote on the hazard itself
    (visits' `Hazard.self_report_reference`); it is honoured as before."""
    if flagged_self_report:
        return HazardDecision(
            HazardOutcome.NOT_PENALISED,
            Match(None, (f"检查人员记录该隐患系企业自查自报（{flagged_self_report}）。",)),
            (
                Reason(
                    "self_reported",
                    f"该事故隐患系企业自查自报（{flagged_self_report}）并正在整改，依据{MEASURE_9}"
                    "“对企业自查查出的重大事故隐患，已按规定报告并正在采取有效措施消除的依法不予处罚”（R11.3），不予立案处罚。",
                ),
            ),
        )
    if found.level != "major":
        return HazardDecision(
            HazardOutcome.ORDINARY,
            Match(None, ()),
            (Reason("general_hazard", "执法检查发现的一般事故隐患，对生产经营单位立案。"),),
        )
    m = match_self_report(found, reports)
    if m.report is not None:
        return HazardDecision(
            HazardOutcome.NOT_PENALISED,
            m,
            (
                Reason(
                    "self_reported",
                    f"{m.explanation[0]}依据{MEASURE_9}“对企业自查查出的重大事故隐患，已按规定报告并正在采取有效措施消除的"
                    "依法不予处罚”（R11.3），不予立案处罚。",
                ),
            ),
        )
    return HazardDecision(
        HazardOutcome.DOUBLE_PENALTY,
        m,
        (
            Reason(
                "unreported_major_hazard",
                f"执法检查发现企业未自查报告的重大事故隐患：依据{MEASURE_9}对企业主要负责人“一案双罚”，"
                "分别对生产经营单位和主要负责人立案（两个关联案件，各自裁量、告知、决定、送达和执行），"
                "并对企业内部安全检查组人员启动责任倒查（R7.6）。",
            ),
        ),
    )


# ---- R10.4 self-inspection eligibility -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EligibilityCriteria:
    """The bureau's thresholds for the three factors measure 七 names."""

    credit_levels: frozenset[str]  # e.g. {"A"}
    grades: frozenset[str]  # standardisation grades in force, e.g. {"1", "2"}
    accident_free_years: int  # 五年以上: 5
    not_listed: bool = True  # not on the serious-dishonesty list
    source: str = ""


@dataclass(frozen=True, slots=True)
class EligibilityFacts:
    credit_level: str
    grade: str  # the effective grade on the day ("1", "2", "3", "none")
    registered_on: date | None
    last_accident_on: date | None
    listed: bool


@dataclass(frozen=True, slots=True)
class Eligibility:
    eligible: bool
    reasons: tuple[Reason, ...]  # every unmet condition; when eligible, what was met
    accident_free_since: date


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def self_inspection_eligibility(
    facts: EligibilityFacts, *, on: date, criteria: EligibilityCriteria
) -> Eligibility:
    """May the enterprise inspect itself (企业自我检查) on `on`? Every condition is checked and
    every unmet one given. Five years without an accident needs the enterprise to have
    existed five years (its founding date on record) and no accident in the five years up
    to `on`."""
    since = _years_before(on, criteria.accident_free_years)
    unmet: list[Reason] = []
    met: list[Reason] = []
    levels = "、".join(sorted(criteria.credit_levels))
    if facts.credit_level in criteria.credit_levels:
        met.append(Reason("credit_ok", f"安全生产信用等级为{facts.credit_level}级。"))
    else:
        unmet.append(
            Reason("credit_level", f"安全生产信用等级为{facts.credit_level}级，须为{levels}级。")
        )
    grades = "、".join(f"{g}级" for g in sorted(criteria.grades))
    if facts.grade in criteria.grades:
        met.append(Reason("grade_ok", f"安全生产标准化{facts.grade}级（在有效期内）。"))
    else:
        shown = "未定级或已过有效期" if facts.grade == "none" else f"{facts.grade}级"
        unmet.append(Reason("standardisation_grade", f"安全生产标准化等级{shown}，须为{grades}。"))
    n = criteria.accident_free_years
    if facts.registered_on is None:
        unmet.append(
            Reason("founding_unknown", f"未登记成立日期，无法确认{n}年以上未发生生产安全事故。")
        )
    elif facts.registered_on > since:
        unmet.append(Reason("too_young", f"成立于{facts.registered_on:%Y年%m月%d日}，不满{n}年。"))
    if facts.last_accident_on is not None and facts.last_accident_on > since:
        unmet.append(
            Reason(
                "recent_accident",
                f"{facts.last_accident_on:%Y年%m月%d日}发生生产安全事故，近{n}年内有事故记录。",
            )
        )
    elif facts.registered_on is not None and facts.registered_on <= since:
        met.append(Reason("accident_free", f"{since:%Y年%m月%d日}以来未发生生产安全事故。"))
    if criteria.not_listed and facts.listed:
        unmet.append(Reason("listed", "处于严重失信主体名单中。"))
    return Eligibility(not unmet, tuple(unmet) if unmet else tuple(met), since)


# ---- the checklist ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChecklistAnswer:
    item: str
    result: str  # "ok", "hazard", "na"
    place: str = ""
    note: str = ""


def check_answers(items: Sequence[str], answers: Sequence[ChecklistAnswer]) -> tuple[Reason, ...]:
    """A self-check answers every item of its standard once (符合 / 存在重大事故隐患 / 不涉及);
    a hazard names its place and what was found."""
    out: list[Reason] = []
    by_item: dict[str, int] = {}
    for a in answers:
        by_item[a.item] = by_item.get(a.item, 0) + 1
        if a.item not in items:
            out.append(Reason("unknown_item", f"判定标准中没有条款{a.item}。"))
        if a.result not in ("ok", "hazard", "na"):
            out.append(Reason("result_invalid", f"条款{a.item}的结论应为符合、存在隐患或不涉及。"))
        if a.result == "hazard" and (not a.place.strip() or not a.note.strip()):
            out.append(
                Reason("hazard_details", f"条款{a.item}判定存在重大事故隐患，须填写部位和情况。")
            )
    for i in items:
        if by_item.get(i, 0) == 0:
            out.append(Reason("item_unanswered", f"条款{i}未作结论。"))
        elif by_item[i] > 1:
            out.append(Reason("item_twice", f"条款{i}作了多次结论。"))
    return tuple(out)
