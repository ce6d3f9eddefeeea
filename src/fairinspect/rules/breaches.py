"""Rule breaches the system finds by itself (R8.4, R5.3, R5.4, R6.3, R6.6, R7.2).

One pure function per breach. Each takes the facts of one candidate (a visit, an enterprise's
year, a case, a group of similar cases) and returns a `Found` — the breach with its message
and the records that prove it — or None. The database side selects candidates with
set-based SQL (only rows that might trip a rule) and streams them through these functions, so
the decision lives here and the scale lives in SQL (supervision/detection.py).

There are no per-officer targets here and no ranking of officers (严禁下达检查指标): a breach
is about a record, and is assigned to the unit responsible for it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from .caps import Level, Trigger, check_district_reinspection


class Rule(StrEnum):
    OVER_CAP = "over_cap"
    TOO_FEW_CERTIFIED = "too_few_certified"
    NO_APPROVED_PLAN = "no_approved_plan"
    NO_RECORDING = "no_recording"
    EXPERTS_ALONE = "experts_alone"
    SAME_ITEM_MULTI_UNIT = "same_item_multi_unit"
    DISTRICT_AFTER_CITY = "district_after_city"
    OVERDUE_ORDER = "overdue_order"
    OVERDUE_CASE = "overdue_case"
    OVERDUE_COMPLAINT = "overdue_complaint"
    OVERDUE_DISCLOSURE = "overdue_disclosure"
    FINE_OUTSIDE_RANGE = "fine_outside_range"
    SIMILAR_CASES_DISPARITY = "similar_cases_disparity"
    LAPSED_CERTIFICATE = "lapsed_certificate"
    CHECKIN_FAR = "checkin_far"
    CHECKIN_OFF_HOURS = "checkin_off_hours"


RULE_LABELS = {
    Rule.OVER_CAP: "超过年度现场检查频次上限且无不受限依据",
    Rule.TOO_FEW_CERTIFIED: "入企时持证执法人员不足两名",
    Rule.NO_APPROVED_PLAN: "入企时无经批准的现场检查方案",
    Rule.NO_RECORDING: "现场检查无执法记录仪记录",
    Rule.EXPERTS_ALONE: "专家单独执法",
    Rule.SAME_ITEM_MULTI_UNIT: "同一事项一年内被多个单位重复检查（R5.4）",
    Rule.DISTRICT_AFTER_CITY: "市级检查后区县重复检查（R5.3）",
    Rule.OVERDUE_ORDER: "整改指令逾期未复查",
    Rule.OVERDUE_CASE: "行政处罚案件超过办理期限",
    Rule.OVERDUE_COMPLAINT: "投诉举报超过办理时限",
    Rule.OVERDUE_DISCLOSURE: "行政处罚决定逾期未公开",
    Rule.FINE_OUTSIDE_RANGE: "罚款超出裁量基准幅度且理由未经审核",
    Rule.SIMILAR_CASES_DISPARITY: "类案不同罚",
    Rule.LAPSED_CERTIFICATE: "执法证失效人员参加检查",
    Rule.CHECKIN_FAR: "入企定位远离企业（提示）",
    Rule.CHECKIN_OFF_HOURS: "非工作时间入企（提示）",
}
# Rules that only flag for a human look (R6.6: flag, not block).
FLAG_ONLY = frozenset({Rule.CHECKIN_FAR, Rule.CHECKIN_OFF_HOURS})


@dataclass(frozen=True)
class Thresholds:
    """The numbers the rules compare, with where they come from."""

    fine_spread_ratio: Decimal = Decimal("2")
    fine_spread_min_cases: int = 2
    far_km: float = 1.0
    day_starts_hour: int = 8
    day_ends_hour: int = 20
    order_grace_days: int = 5
    source: str = (
        "本局执法监督规定：同一违法行为、同一裁量阶次、同一当事人类型的罚款在同一年度内最高额"
        "超过最低额2倍即为类案不同罚线索；入企定位距企业登记位置超过1公里、或在8时前、20时后"
        "入企的，提示核查（不阻止入企）；整改期限届满5日后仍无复查结论的，为整改指令逾期未复查。"
    )


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Evidence:
    type: str  # visit, case, complaint, order, disclosure, officer, enterprise
    id: int
    label: str


@dataclass(frozen=True)
class Found:
    rule: Rule
    key: str  # stable: the same breach found again has the same key
    message: str
    evidence: tuple[Evidence, ...]


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# ------------------------------------------------------------------ visits


@dataclass(frozen=True)
class CapCount:
    enterprise_id: int
    enterprise_label: str
    year: int
    cap: int
    class_label: str  # 高危行业·标准化二级
    # The enterprise's counted visits of the year in check-in order (merged trips once):
    # on-site, checked in, not exempt (or exempt ones when the policy says they consume cap).
    counted_visit_ids: tuple[int, ...]


def over_cap(f: CapCount) -> Found | None:
    n = len(f.counted_visit_ids)
    if n <= f.cap:
        return None
    beyond = f.counted_visit_ids[f.cap :]
    return Found(
        Rule.OVER_CAP,
        f"ent:{f.enterprise_id}:{f.year}",
        f"{f.enterprise_label}（{f.class_label}）{f.year}年度现场检查上限{f.cap}次，"
        f"已计入{n}次，超出{n - f.cap}次，超出部分没有投诉举报、转办交办等不受限依据。",
        tuple(Evidence("visit", v, f"第{f.cap + i + 1}次检查") for i, v in enumerate(beyond)),
    )


@dataclass(frozen=True)
class Member:
    officer_id: int
    name: str
    certificate_number: str
    certificate_valid: bool  # a certificate in force on the check-in day, status valid


@dataclass(frozen=True)
class Team:
    visit_id: int
    day: date
    present: tuple[Member, ...]  # officers who confirmed entry
    experts: int


def too_few_certified(t: Team) -> Found | None:
    valid = [m for m in t.present if m.certificate_valid]
    if len(valid) >= 2:
        return None
    return Found(
        Rule.TOO_FEW_CERTIFIED,
        f"visit:{t.visit_id}",
        f"{_cn(t.day)}入企时，持有效执法证的执法人员{len(valid)}名，少于两名（持证上岗、亮证执法）。",
        (Evidence("visit", t.visit_id, "检查"),),
    )


def lapsed_certificate(t: Team) -> Found | None:
    lapsed = [m for m in t.present if not m.certificate_valid]
    if not lapsed:
        return None
    names = "、".join(f"{m.name}（{m.certificate_number or '无证号'}）" for m in lapsed)
    return Found(
        Rule.LAPSED_CERTIFICATE,
        f"visit:{t.visit_id}",
        f"{_cn(t.day)}参加检查的{names}当日执法证不在有效期内或已暂扣、注销。",
        (
            Evidence("visit", t.visit_id, "检查"),
            *(Evidence("officer", m.officer_id, m.name) for m in lapsed),
        ),
    )


def experts_alone(t: Team) -> Found | None:
    if t.experts == 0 or t.present:
        return None
    return Found(
        Rule.EXPERTS_ALONE,
        f"visit:{t.visit_id}",
        f"{_cn(t.day)}的检查有{t.experts}名专家入企而没有执法人员确认入企"
        "（严禁专家、中介机构单独执法）。",
        (Evidence("visit", t.visit_id, "检查"),),
    )


@dataclass(frozen=True)
class PlanFact:
    visit_id: int
    checked_in_at: datetime
    plan_approved_at: datetime | None


def no_approved_plan(f: PlanFact) -> Found | None:
    if f.plan_approved_at is not None and f.plan_approved_at <= f.checked_in_at:
        return None
    why = "没有经批准的现场检查方案" if f.plan_approved_at is None else "方案在入企之后才批准"
    return Found(
        Rule.NO_APPROVED_PLAN,
        f"visit:{f.visit_id}",
        f"该检查入企时{why}（一企一方案）。",
        (Evidence("visit", f.visit_id, "检查"),),
    )


@dataclass(frozen=True)
class RecordingFact:
    visit_id: int
    day: date
    on_site: bool
    done: bool
    missing_recording: bool


def no_recording(f: RecordingFact) -> Found | None:
    if not (f.on_site and f.done and f.missing_recording):
        return None
    return Found(
        Rule.NO_RECORDING,
        f"visit:{f.visit_id}",
        f"{_cn(f.day)}的现场检查结束时没有执法记录仪音像记录（执法全过程记录）。",
        (Evidence("visit", f.visit_id, "检查"),),
    )


@dataclass(frozen=True)
class ItemVisit:
    visit_id: int
    department_id: int
    department: str
    day: date
    trigger: Trigger
    merge_group: str | None


@dataclass(frozen=True)
class ItemRepeat:
    enterprise_id: int
    enterprise_label: str
    year: int
    item_code: str
    visits: tuple[ItemVisit, ...]


def same_item_multi_unit(f: ItemRepeat) -> Found | None:
    """R5.4: one matter at one enterprise by several units in a year. A follow-up is not a
    repeat, and visits of one merge group are one joint trip."""
    counted = [v for v in f.visits if v.trigger is not Trigger.FOLLOW_UP]
    trips: dict[str, ItemVisit] = {}
    for v in sorted(counted, key=lambda v: (v.day, v.visit_id)):
        trips.setdefault(v.merge_group or f"v{v.visit_id}", v)
    units = {v.department_id for v in trips.values()}
    if len(units) < 2:
        return None
    names = "、".join(sorted({v.department for v in trips.values()}))
    return Found(
        Rule.SAME_ITEM_MULTI_UNIT,
        f"item:{f.enterprise_id}:{f.year}:{f.item_code}",
        f"{f.enterprise_label}的检查事项{f.item_code}在{f.year}年被{names}分别检查（避免多头重复检查）。",
        tuple(
            Evidence("visit", v.visit_id, f"{v.department} {_cn(v.day)}") for v in trips.values()
        ),
    )


@dataclass(frozen=True)
class DistrictVisit:
    visit_id: int
    day: date
    trigger: Trigger
    items: frozenset[str]
    # City visits of the year checked in before this one: (visit id, items).
    city_before: tuple[tuple[int, frozenset[str]], ...]


def district_after_city(f: DistrictVisit) -> Found | None:
    city_items: set[str] = set()
    for _vid, items in f.city_before:
        city_items |= items
    if not f.city_before:
        return None
    decision = check_district_reinspection(
        Level.DISTRICT, f.trigger, city_items or {"*"}, set(f.items)
    )
    if decision.allowed:
        return None
    return Found(
        Rule.DISTRICT_AFTER_CITY,
        f"visit:{f.visit_id}",
        f"{_cn(f.day)}：" + decision.reasons[0].message,
        (
            Evidence("visit", f.visit_id, "区县检查"),
            *(Evidence("visit", v, "市级检查") for v, _i in f.city_before),
        ),
    )


# ------------------------------------------------------------------ deadlines


@dataclass(frozen=True)
class OrderFact:
    order_id: int
    number: str
    deadline: date
    follow_up_done: bool  # a follow-up verdict recorded (rectified / not rectified)


def overdue_order(
    f: OrderFact, *, today: date, th: Thresholds = DEFAULT_THRESHOLDS
) -> Found | None:
    if f.follow_up_done or (today - f.deadline).days <= th.order_grace_days:
        return None
    return Found(
        Rule.OVERDUE_ORDER,
        f"order:{f.order_id}",
        f"整改指令{f.number}的整改期限{_cn(f.deadline)}已过{(today - f.deadline).days}日，"
        "仍无整改复查结论。",
        (Evidence("order", f.order_id, f.number),),
    )


@dataclass(frozen=True)
class DueFact:
    id: int
    label: str
    due: date
    step: str


def overdue_case(f: DueFact, *, today: date) -> Found | None:
    if today <= f.due:
        return None
    return Found(
        Rule.OVERDUE_CASE,
        f"case:{f.id}",
        f"案件{f.label}的“{f.step}”期限{_cn(f.due)}已过{(today - f.due).days}日。",
        (Evidence("case", f.id, f.label),),
    )


def overdue_complaint(f: DueFact, *, today: date) -> Found | None:
    if today <= f.due:
        return None
    return Found(
        Rule.OVERDUE_COMPLAINT,
        f"complaint:{f.id}",
        f"投诉举报{f.label}的{f.step}时限{_cn(f.due)}已过{(today - f.due).days}日。",
        (Evidence("complaint", f.id, f.label),),
    )


@dataclass(frozen=True)
class DisclosureFact:
    id: int
    case_id: int
    label: str
    due: date
    published_on: date | None


def overdue_disclosure(f: DisclosureFact, *, today: date) -> Found | None:
    done = f.published_on or today
    if done <= f.due:
        return None
    when = f"于{_cn(f.published_on)}才公开" if f.published_on else "至今未公开"
    return Found(
        Rule.OVERDUE_DISCLOSURE,
        f"disclosure:{f.id}",
        f"处罚决定{f.label}应在{_cn(f.due)}前公开，{when}（七个工作日内公开）。",
        (Evidence("disclosure", f.id, f.label), Evidence("case", f.case_id, f.label)),
    )


# ------------------------------------------------------------------ fines


@dataclass(frozen=True)
class CaseFine:
    case_id: int
    label: str
    amount: Decimal
    fine_min: Decimal | None
    fine_max: Decimal | None
    reason_given: bool  # outside_range with a written reason
    reviewed: bool  # the legal review passed it (it must accept the reason to pass)


def fine_outside_range(f: CaseFine) -> Found | None:
    if f.fine_min is None or f.fine_max is None:
        return None
    if f.fine_min <= f.amount <= f.fine_max:
        return None
    if f.reason_given and f.reviewed:
        return None
    missing = "未写明理由" if not f.reason_given else "理由未经法制审核确认"
    return Found(
        Rule.FINE_OUTSIDE_RANGE,
        f"case:{f.case_id}",
        f"案件{f.label}罚款{f.amount}元，超出裁量基准建议幅度{f.fine_min}–{f.fine_max}元，"
        f"{missing}。",
        (Evidence("case", f.case_id, f.label),),
    )


@dataclass(frozen=True)
class SimilarCases:
    violation_code: str
    violation_title: str
    grade: str
    party: str
    year: int
    cases: tuple[tuple[int, str, Decimal], ...]  # (case id, label, fine amount)


def similar_cases_disparity(
    f: SimilarCases, *, th: Thresholds = DEFAULT_THRESHOLDS
) -> Found | None:
    fined = [c for c in f.cases if c[2] > 0]
    if len(fined) < th.fine_spread_min_cases:
        return None
    low = min(fined, key=lambda c: (c[2], c[0]))
    high = max(fined, key=lambda c: (c[2], -c[0]))
    if high[2] <= low[2] * th.fine_spread_ratio:
        return None
    return Found(
        Rule.SIMILAR_CASES_DISPARITY,
        f"similar:{f.violation_code}:{f.grade}:{f.party}:{f.year}",
        f"{f.year}年“{f.violation_title}”同一裁量阶次的{len(fined)}件案件，罚款从{low[2]}元到"
        f"{high[2]}元，最高额超过最低额的{th.fine_spread_ratio}倍（类案不同罚）。",
        tuple(Evidence("case", c[0], f"{c[1]} {c[2]}元") for c in sorted(fined)),
    )


# ------------------------------------------------------------------ presence (flag only)


@dataclass(frozen=True)
class CheckInPlace:
    checkin_id: int
    visit_id: int
    lat: float
    lng: float
    enterprise_lat: float
    enterprise_lng: float


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius 6371.0088 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def prefilter_degrees(th: Thresholds = DEFAULT_THRESHOLDS) -> tuple[float, float]:
    """A loose box for SQL: a check-in farther than ``far_km`` differs by more than these
    degrees in latitude or in longitude (each axis takes at least far_km/√2)."""
    d = th.far_km / math.sqrt(2)
    return d / 111.2, d / 111.32


def checkin_far(f: CheckInPlace, *, th: Thresholds = DEFAULT_THRESHOLDS) -> Found | None:
    km = distance_km(f.lat, f.lng, f.enterprise_lat, f.enterprise_lng)
    if km <= th.far_km:
        return None
    return Found(
        Rule.CHECKIN_FAR,
        f"checkin:{f.checkin_id}",
        f"入企确认定位距企业登记位置约{km:.1f}公里，超过{th.far_km}公里，请核查（不阻止入企）。",
        (Evidence("visit", f.visit_id, "检查"),),
    )


@dataclass(frozen=True)
class CheckInTime:
    visit_id: int
    local: datetime  # the check-in in the bureau's time zone


def checkin_off_hours(f: CheckInTime, *, th: Thresholds = DEFAULT_THRESHOLDS) -> Found | None:
    h = f.local.hour
    if th.day_starts_hour <= h < th.day_ends_hour:
        return None
    return Found(
        Rule.CHECKIN_OFF_HOURS,
        f"visit:{f.visit_id}",
        f"入企时间{f.local:%Y-%m-%d %H:%M}在{th.day_starts_hour}时至{th.day_ends_hour}时"
        "以外，请核查（不阻止入企）。",
        (Evidence("visit", f.visit_id, "检查"),),
    )


def tally(found: Sequence[Found]) -> dict[str, int]:
    out = {r.value: 0 for r in Rule}
    for f in found:
        out[f.rule.value] += 1
    return out
