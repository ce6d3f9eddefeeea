"""Procedure deadlines of a penalty case (R7.4): pure date arithmetic.

The calendar is passed in as ``is_workday``; the Django side passes ``chinese_calendar.is_workday``
(the official holidays and the 调休 working weekends), tests also pass a fake calendar.

Which periods are working days and which calendar days:

* 《行政处罚法》第八十五条: "本法中‘二日’‘三日’‘五日’‘七日’的规定是指工作日，不含法定节假日。"
  So the 5 days to ask for a hearing (第六十四条第一项), the 7 days to serve the decision
  (第六十一条) and the 7 days' notice of a hearing (第六十四条第二项) are working days.
* The 3 days for statement and defence (陈述、申辩) come from the 《安全生产违法行为行政处罚办法》
  (国家安全监管总局令第15号; 应急管理部令第18号 from 2026-02-01) and the 行政处罚告知书 form
  ("可在收到本告知书3日内……进行陈述或者申辩"); they are counted as working days here, as
  第八十五条 counts the law's own "三日" (the rule's article number was not verified).
* Publication within 7 working days: 《安全生产法》第七十八条第二款 ("作出处罚决定后七个工作日内
  在监督管理部门公示系统予以公开曝光") and 国办发〔2018〕118号.
* The 90 days to decide (《行政处罚法》第六十条) and the 15 days to pay (第六十七条第三款) are
  calendar days. As 《民法典》第二百零一条 and 第二百零三条 count periods, the first day is not
  counted and a last day that falls on a rest day moves to the next working day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from fairinspect.rules.discretion import Party, Reason

IsWorkday = Callable[[date], bool]
APL = "《行政处罚法》"
SURCHARGE_RATE = Decimal("0.03")
_MAX_SCAN = 400  # no year has a longer run of rest days; guards against a broken calendar


class DayKind(StrEnum):
    CALENDAR = "calendar"
    WORKING = "working"


@dataclass(frozen=True)
class Deadline:
    name: str
    start: date
    days: int
    kind: DayKind
    due: date
    basis: Reason


@dataclass(frozen=True)
class Extension:
    """An approved extension of the time to decide, recorded with its reason."""

    days: int
    reason: str
    approved_on: date | None = None


@dataclass(frozen=True)
class HearingThresholds:
    """较大数额罚款 that gives the right to a hearing (《行政处罚法》第六十三条第一款第一项)."""

    unit: Decimal = Decimal(50000)
    person: Decimal = Decimal(20000)
    source: str = (
        "应急管理较大数额罚款：对个人罚款2万元以上，对生产经营单位罚款5万元以上"
        "（含本数）；以本局适用的规定为准"
    )


@dataclass(frozen=True)
class HearingDecision:
    required: bool
    reasons: tuple[Reason, ...]


def next_workday(day: date, is_workday: IsWorkday) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    for _ in range(_MAX_SCAN):
        if is_workday(day):
            return day
        day += timedelta(days=1)
    raise ValueError("the calendar has no working day within a year")


def add_working_days(start: date, n: int, is_workday: IsWorkday) -> date:
    """The n-th working day after ``start``; ``start`` itself is not counted."""
    if n < 0:
        raise ValueError("n must not be negative")
    day, counted = start, 0
    while counted < n:
        day = next_workday(day + timedelta(days=1), is_workday)
        counted += 1
    return day


def latest_day_before(end: date, n: int, is_workday: IsWorkday) -> date:
    """The latest day from which ``end`` is still at least ``n`` working days away, i.e. the
    latest d with ``add_working_days(d, n) <= end`` (notice "n days before" an event)."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = end
    for _ in range(_MAX_SCAN + 3 * n):
        if add_working_days(day, n, is_workday) <= end:
            return day
        day -= timedelta(days=1)
    raise ValueError("the calendar has no working days")


def add_calendar_days(start: date, n: int, is_workday: IsWorkday) -> date:
    """``start`` + n days; a last day that is not a working day moves to the next one."""
    return next_workday(start + timedelta(days=n), is_workday)


def _working(name: str, start: date, days: int, is_workday: IsWorkday, basis: Reason) -> Deadline:
    return Deadline(
        name, start, days, DayKind.WORKING, add_working_days(start, days, is_workday), basis
    )


def _calendar(name: str, start: date, days: int, is_workday: IsWorkday, basis: Reason) -> Deadline:
    return Deadline(
        name, start, days, DayKind.CALENDAR, add_calendar_days(start, days, is_workday), basis
    )


def decision_due(
    filed_on: date, is_workday: IsWorkday, extensions: Iterable[Extension] = ()
) -> Deadline:
    extensions = tuple(extensions)
    if any(e.days <= 0 for e in extensions):
        raise ValueError("an extension adds a positive number of days")
    extra = sum(e.days for e in extensions)
    text = f"依据{APL}第六十条，应当自立案之日起九十日内作出行政处罚决定"
    if extensions:
        listed = "；".join(f"{e.days}日（{e.reason}）" for e in extensions)
        text += f"；经批准延长{extra}日：{listed}"
    return _calendar(
        "decision", filed_on, 90 + extra, is_workday, Reason("decision_90_days", text + "。")
    )


def statement_period_end(notice_served_on: date, is_workday: IsWorkday, days: int = 3) -> Deadline:
    return _working(
        "statement",
        notice_served_on,
        days,
        is_workday,
        Reason(
            "statement_3_days",
            f"当事人可以自收到行政处罚告知书之日起{days}个工作日内进行陈述、申辩"
            f"（《安全生产违法行为行政处罚办法》；{APL}第四十四条、第四十五条），逾期视为放弃。",
        ),
    )


