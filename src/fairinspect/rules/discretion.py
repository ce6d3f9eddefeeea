"""Discretion (行政处罚裁量) for work-safety penalty cases: R7.1, R7.2, R7.3.

Pure: catalogue, baseline and no-penalty list are values passed in; only the ``load_*`` functions
at the end read the files in ``legal_data/``. ``decide`` works in this order: the stage picks the
statutory sanction (initial 责令限期改正 / overdue 逾期未改正 / accident 导致发生事故); 不予处罚 on
the grounds of 《行政处罚法》第三十三条 or the published no-penalty list; the baseline tier (裁量
阶次) narrows the legal range; the grade follows from mitigations (第三十条、第三十二条) and
aggravations; the band is the lower/middle/upper part of the tier (从轻/一般/从重; split from the
baseline data, thirds by default) or, for 减轻, 0 to (statutory minimum - 1 yuan).

Invariants (hypothesis tests): the band lies inside the legal range except 减轻 (below it, never
negative) and 不予处罚 (0, 0); an added aggravation never lowers it, an added mitigation never
raises it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Any

from .results import Reason

LEGAL_DATA = Path(__file__).resolve().parent / "legal_data"
ZERO, YUAN, CENT = Decimal(0), Decimal(1), Decimal("0.01")
APL = "《行政处罚法》"  # 中华人民共和国行政处罚法 (2021 revision)


class LegalDataError(ValueError):
    """The shipped legal data is inconsistent: a defect in the data, not in a request."""


class DiscretionError(ValueError):
    """A request that cannot be decided; ``code`` is stable English, the message Chinese."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class Grade(StrEnum):
    NO_PENALTY = "no_penalty"
    MITIGATED = "mitigated"
    LIGHTER = "lighter"
    ORDINARY = "ordinary"
    HEAVIER = "heavier"

    @property
    def label(self) -> str:
        return {
            "no_penalty": "不予处罚",
            "mitigated": "减轻处罚",
            "lighter": "从轻处罚",
            "ordinary": "一般处罚",
            "heavier": "从重处罚",
        }[self.value]


class Party(StrEnum):
    UNIT = "unit"
    PERSON = "person"


class Harm(StrEnum):
    NONE = "none"
    SLIGHT = "slight"
    SERIOUS = "serious"


class Stage(StrEnum):
    INITIAL = "initial"
    OVERDUE = "overdue"
    ACCIDENT = "accident"


class AccidentLevel(StrEnum):
    GENERAL = "general"
    LARGER = "larger"
    MAJOR = "major"
    EXTRAORDINARY = "extraordinary"


# Statutory grounds that make a lighter or reduced penalty mandatory (应当从轻或者减轻).
MITIGATIONS: dict[str, str] = {
    "actively_reduced_harm": f"主动消除或者减轻违法行为危害后果（{APL}第三十二条第一项）",
    "coerced": f"受他人胁迫或者诱骗实施违法行为（{APL}第三十二条第二项）",
    "confessed": f"主动供述行政机关尚未掌握的违法行为（{APL}第三十二条第三项）",
    "assisted_investigation": f"配合行政机关查处违法行为有立功表现（{APL}第三十二条第四项）",
    "minor_age": f"系已满十四周岁不满十八周岁的未成年人（{APL}第三十条）",
}
# Aggravating circumstances of the baseline (从重情节).
AGGRAVATIONS: dict[str, str] = {
    "repeat_within_1_year": "一年内因同一种安全生产违法行为受过行政处罚",
    "refused_inspection": "拒绝、阻碍或者以暴力威胁行政执法人员",
    "forged_evidence": "伪造、隐匿、毁灭证据或者提供虚假材料",
    "caused_accident": "违法行为导致发生生产安全事故",
    "major_hazard_unrectified": "存在重大事故隐患拒不整改或者整改不力",
    "endangers_public": "危及公共安全或者其他生产经营单位安全",
    "concealed_accident": "对生产安全事故隐瞒不报、谎报或者迟报",
    "egregious_accident": "发生生产安全事故，情节特别严重、影响特别恶劣",
}


