"""Whether the record behind an exempt visit really justifies it (R3.3).

An inspection triggered by a complaint, a referral, a monitoring warning, the enterprise's
application or a rectification follow-up is outside the annual cap (rules.caps). That
exemption rests on a record that exists in the system: the app that owns the record resolves
the typed reference to a `JustifyingRecord` (visits/justifications.py) and this rule decides,
from that record and the visits already resting on it, whether it justifies THIS visit:

- it exists (a reference that matches nothing is refused, naming `justification.reference`);
- it is of the kind the trigger needs, and some app can check that kind at all;
- it is about the same enterprise;
- it was dated on or before the visit day (a record made later cannot have caused it);
- its owner still has it open (an accepted application, an order still being rectified,
  an open referral …) and, where it has one, its window has not passed (an order justifies a
  follow-up until `FOLLOW_UP_WINDOW_DAYS` after its deadline: "open or just due");
- it is not used up: **one inspection per record round**. A record justifies one visit
  (cancelled visits give it back); when its owner reopens it (a complaint answered and then
  reopened, an application accepted again, a referral sent again) its `round` goes up and it
  may justify one more. For a rectification order that is one follow-up per order: a
  follow-up that finds the hazards not rectified closes the order, and a new order (a new
  round of rectification) justifies the next follow-up.

Pure: no Django, no clock; everything is passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .caps import EXEMPT_TRIGGERS, REQUIRED_JUSTIFICATION, JustificationKind, Trigger
from .results import Reason

# How long after its deadline an order still justifies a follow-up that is not counted
# against the cap ("open or just due"). Past it the follow-up is late: it needs a new order
# or an ordinary (counted) inspection.
FOLLOW_UP_WINDOW_DAYS = 15

REFERENCE_FIELD = "justification.reference"
KIND_FIELD = "justification.kind"


@dataclass(frozen=True, slots=True)
class JustifyingRecord:
    """A record that can justify an exempt visit, as its owning app resolves it.

    The first six fields are what every resolver must give; the rest have defaults so a
    resolver only sets what its record knows.
    """

    kind: JustificationKind
    reference: str  # the record's own number, normalised (what is stored on the visit)
    enterprise_id: int  # the enterprise the record is about
    dated: date  # the day the record came into being
    summary: str  # one line a reader of the visit understands
    url: str = ""  # the staff page of the record, when it has one
    open: bool = True  # the owning app still has the record open (not closed, declined …)
    state_label: str = ""  # the record's state in words, for a refusal when it is not open
    valid_until: date | None = None  # last visit day it can justify, when it has a window
    round: int = 1  # goes up each time the owning app reopens the record


@dataclass(frozen=True, slots=True)
class RecordUse:
    """A visit (not cancelled) that already rests on the same record."""

    visit_id: str
    round: int
    enterprise_id: int | None = None


@dataclass(frozen=True, slots=True)
class RecordDecision:
    ok: bool
    record: JustifyingRecord | None
    field: str  # the input field a refusal names ("" when ok)
    reasons: tuple[Reason, ...]


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def decide_record(
    *,
    trigger: Trigger,
    kind: JustificationKind,
    reference: str,
    record: JustifyingRecord | None,
    kind_checkable: bool,
    enterprise_id: int,
    visit_date: date,
    uses: Sequence[RecordUse] = (),
) -> RecordDecision:
    """Does `record` (what the reference resolved to) justify this exempt visit?

    `kind_checkable` says whether any app registered a resolver for `kind`; `uses` are the
    other visits resting on the same (kind, reference), this visit excluded.
    """

    def refuse(code: str, message: str, field: str = REFERENCE_FIELD) -> RecordDecision:
        return RecordDecision(False, record, field, (Reason(code, message),))

    if trigger not in EXEMPT_TRIGGERS:
        return RecordDecision(True, record, "", ())
    required = REQUIRED_JUSTIFICATION[trigger]
    if kind != required:
        return refuse(
            "justification_wrong_kind",
            f"因{trigger.label}开展的检查须关联{required.label}，当前关联的是{kind.label}。",
            KIND_FIELD,
        )
    if not kind_checkable:
        return refuse(
            "justification_kind_unverifiable",
            f"该类依据尚无可核对的记录：系统中还没有可以核对的{kind.label}，"
            f"暂不能以{trigger.label}为由开展不受频次上限限制的检查。",
            KIND_FIELD,
        )
    ref = reference.strip()
    if not ref:
        return refuse("justification_reference_blank", f"请填写{kind.label}的编号或文号。")
    if record is None:
        return refuse(
            "justification_not_found",
            f"系统中没有编号为“{ref}”的{kind.label}，不受频次上限限制的检查须关联真实存在的记录。",
        )
    if record.kind != kind:
        return refuse(
            "justification_wrong_kind",
            f"编号“{ref}”对应的是{record.kind.label}，不是{kind.label}。",
            KIND_FIELD,
        )
    if record.enterprise_id != enterprise_id:
        return refuse(
            "justification_other_enterprise",
            f"{kind.label}“{record.reference}”涉及的是另一家企业，不能作为检查本企业的依据。",
        )
    if record.dated > visit_date:
        return refuse(
            "justification_after_visit",
            f"{kind.label}“{record.reference}”的日期{_cn(record.dated)}晚于检查日期"
            f"{_cn(visit_date)}，不能作为本次检查的依据。",
        )
    if not record.open:
        state = f"（{record.state_label}）" if record.state_label else ""
        return refuse(
            "justification_record_closed",
            f"{kind.label}“{record.reference}”已不在办理中{state}，不能再作为检查依据。",
        )
    if record.valid_until is not None and visit_date > record.valid_until:
        return refuse(
            "justification_record_expired",
            f"{kind.label}“{record.reference}”只能作为{_cn(record.valid_until)}前检查的依据，"
            f"检查日期{_cn(visit_date)}已超过。",
        )
    same_round = sorted(u.visit_id for u in uses if u.round == record.round)
    if same_round:
        return refuse(
            "justification_used_up",
            f"{kind.label}“{record.reference}”已作为检查（编号{'、'.join(same_round)}）的依据；"
            "一件依据只支持一次不受频次上限限制的检查，重新办理（重新打开）后方可再次检查。",
        )
    return RecordDecision(
        True,
        record,
        "",
        (
            Reason(
                "justification_record_found",
                f"已核对{kind.label}“{record.reference}”（{_cn(record.dated)}）：{record.summary}",
            ),
        ),
    )


def order_window_end(deadline: date) -> date:
    """The last day a rectification order justifies its follow-up ("open or just due")."""
    return deadline + timedelta(days=FOLLOW_UP_WINDOW_DAYS)