def hearing_request_end(notice_served_on: date, is_workday: IsWorkday) -> Deadline:
    return _working(
        "hearing_request",
        notice_served_on,
        5,
        is_workday,
        Reason(
            "hearing_request_5_days",
            f"依据{APL}第六十四条第一项和第八十五条，当事人要求听证的，"
            "应当在行政机关告知后五个工作日内提出。",
        ),
    )


def hearing_notice_latest(hearing_on: date, is_workday: IsWorkday) -> Deadline:
    latest = latest_day_before(hearing_on, 7, is_workday)
    return Deadline(
        "hearing_notice",
        hearing_on,
        7,
        DayKind.WORKING,
        latest,
        Reason(
            "hearing_notice_7_days",
            f"依据{APL}第六十四条第二项和第八十五条，行政机关应当在举行听证的"
            "七个工作日前通知当事人及有关人员听证的时间、地点。",
        ),
    )


def service_due(decided_on: date, is_workday: IsWorkday) -> Deadline:
    return _working(
        "service",
        decided_on,
        7,
        is_workday,
        Reason(
            "service_7_days",
            f"依据{APL}第六十一条和第八十五条，当事人不在场的，行政处罚决定书应当在"
            "七个工作日内依照《民事诉讼法》的有关规定送达当事人。",
        ),
    )


def payment_due(decision_served_on: date, is_workday: IsWorkday) -> Deadline:
    return _calendar(
        "payment",
        decision_served_on,
        15,
        is_workday,
        Reason(
            "payment_15_days",
            f"依据{APL}第六十七条第三款，当事人应当自收到行政处罚决定书之日起"
            "十五日内缴纳罚款；期间最后一日是法定休假日的，顺延至休假日后的第一个工作日。",
        ),
    )


def publication_due(decided_on: date, is_workday: IsWorkday) -> Deadline:
    return _working(
        "publication",
        decided_on,
        7,
        is_workday,
        Reason(
            "publication_7_working_days",
            "依据《安全生产法》第七十八条第二款和国办发〔2018〕118号，"
            "应当在作出行政处罚决定后七个工作日内公开。",
        ),
    )


def due_dates(
    *,
    filed_on: date,
    is_workday: IsWorkday,
    notice_served_on: date | None = None,
    decided_on: date | None = None,
    decision_served_on: date | None = None,
    hearing_on: date | None = None,
    extensions: Iterable[Extension] = (),
) -> dict[str, Deadline]:
    """Every deadline that the steps taken so far have started, by name."""
    out = {"decision": decision_due(filed_on, is_workday, extensions)}
    if notice_served_on:
        out["statement"] = statement_period_end(notice_served_on, is_workday)
        out["hearing_request"] = hearing_request_end(notice_served_on, is_workday)
    if hearing_on:
        out["hearing_notice"] = hearing_notice_latest(hearing_on, is_workday)
    if decided_on:
        out["service"] = service_due(decided_on, is_workday)
        out["publication"] = publication_due(decided_on, is_workday)
    if decision_served_on:
        out["payment"] = payment_due(decision_served_on, is_workday)
    return out


def is_overdue(deadline: Deadline, *, done_on: date | None, today: date) -> bool:
    """Done late, or not done and the due day has passed."""
    return (done_on or today) > deadline.due


def late_surcharge(
    fine: Decimal, due: date, paid_or_today: date, *, paused_days: int = 0
) -> Decimal:
    """《行政处罚法》第七十二条第一款第一项: 3% of the fine for every day after ``due``, never more
    than the fine itself (also 《行政强制法》第四十五条). ``paused_days`` are days of review or
    litigation, which do not count (《行政处罚法》第七十三条第三款)."""
    fine = Decimal(str(fine))
    if fine < 0 or paused_days < 0:
        raise ValueError("fine and paused_days must not be negative")
    days = max(0, (paid_or_today - due).days - paused_days)
    return min(fine, fine * SURCHARGE_RATE * days).quantize(Decimal("0.01"), ROUND_HALF_UP)


_HEARING_PENALTIES = ("停产停业", "关闭", "吊销", "降低资质", "限制从业", "暂停")


def hearing_required(
    party: Party | str,
    fine: Decimal,
    *,
    penalty_types: Iterable[str] = (),
    thresholds: HearingThresholds | None = None,
) -> HearingDecision:
    """Whether the notice must tell the party of the right to a hearing (第六十三条)."""
    thresholds = thresholds or HearingThresholds()
    party, fine = Party(party), Decimal(str(fine))
    limit = thresholds.unit if party is Party.UNIT else thresholds.person
    who = "生产经营单位" if party is Party.UNIT else "个人"
    reasons = []
    if fine >= limit:
        reasons.append(
            Reason(
                "large_fine",
                f"拟对{who}罚款{fine}元，达到较大数额罚款标准{limit}元"
                f"（{thresholds.source}），依据{APL}第六十三条第一款第一项应当告知听证权利。",
            )
        )
    heavy = [t for t in penalty_types if any(k in t for k in _HEARING_PENALTIES)]
    if heavy:
        reasons.append(
            Reason(
                "heavy_penalty",
                f"拟作出{'、'.join(heavy)}，依据{APL}第六十三条"
                "第一款第三项、第四项应当告知听证权利。",
            )
        )
    if not reasons:
        reasons.append(
            Reason(
                "no_hearing_right",
                f"拟对{who}罚款{fine}元，低于较大数额罚款标准"
                f"{limit}元，且不涉及责令停产停业、吊销许可证件等，不属于{APL}"
                "第六十三条规定的应当告知听证权利的情形。",
            )
        )
        return HearingDecision(False, tuple(reasons))
    return HearingDecision(True, tuple(reasons))