@dataclass(frozen=True)
class Facts:
    """What the officer established: facts only, never a conclusion about the grade."""

    first_offence: bool = False
    harm: Harm = Harm.NONE
    corrected_in_time: bool = False
    overdue_uncorrected: bool = False
    no_fault: bool = False
    minor: bool = False  # 违法行为轻微, the officer's recorded finding
    mitigations: tuple[str, ...] = ()
    aggravations: tuple[str, ...] = ()
    staff_affected_share: Decimal | None = None
    headcount: int | None = None
    people_affected: int | None = None
    fatal_accident_within_3_years: bool = False
    serious_dishonesty_listed: bool = False
    high_risk: bool = False  # 危险物品、矿山、金属冶炼等高危行业领域
    accident_level: AccidentLevel | None = None
    annual_income: Decimal | None = None  # 上一年年收入, for the income-based fines

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "harm", Harm(self.harm))
        if self.accident_level is not None:
            put(self, "accident_level", AccidentLevel(self.accident_level))
        for name, known in (("mitigations", MITIGATIONS), ("aggravations", AGGRAVATIONS)):
            codes = tuple(dict.fromkeys(getattr(self, name)))
            if unknown := [c for c in codes if c not in known]:
                raise DiscretionError(
                    f"unknown_{name[:-1]}", f"未知的情节代码：{'、'.join(unknown)}。"
                )
            put(self, name, codes)
        if self.staff_affected_share is not None:
            share = Decimal(str(self.staff_affected_share))
            if not ZERO <= share <= YUAN:
                raise DiscretionError("bad_share", "涉及从业人员比例应在0与1之间。")
            put(self, "staff_affected_share", share)
        if any(n is not None and n < 0 for n in (self.headcount, self.people_affected)):
            raise DiscretionError("bad_count", "人数不得为负数。")
        if self.annual_income is not None:
            put(self, "annual_income", Decimal(str(self.annual_income)))


_OPS = {
    "lt": Decimal.__lt__,
    "lte": Decimal.__le__,
    "gt": Decimal.__gt__,
    "gte": Decimal.__ge__,
    "eq": Decimal.__eq__,
}
_CONDITION_FACTS = ("staff_affected_share", "headcount", "people_affected")


@dataclass(frozen=True)
class Condition:
    fact: str
    op: str
    value: Decimal

    def holds(self, facts: Facts) -> bool | None:
        """None when the fact is unknown: a missing fact never silently satisfies a condition."""
        actual = getattr(facts, self.fact)
        return None if actual is None else _OPS[self.op](Decimal(str(actual)), self.value)


@dataclass(frozen=True)
class Fine:
    basis: str  # "amount" (yuan) or "income_percent" (of last year's income)
    min: Decimal
    max: Decimal


@dataclass(frozen=True)
class Sanction:
    measures: tuple[str, ...]  # 责令改正 etc.: orders, not penalties (《行政处罚法》第二十八条)
    penalties: tuple[str, ...]
    fine: Fine | None
    who: str = ""
    conditional_penalties: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Multiplier:
    aggravation: str
    min: Decimal
    max: Decimal
    basis: str


@dataclass(frozen=True)
class Violation:
    code: str
    law: str
    version: str
    article: int
    clause: int
    item: int | None
    kind: str  # "range", or "daily" for 按日连续处罚 (《安全生产法》第一百一十二条)
    title: str
    item_text: str
    legal_basis: str  # 违法条款: the duty that was breached
    penalty_basis: str  # 罚则条款
    penalty_text: str
    source: str
    sanctions: tuple[tuple[Party, Stage, Sanction], ...]
    notes: str = ""
    accident_level: AccidentLevel | None = None
    multiplier: Multiplier | None = None

    @property
    def key(self) -> tuple[str, str, int, int, int | None]:
        return (self.law, self.version, self.article, self.clause, self.item)

    @property
    def stages(self) -> frozenset[Stage]:
        return frozenset(st for _, st, _ in self.sanctions)

    def sanction(self, party: Party, stage: Stage) -> Sanction | None:
        return next((s for p, st, s in self.sanctions if p == party and st == stage), None)


@dataclass(frozen=True)
class Tier:
    id: str
    label: str
    description: str
    when: tuple[Condition, ...]
    min: Decimal
    max: Decimal
    inferred: bool = False


@dataclass(frozen=True)
class BaselineEntry:
    violation: str
    party: Party
    stage: Stage
    tiers: tuple[Tier, ...]
    source: str


