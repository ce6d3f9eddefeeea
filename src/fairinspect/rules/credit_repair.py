"""Credit repair of a published penalty (信用修复, R10.3): which conditions an application meets.

The conditions and the publication periods are data (`legal_data/credit_repair.json`), one
regime per order in force on the day of the application: 《失信行为纠正后的信用信息修复管理办法
（试行）》(国家发展改革委令2023年第58号) until 2026-03-31, 《信用修复管理办法》(令2025年第36号)
from 2026-04-01. Each condition carries its source and whether its article was verified.

A penalty that led to the serious-dishonesty list is not repaired here: its listing is removed
early on application under 应急管理部令第11号 (the existing early-removal application).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from .results import Reason

DATA = Path(__file__).parent / "legal_data" / "credit_repair.json"


@dataclass(frozen=True)
class Condition:
    code: str
    text: str
    source: str
    article: str
    verified: bool


@dataclass(frozen=True)
class PeriodClass:
    code: str
    label: str
    min_months: int
    max_months: int
    source: str
    article: str
    verified: bool


@dataclass(frozen=True)
class DocumentKind:
    code: str
    label: str
    required: bool


@dataclass(frozen=True)
class Regime:
    code: str
    title: str
    number: str
    in_force_from: dt.date
    in_force_to: dt.date | None
    in_force_note: str
    classes: dict[str, PeriodClass]
    classify: dict[str, Any]
    conditions: tuple[Condition, ...]
    documents: tuple[DocumentKind, ...]

    @property
    def citation(self) -> str:
        return f"{self.title}（{self.number}）"


@dataclass(frozen=True)
class RepairFacts:
    """What the records show about one penalty and one application (values, not rows)."""

    decided: bool  # a decided penalty (outcome penalty, status decided or later)
    decided_on: dt.date | None
    published: bool  # its disclosure is on the public list
    listed: bool  # a listing of this case is proposed, notified or listed
    fine_amount: Decimal | None
    surcharge: Decimal | None
    amount_paid: Decimal | None
    penalty_types: tuple[str, ...]
    simple_procedure: bool
    rectified: bool  # the hazard behind the case rectified (True when no hazard is linked)
    commitment: str  # the credit commitment the enterprise wrote
    documents: frozenset[str]  # kinds of the documents attached
    on: dt.date  # the day of the application (or of the decision, when re-checked)


@dataclass(frozen=True)
class ConditionResult:
    condition: Condition
    met: bool
    detail: str


@dataclass(frozen=True)
class RepairDecision:
    regime: Regime
    period: PeriodClass
    min_end: dt.date | None  # the first day an application may be made
    max_end: dt.date | None  # the day publication ends on its own
    results: tuple[ConditionResult, ...]

    @property
    def allowed(self) -> bool:
        return all(r.met for r in self.results)

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return tuple(
            Reason(f"repair_{r.condition.code}", f"{r.condition.text}：{r.detail}")
            for r in self.results
            if not r.met
        )


def _date(v: str | None) -> dt.date | None:
    return dt.date.fromisoformat(v) if v else None


def parse(doc: dict[str, Any]) -> tuple[Regime, ...]:
    out = []
    for r in doc["regimes"]:
        out.append(
            Regime(
                code=r["code"],
                title=r["title"],
                number=r["number"],
                in_force_from=dt.date.fromisoformat(r["in_force_from"]),
                in_force_to=_date(r.get("in_force_to")),
                in_force_note=r.get("in_force_note", ""),
                classes={
                    k: PeriodClass(
                        k,
                        v["label"],
                        int(v["min_months"]),
                        int(v["max_months"]),
                        v["source"],
                        v["article"],
                        bool(v["verified"]),
                    )
                    for k, v in r["classes"].items()
                },
                classify=dict(r["classify"]),
                conditions=tuple(
                    Condition(c["code"], c["text"], c["source"], c["article"], bool(c["verified"]))
                    for c in r["conditions"]
                ),
                documents=tuple(
                    DocumentKind(d["code"], d["label"], bool(d["required"])) for d in r["documents"]
                ),
            )
        )
    return tuple(out)


@cache
def default_regimes() -> tuple[Regime, ...]:
    return parse(json.loads(DATA.read_text(encoding="utf-8")))


@cache
def listing_route() -> dict[str, Any]:
    return dict(json.loads(DATA.read_text(encoding="utf-8"))["listing_route"])


def regime_on(day: dt.date, regimes: tuple[Regime, ...] | None = None) -> Regime:
    """The order in force on `day` (the application's day)."""
    for r in regimes or default_regimes():
        if r.in_force_from <= day and (r.in_force_to is None or day <= r.in_force_to):
            return r
    raise LookupError(f"{day.isoformat()}没有适用的信用修复规定")


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def classify(f: RepairFacts, regime: Regime) -> PeriodClass:
    """Which publication class the penalty falls in under `regime` (severe, general, minor)."""
    c = regime.classify
    threshold = c.get("severe_if_fine_at_least")
    fine = f.fine_amount or Decimal(0)
    severe = threshold is not None and fine >= Decimal(str(threshold))
    severe = severe or any(
        word in t for t in f.penalty_types for word in c.get("severe_if_penalty_contains", ())
    )
    if severe and "severe" in regime.classes:
        return regime.classes["severe"]
    minor_only = tuple(c.get("minor_if_only", ()))
    minor = (c.get("minor_if_simple_procedure") and f.simple_procedure) or (
        minor_only and f.penalty_types and all(t in minor_only for t in f.penalty_types)
    )
    if minor and "minor" in regime.classes:
        return regime.classes["minor"]
    return regime.classes["general"]


def owed(f: RepairFacts) -> Decimal:
    return (f.fine_amount or Decimal(0)) + (f.surcharge or Decimal(0))


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def check_repair(f: RepairFacts, regimes: tuple[Regime, ...] | None = None) -> RepairDecision:
    """Every condition of the regime in force on `f.on`, met or not, with why."""
    regime = regime_on(f.on, regimes)
    period = classify(f, regime)
    min_end = add_months(f.decided_on, period.min_months) if f.decided_on else None
    max_end = add_months(f.decided_on, period.max_months) if f.decided_on else None
    required = {d.code for d in regime.documents if d.required}
    labels = {d.code: d.label for d in regime.documents}
    results = []
    for cond in regime.conditions:
        met, detail = True, ""
        if cond.code == "penalty_decided":
            met = f.decided and f.published
            detail = (
                "已作出处罚决定并已公示"
                if met
                else ("处罚决定尚未公示，无需修复" if f.decided else "尚未作出行政处罚决定")
            )
        elif cond.code == "not_listed":
            met = not f.listed
            detail = (
                "未列入名单" if met else "本案已建议或列入严重失信主体名单，请通过提前移出申请办理"
            )
        elif cond.code == "min_period":
            met = min_end is not None and f.on >= min_end
            detail = (
                f"{period.label}类，最短公示期{period.min_months}个月，"
                + (f"自{_cn(min_end)}起可以申请" if min_end else "决定日期不明")
                + ("" if met else "，尚未届满")
            )
        elif cond.code == "obligations":
            due = owed(f)
            paid = f.amount_paid or Decimal(0)
            met = paid >= due
            detail = f"应缴{due}元，已缴{paid}元" + ("" if met else "，尚未缴清")
        elif cond.code == "rectified":
            met = f.rectified
            detail = "违法行为已纠正，隐患已整改" if met else "案件所涉隐患尚未整改完毕"
        elif cond.code == "commitment":
            met = bool(f.commitment.strip())
            detail = "已作出信用承诺" if met else "未填写信用承诺"
        elif cond.code == "documents":
            missing = sorted(required - f.documents)
            met = not missing
            detail = "材料齐全" if met else "缺少：" + "、".join(labels[m] for m in missing)
        elif cond.code == "within_max":
            met = max_end is None or f.on < max_end
            detail = (f"最长公示期至{_cn(max_end)}" if max_end else "决定日期不明") + (
                "" if met else "，已届满，公示已自动终止，无需申请"
            )
        results.append(ConditionResult(cond, met, detail))
    return RepairDecision(regime, period, min_end, max_end, tuple(results))