@dataclass(frozen=True)
class Baseline:
    name: str
    version: str
    status: str
    lighter_upper: Fraction = Fraction(1, 3)
    heavier_lower: Fraction = Fraction(2, 3)
    entries: tuple[BaselineEntry, ...] = ()

    def entry(self, code: str, party: Party, stage: Stage) -> BaselineEntry | None:
        wanted = (code, party, stage)
        return next((e for e in self.entries if (e.violation, e.party, e.stage) == wanted), None)


@dataclass(frozen=True)
class Catalogue:
    law: str
    version: str
    effective_from: date
    violations: tuple[Violation, ...]
    baseline: Baseline

    def get(self, code: str) -> Violation:
        if found := next((v for v in self.violations if v.code == code), None):
            return found
        raise DiscretionError("unknown_violation", f"违法行为目录中没有编码为 {code} 的违法行为。")


@dataclass(frozen=True)
class NoPenaltyItem:
    id: str
    violation: str
    party: Party
    title: str
    situation: str
    conditions: tuple[Condition, ...]
    exclude_high_risk: bool
    source: str


@dataclass(frozen=True)
class NoPenaltyList:
    name: str
    version: str
    status: str
    published_on: date | None
    general_conditions: tuple[tuple[str, str], ...]
    measures: tuple[str, ...]
    document: str
    items: tuple[NoPenaltyItem, ...]


@dataclass(frozen=True)
class NoPenaltyDecision:
    applies: bool
    item: NoPenaltyItem | None
    failed_conditions: tuple[Reason, ...]
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class DiscretionResult:
    grade: Grade
    fine_min: Decimal
    fine_max: Decimal
    penalty_types: tuple[str, ...]
    reasons: tuple[Reason, ...]
    no_penalty_item: NoPenaltyItem | None = None
    measures: tuple[str, ...] = ()
    stage: Stage = Stage.INITIAL
    legal_min: Decimal | None = None
    legal_max: Decimal | None = None
    tier: str | None = None


@dataclass(frozen=True)
class RangeCheck:
    needs_reason: bool
    unlawful: bool
    reason: Reason | None


# ---- the no-penalty list (R7.3) -------------------------------------------------------------

_GENERAL_CONDITIONS = {
    "first_offence": lambda f: f.first_offence,
    "harm_slight": lambda f: f.harm in (Harm.NONE, Harm.SLIGHT),
    "corrected_in_time": lambda f: f.corrected_in_time and not f.overdue_uncorrected,
    "no_fatal_accident_3y": lambda f: not f.fatal_accident_within_3_years,
    "not_dishonest": lambda f: not f.serious_dishonesty_listed,
    "no_aggravation": lambda f: not f.aggravations,
}


def check_no_penalty(
    no_penalty_list: NoPenaltyList, violation_code: str, facts: Facts, *, party: Party | None = None
) -> NoPenaltyDecision:
    """Checks every condition and reports every failure on its own."""
    npl = no_penalty_list
    name = f"《{npl.name}》（{npl.version}）"
    items = [
        i
        for i in npl.items
        if i.violation == violation_code and (party is None or i.party == party)
    ]
    if not items:
        return NoPenaltyDecision(False, None, (Reason("not_listed", f"该违法行为未列入{name}。"),))
    first_failures: tuple[Reason, ...] = ()
    for item in items:
        failed = [
            Reason(code, f"不符合{name}的适用条件：{text}。")
            for code, text in npl.general_conditions
            if not _GENERAL_CONDITIONS[code](facts)
        ]
        if item.exclude_high_risk and facts.high_risk:
            failed.append(
                Reason(
                    "high_risk_excluded",
                    f"{name}第{item.id}项不适用于危险物品、"
                    "矿山、金属冶炼等高危行业领域的生产经营单位。",
                )
            )
        for cond in item.conditions:
            held = cond.holds(facts)
            if held is None:
                failed.append(
                    Reason(
                        "missing_fact", f"{name}第{item.id}项要求查明“{cond.fact}”，本案尚未记录。"
                    )
                )
            elif not held:
                failed.append(
                    Reason(
                        "outside_item_scope",
                        f"不符合{name}第{item.id}项的适用情形：{item.situation}",
                    )
                )
        if not failed:
            ok = Reason(
                "no_penalty_list",
                f"依据{APL}第三十三条第一款和{name}第{item.id}项"
                f"（{item.title}），当事人初次违法且危害后果轻微并及时改正，不予行政处罚，"
                f"制作{npl.document}并对当事人进行教育。",
            )
            return NoPenaltyDecision(True, item, (), (ok,))
        first_failures = first_failures or tuple(failed)
    return NoPenaltyDecision(False, items[0], first_failures)


# ---- the decision (R7.2) --------------------------------------------------------------------


def select_stage(violation: Violation, facts: Facts) -> Stage:
    stages = violation.stages
    if Stage.ACCIDENT in stages and (facts.accident_level or stages == {Stage.ACCIDENT}):
        level = violation.accident_level
        if level and facts.accident_level and facts.accident_level != level:
            raise DiscretionError(
                "accident_level_mismatch", "事故等级与所选罚则条款的事故等级不一致。"
            )
        return Stage.ACCIDENT
    if facts.overdue_uncorrected and Stage.OVERDUE in stages:
        return Stage.OVERDUE
    return Stage.INITIAL


def decide(
    violation: Violation,
    party: Party | str,
    facts: Facts,
    baseline: Baseline | None = None,
    no_penalty_list: NoPenaltyList | None = None,
) -> DiscretionResult:
    party, basis = Party(party), violation.penalty_basis
    if violation.kind == "daily":
        raise DiscretionError(
            "not_discretionary", f"{basis}为按日连续处罚，按原处罚数额逐日计算，不适用裁量幅度。"
        )
    stage = select_stage(violation, facts)
    sanction = violation.sanction(party, stage)
    if sanction is None:
        who = "生产经营单位" if party is Party.UNIT else "个人"
        raise DiscretionError("no_sanction", f"{basis}在此情形下对{who}没有规定罚则。")
    reasons = [
        Reason("legal_basis", f"违反{violation.legal_basis}，依据{basis}：{violation.penalty_text}")
    ]
    if stage is Stage.OVERDUE:
        reasons.append(
            Reason(
                "stage_overdue",
                f"当事人逾期未改正（拒不执行、拒不改正），适用{basis}关于逾期未改正的罚则。",
            )
        )
    consumed = _consumed(violation, stage, facts, reasons)

    exempt, item = _exemption(violation, party, facts, no_penalty_list, reasons)
    if exempt:
        extra = no_penalty_list.measures if item and no_penalty_list else ("批评教育",)
        return DiscretionResult(
            Grade.NO_PENALTY,
            ZERO,
            ZERO,
            (),
            tuple(reasons),
            item,
            tuple(dict.fromkeys((*sanction.measures, *extra))),
            stage,
        )

    aggravations = tuple(a for a in facts.aggravations if a not in consumed)
    grade = _grade(facts, party, aggravations, reasons)
    penalties = list(sanction.penalties)
    if grade is Grade.HEAVIER:
        for when, extra in sanction.conditional_penalties:
            penalties.extend(extra)
            reasons.append(
                Reason(
                    "conditional_penalty",
                    f"具有从重情节，属于{basis}所称“{when}”的，并处{'、'.join(extra)}。",
                )
            )
    if sanction.fine is None:
        reasons.append(Reason("no_fine_at_stage", f"{basis}在此情形下未规定罚款。"))
        return DiscretionResult(
            grade, ZERO, ZERO, tuple(penalties), tuple(reasons), None, sanction.measures, stage
        )

    legal_min, legal_max = _legal_range(violation, sanction.fine, facts, reasons)
    multiplied = violation.multiplier is not None and violation.multiplier.aggravation in consumed
    lo, hi, tier = _tier(
        violation.code, party, stage, facts, baseline, (legal_min, legal_max), multiplied, reasons
    )
    if grade is Grade.MITIGATED and legal_min < YUAN:
        grade = Grade.LIGHTER
        reasons.append(
            Reason(
                "no_statutory_minimum", "法定罚款未规定最低限额，无从减轻，在所适用幅度内从轻处罚。"
            )
        )
    fine_min, fine_max = _band(grade, lo, hi, legal_min, baseline)
    reasons.append(_band_reason(grade, fine_min, fine_max, baseline))
    return DiscretionResult(
        grade,
        fine_min,
        fine_max,
        tuple(penalties),
        tuple(reasons),
        None,
        sanction.measures,
        stage,
        legal_min,
        legal_max,
        tier,
    )


def _consumed(
    violation: Violation, stage: Stage, facts: Facts, reasons: list[Reason]
) -> frozenset[str]:
    """Facts that already chose the provision are not weighed again (禁止重复评价)."""
    consumed = set()
    if stage is Stage.ACCIDENT and "caused_accident" in facts.aggravations:
        consumed.add("caused_accident")
        reasons.append(
            Reason(
                "not_double_counted",
                "“导致发生生产安全事故”已是所适用罚则的构成要件，不再作为从重情节重复评价。",
            )
        )
    m = violation.multiplier
    if m and stage is Stage.ACCIDENT and m.aggravation in facts.aggravations:
        consumed.add(m.aggravation)
    return frozenset(consumed)


def _exemption(
    violation: Violation,
    party: Party,
    facts: Facts,
    npl: NoPenaltyList | None,
    reasons: list[Reason],
) -> tuple[bool, NoPenaltyItem | None]:
    """(exempt, list item): the two mandatory grounds of Art. 33 first, then the list."""
    if facts.no_fault:
        reasons.append(
            Reason(
                "no_fault",
                f"依据{APL}第三十三条第二款：当事人有证据足以证明没有主观过错的，不予行政处罚。",
            )
        )
        return True, None
    corrected = facts.corrected_in_time and not facts.overdue_uncorrected
    if facts.minor and corrected and facts.harm is Harm.NONE:
        if not facts.aggravations:
            reasons.append(
                Reason(
                    "minor_corrected_no_harm",
                    f"依据{APL}第三十三条第一款：违法"
                    "行为轻微并及时改正，没有造成危害后果的，不予行政处罚；"
                    "依据同条第三款对当事人进行教育。",
                )
            )
            return True, None
        reasons.append(Reason("minor_excluded", "当事人具有从重情节，不认定为违法行为轻微。"))
    if npl is None:
        return False, None
    decision = check_no_penalty(npl, violation.code, facts, party=party)
    reasons.extend(
        decision.reasons
        if decision.applies
        else decision.failed_conditions
        if decision.item
        else ()
    )
    return decision.applies, decision.item


def _grade(
    facts: Facts, party: Party, aggravations: tuple[str, ...], reasons: list[Reason]
) -> Grade:
    statutory = []
    for code in facts.mitigations:
        if code == "minor_age" and party is Party.UNIT:
            reasons.append(
                Reason("mitigation_not_applicable", f"{APL}第三十条的未成年人情节不适用于单位。")
            )
            continue
        statutory.append(code)
        reasons.append(
            Reason(
                f"mitigation_{code}", f"当事人{MITIGATIONS[code]}，依法应当从轻或者减轻行政处罚。"
            )
        )
    for code in aggravations:
        reasons.append(
            Reason(
                f"aggravation_{code}",
                f"当事人{AGGRAVATIONS[code]}，属于裁量基准列明的从重处罚情节。",
            )
        )
    discretionary = (
        facts.first_offence
        and facts.corrected_in_time
        and not facts.overdue_uncorrected
        and facts.harm is not Harm.SERIOUS
    )
    if discretionary:
        reasons.append(
            Reason(
                "first_offence_corrected",
                "当事人初次违法并在责令期限内改正，"
                f"未造成严重危害后果，可以从轻处罚（属{APL}第三十三条第一款"
                "“可以不予行政处罚”情形而未适用包容免罚清单的，亦同）。",
            )
        )
    if statutory:
        if len(statutory) >= 2 and not aggravations:
            reasons.append(
                Reason(
                    "grade_mitigated",
                    "当事人具有两项以上法定从轻、减轻情节且无"
                    f"从重情节，依据{APL}第三十二条减轻处罚。",
                )
            )
            return Grade.MITIGATED
        if aggravations:
            reasons.append(
                Reason(
                    "grade_lighter_not_mitigated",
                    f"法定情节依{APL}第三十二条应当适用；因同时具有从重情节，只从轻、不减轻。",
                )
            )
        return Grade.LIGHTER
    if aggravations and discretionary:
        reasons.append(Reason("grade_offset", "从重情节与从轻情节并存，综合裁量按一般处罚。"))
        return Grade.ORDINARY
    if aggravations:
        return Grade.HEAVIER
    return Grade.LIGHTER if discretionary else Grade.ORDINARY


def _legal_range(
    violation: Violation, fine: Fine, facts: Facts, reasons: list[Reason]
) -> tuple[Decimal, Decimal]:
    if fine.basis == "income_percent":
        income = facts.annual_income
        if income is None:
            raise DiscretionError(
                "missing_annual_income",
                f"{violation.penalty_basis}按上一年"
                "年收入的百分比处罚，须先查明当事人上一年年收入。",
            )
        lo = (income * fine.min / 100).quantize(CENT, ROUND_HALF_UP)
        hi = (income * fine.max / 100).quantize(CENT, ROUND_HALF_UP)
        reasons.append(
            Reason(
                "income_basis",
                f"当事人上一年年收入{income}元，法定罚款为其"
                f"{fine.min}%至{fine.max}%，即{lo}元至{hi}元。",
            )
        )
        return lo, hi
    m = violation.multiplier
    if m and m.aggravation in facts.aggravations and violation.stages == {Stage.ACCIDENT}:
        lo, hi = fine.min * m.min, fine.max * m.max
        reasons.append(
            Reason(
                "multiplied_range",
                f"依据{m.basis}：情节特别严重、影响特别恶劣的，"
                f"按前款罚款数额的{m.min}倍以上{m.max}倍以下处以罚款，"
                f"即{lo}元至{hi}元。",
            )
        )
        return lo, hi
    return fine.min, fine.max


def _tier(
    code: str,
    party: Party,
    stage: Stage,
    facts: Facts,
    baseline: Baseline | None,
    legal: tuple[Decimal, Decimal],
    multiplied: bool,
    reasons: list[Reason],
) -> tuple[Decimal, Decimal, str | None]:
    legal_text = f"在法定幅度{legal[0]}元至{legal[1]}元内裁量"
    entry = baseline.entry(code, party, stage) if baseline else None
    if baseline is None or entry is None or multiplied:
        reasons.append(Reason("no_tier", f"裁量基准未对本情形细分裁量阶次，{legal_text}。"))
        return legal[0], legal[1], None
    missing: set[str] = set()
    for tier in entry.tiers:
        held = [c.holds(facts) for c in tier.when]
        if all(h is True for h in held):
            reasons.append(
                Reason(
                    "baseline_tier",
                    f"依据裁量基准（{baseline.name}，"
                    f"{baseline.version}）：{tier.description}，适用第{tier.id}阶次"
                    f"（{tier.label}），罚款{tier.min}元至{tier.max}元。",
                )
            )
            return tier.min, tier.max, tier.id
        missing.update(c.fact for c, h in zip(tier.when, held, strict=True) if h is None)
    detail = f"缺少事实：{'、'.join(sorted(missing))}" if missing else "没有相符的阶次"
    reasons.append(Reason("tier_undetermined", f"裁量阶次无法确定（{detail}），{legal_text}。"))
    return legal[0], legal[1], None


def _split(baseline: Baseline | None) -> tuple[Fraction, Fraction]:
    return (
        (baseline.lighter_upper, baseline.heavier_lower)
        if baseline
        else (Fraction(1, 3), Fraction(2, 3))
    )


def _band(
    grade: Grade, lo: Decimal, hi: Decimal, legal_min: Decimal, baseline: Baseline | None
) -> tuple[Decimal, Decimal]:
    if grade is Grade.MITIGATED:
        return ZERO, max(ZERO, legal_min - YUAN)

    def point(f: Fraction) -> Decimal:
        raw = lo + (hi - lo) * Decimal(f.numerator) / Decimal(f.denominator)
        return min(hi, max(lo, raw.quantize(YUAN, ROUND_HALF_UP)))

    a, b = (point(f) for f in _split(baseline))
    return {Grade.LIGHTER: (lo, a), Grade.ORDINARY: (a, b), Grade.HEAVIER: (b, hi)}[grade]


def _band_reason(
    grade: Grade, fine_min: Decimal, fine_max: Decimal, baseline: Baseline | None
) -> Reason:
    advice = f"建议罚款{fine_min}元至{fine_max}元。"
    if grade is Grade.MITIGATED:
        return Reason("band", f"依据{APL}第三十二条，减轻处罚在法定最低罚款数额以下确定，{advice}")
    lower, upper = _split(baseline)
    part = {
        Grade.LIGHTER: f"下部（0至{lower}）",
        Grade.ORDINARY: f"中部（{lower}至{upper}）",
        Grade.HEAVIER: f"上部（{upper}至1）",
    }[grade]
    return Reason(
        "band", f"依据裁量基准的幅度划分，{grade.label}在所适用幅度的{part}内确定，{advice}"
    )


def check_outside_range(amount: Decimal, result: DiscretionResult) -> RangeCheck:
    """An amount outside the recommendation needs a written reason that is then reviewed;
    ``unlawful`` marks amounts the law itself forbids."""
    amount = Decimal(str(amount))
    review = "须书面说明理由并经法制审核。"
    if amount < 0:
        return RangeCheck(True, True, Reason("negative_amount", "罚款数额不得为负数。"))
    if result.grade is Grade.NO_PENALTY:
        if amount == 0:
            return RangeCheck(False, False, None)
        mandatory = any(r.code in ("no_fault", "minor_corrected_no_harm") for r in result.reasons)
        msg = (
            f"依据{APL}第三十三条应当不予行政处罚，不得罚款。"
            if mandatory
            else f"建议依包容免罚清单不予处罚，拟罚款的{review}"
        )
        return RangeCheck(True, mandatory, Reason("fine_despite_no_penalty", msg))
    if result.legal_max is not None and amount > result.legal_max:
        return RangeCheck(
            True,
            True,
            Reason(
                "above_legal_max",
                f"拟罚款{amount}元超过法定最高限额{result.legal_max}元，不得作出。",
            ),
        )
    below = result.legal_min is not None and amount < result.legal_min
    if below and result.grade is not Grade.MITIGATED:
        return RangeCheck(
            True,
            False,
            Reason(
                "below_legal_min",
                f"拟罚款{amount}元低于法定最低"
                f"限额{result.legal_min}元，属于减轻处罚，须具有"
                f"{APL}第三十二条规定的情形，{review}",
            ),
        )
    if result.fine_min <= amount <= result.fine_max:
        return RangeCheck(False, False, None)
    return RangeCheck(
        True,
        False,
        Reason(
            "outside_recommendation",
            f"拟罚款{amount}元不在裁量"
            f"基准建议幅度{result.fine_min}元至{result.fine_max}元内，"
            f"{review}",
        ),
    )


def continuous_daily_total(original_amount: Decimal, ordered_on: date, until: date) -> Decimal:
    """《安全生产法》第一百一十二条: the original amount for every day from the day after the
    order to correct up to and including ``until``, the last day found uncorrected."""
    days = max(0, (until - ordered_on).days)
    return (Decimal(str(original_amount)) * days).quantize(CENT, ROUND_HALF_UP)


# ---- parsing and loading the shipped data ---------------------------------------------------


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


def _conditions(raw: list[dict[str, Any]], where: str) -> tuple[Condition, ...]:
    bad = [c for c in raw if c["fact"] not in _CONDITION_FACTS or c["op"] not in _OPS]
    if bad:
        raise LegalDataError(f"{where}: bad condition {bad}")
    return tuple(Condition(c["fact"], c["op"], _dec(c["value"])) for c in raw)


def _sanction(raw: dict[str, Any]) -> Sanction:
    f = raw.get("fine")
    fine = Fine(f["basis"], _dec(f["min"]), _dec(f["max"])) if f else None
    if fine and (
        fine.basis not in ("amount", "income_percent") or not ZERO <= fine.min <= fine.max
    ):
        raise LegalDataError(f"bad fine {f}")
    conditional = tuple(
        (c["when"], tuple(c["penalties"])) for c in raw.get("conditional_penalties", ())
    )
    return Sanction(
        tuple(raw["measures"]), tuple(raw["penalties"]), fine, raw.get("who", ""), conditional
    )


def _violation(v: dict[str, Any]) -> Violation:
    sanctions = tuple(
        (Party(p), Stage(st), _sanction(s))
        for p, by_stage in v["sanctions"].items()
        for st, s in by_stage.items()
    )
    m = v.get("multiplier")
    multiplier = (
        Multiplier(m["when_aggravation"], _dec(m["min"]), _dec(m["max"]), m["basis"]) if m else None
    )
    level = AccidentLevel(v["accident_level"]) if v.get("accident_level") else None
    return Violation(
        v["code"],
        v["law"],
        v["version"],
        v["article"],
        v["clause"],
        v["item"],
        v["kind"],
        v["title"],
        v["item_text"],
        v["legal_basis"],
        v["penalty_basis"],
        v["penalty_text"],
        v["source"],
        sanctions,
        v.get("notes", ""),
        level,
        multiplier,
    )


def _entry(e: dict[str, Any], by_code: dict[str, Violation]) -> BaselineEntry:
    party, stage = Party(e["party"]), Stage(e["stage"])
    where = f"baseline {e['violation']}/{party}/{stage}"
    v = by_code.get(e["violation"])
    fine = sanction.fine if v and (sanction := v.sanction(party, stage)) else None
    if fine is None or fine.basis != "amount":
        raise LegalDataError(f"{where}: no amount-based fine to refine")
    tiers = tuple(
        Tier(
            t["id"],
            t["label"],
            t["description"],
            _conditions(t["when"], where),
            _dec(t["fine"][0]),
            _dec(t["fine"][1]),
            t.get("inferred", False),
        )
        for t in e["tiers"]
    )
    if any(not fine.min <= t.min <= t.max <= fine.max for t in tiers):
        raise LegalDataError(f"{where}: a tier lies outside the legal range")
    return BaselineEntry(e["violation"], party, stage, tiers, e["source"])


def parse_catalogue(doc: dict[str, Any]) -> Catalogue:
    violations = tuple(_violation(v) for v in doc["violations"])
    for attr in ("code", "key"):
        values = [getattr(v, attr) for v in violations]
        if len(set(values)) != len(values):
            raise LegalDataError(f"duplicate violation {attr}")
    b, by_code = doc["baseline"], {v.code: v for v in violations}
    lower, upper = (Fraction(b["grade_split"][k]) for k in ("lighter_upper", "heavier_lower"))
    if not 0 < lower <= upper < 1:
        raise LegalDataError("grade_split needs 0 < lighter_upper <= heavier_lower < 1")
    baseline = Baseline(
        b["name"],
        b["version"],
        b["status"],
        lower,
        upper,
        tuple(_entry(e, by_code) for e in b["entries"]),
    )
    return Catalogue(
        doc["law"], doc["version"], date.fromisoformat(doc["effective_from"]), violations, baseline
    )


def parse_no_penalty_list(doc: dict[str, Any], catalogue: Catalogue | None = None) -> NoPenaltyList:
    general = tuple((c["code"], c["text"]) for c in doc["general_conditions"])
    if any(code not in _GENERAL_CONDITIONS for code, _ in general):
        raise LegalDataError("unknown general condition in the no-penalty list")
    items = tuple(
        NoPenaltyItem(
            i["id"],
            i["violation"],
            Party(i["party"]),
            i["title"],
            i["situation"],
            _conditions(i["conditions"], f"item {i['id']}"),
            i["exclude_high_risk"],
            i["source"],
        )
        for i in doc["items"]
    )
    for item in items:
        if (
            catalogue is not None
            and catalogue.get(item.violation).sanction(item.party, Stage.INITIAL) is None
        ):
            raise LegalDataError(f"no-penalty item {item.id}: no sanction for {item.party}")
    published = doc.get("published_on")
    return NoPenaltyList(
        doc["name"],
        doc["version"],
        doc["status"],
        date.fromisoformat(published) if published else None,
        general,
        tuple(doc["outcome"]["measures"]),
        doc["outcome"]["document"],
        items,
    )


def load_catalogue(path: Path | None = None) -> Catalogue:
    path = path or LEGAL_DATA / "violations_aqscf_2021.json"
    return parse_catalogue(json.loads(path.read_text(encoding="utf-8")))


def load_no_penalty_list(
    path: Path | None = None, catalogue: Catalogue | None = None
) -> NoPenaltyList:
    path = path or LEGAL_DATA / "no_penalty_list_2025.json"
    return parse_no_penalty_list(json.loads(path.read_text(encoding="utf-8")), catalogue)
