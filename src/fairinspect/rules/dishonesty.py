"""The serious-dishonesty list (严重失信主体名单, 应急管理部令第11号, R10.2): which grounds a decided
case establishes, whether a proposed ground holds, and the steps of the listing procedure.

The procedure: proposal → written notice to the party with the ground and the facts (告知) →
the party's statement or hearing request within the period (陈述、申辩) → the decision, by a
person other than the proposer and within the bureau that penalised (谁处罚、谁决定、谁负责,
`rules.duties`) → publication of decisions only, never of proposals.

Each ground is checked against what the case established: a decided penalty case of the right
violation (and, for the aggravated-accident ground, a fine of at least twice the ordinary
minimum); a ground the case data cannot show needs the approver's written facts and evidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from .results import Reason

BASIS = "《安全生产严重失信主体名单管理办法》（应急管理部令第11号，2023年10月1日施行）"

# The statement period after the notice is served, in working days.
#
# Checked (issue 8) against what the stored sources hold of 令第11号: the order requires that,
# before the written listing decision, the party be told the facts, the basis and its rights,
# and refers notice, service and objections (告知、送达、异议处理) to the procedures that govern
# them (the provincial implementation reported by 中新网, 2024-10-19: "作出列入前，应告知当事人，
# 列入出具书面决定，告知、送达、异议处理等程序参照有关规定执行"). We believe this is 第九条 of the
# order, but no stored full text of the order confirmed the article number, and the order itself
# sets NO number of days. So 5 working days is this bureau's setting, not the order's: it
# follows the hearing-request period of 《行政处罚法》第六十四条第（一）项 ("应当在行政机关告知后
# 五日内提出"; 第八十五条: these 日 are working days), which is longer than the
# 3 working days the case's own statement period uses. Kept here so the service, the notice
# and the party's page agree; change it here if the bureau adopts another period.
STATEMENT_WORKING_DAYS = 5
STATEMENT_PERIOD_BASIS = (
    "列入前告知当事人：《安全生产严重失信主体名单管理办法》（应急管理部令第11号）"
    "要求作出列入书面决定前告知当事人事由、依据和权利，告知、送达、异议处理程序参照有关规定；"
    "办法未规定天数，5个工作日为本局参照《行政处罚法》第六十四条第一项、第八十五条确定的期限。"
)

MAJOR_ACCIDENT_CODES = frozenset(
    {"AQSCF2021-114-3", "AQSCF2021-114-4", "AQSCF2021-95-3", "AQSCF2021-95-4"}
)
LARGER_ACCIDENT_CODE = "AQSCF2021-114-2"


@dataclass(frozen=True)
class Ground:
    code: str
    text: str
    manual: bool = False  # the case data cannot show it: the approver writes the basis


GROUNDS = {
    g.code: g
    for g in (
        Ground("major_accident", "发生特别重大、重大生产安全事故的生产经营单位及其主要负责人"),
        Ground(
            "two_larger_accidents",
            "12个月内累计发生2起以上较大生产安全事故的生产经营单位及其主要负责人",
        ),
        Ground(
            "egregious_accident",
            "发生生产安全事故，情节特别严重、影响特别恶劣，依照《安全生产法》"
            "第一百一十四条被处以罚款数额2倍以上5倍以下罚款的生产经营单位及其主要负责人",
        ),
        Ground(
            "concealed_accident",
            "瞒报、谎报生产安全事故的生产经营单位及其有关责任人员"
            "（仅迟报的不属于本情形，列入前须核实）",
        ),
        # Wording checked against the published text of 令第11号; article numbers not cited.
        Ground(
            "unlicensed_operation",
            "未依法取得安全生产相关许可或者许可被暂扣、吊销期间从事相关生产经营活动的"
            "生产经营单位及其主要负责人",
            manual=True,
        ),
    )
}
MANUAL_GROUNDS = {g.code: g.text for g in GROUNDS.values() if g.manual}


@dataclass(frozen=True)
class CaseRecord:
    """What the decided case established, as the listing rule needs it."""

    decided: bool  # a decision has been made (decided, served, executed or closed)
    outcome: str  # "penalty" or "no_penalty"
    violation_code: str
    aggravations: frozenset[str] = frozenset()
    fine_amount: Decimal | None = None
    ordinary_fine_min: Decimal | None = None  # the article's range before any multiplier
    larger_accidents_12m: int = 0  # decided 114-2 cases of the enterprise in 12 months


@dataclass(frozen=True)
class GroundCheck:
    ok: bool
    reasons: tuple[Reason, ...] = field(default=())


def _egregious(c: CaseRecord) -> Reason | None:
    if not c.violation_code.startswith("AQSCF2021-114"):
        return Reason("ground_wrong_violation", "该情形须为依照第一百一十四条处罚的事故案件。")
    if "egregious_accident" not in c.aggravations:
        return Reason(
            "ground_not_established", "案件未认定“情节特别严重、影响特别恶劣”，不属于该情形。"
        )
    if (
        c.fine_amount is None
        or c.ordinary_fine_min is None
        or (c.fine_amount < 2 * c.ordinary_fine_min)
    ):
        return Reason(
            "ground_fine_too_low",
            "该情形须被处以第一百一十四条第一款罚款数额2倍以上的罚款；本案决定的罚款未达到。",
        )
    return None


_CHECKS: dict[str, Callable[[CaseRecord], Reason | None]] = {
    "major_accident": lambda c: (
        None
        if c.violation_code in MAJOR_ACCIDENT_CODES
        else Reason("ground_wrong_violation", "该情形须为重大、特别重大生产安全事故的处罚案件。")
    ),
    "two_larger_accidents": lambda c: (
        None
        if c.violation_code == LARGER_ACCIDENT_CODE and c.larger_accidents_12m >= 2
        else Reason(
            "ground_not_established", "12个月内已决定的较大事故处罚案件不足2起，不属于该情形。"
        )
    ),
    "egregious_accident": _egregious,
    "concealed_accident": lambda c: (
        None
        if "concealed_accident" in c.aggravations
        else Reason("ground_not_established", "案件未认定瞒报、谎报生产安全事故，不属于该情形。")
    ),
}


def check_ground(ground: str, case: CaseRecord, *, written_basis: str = "") -> GroundCheck:
    """Whether `ground` holds for the decided case; every reason it does not."""
    g = GROUNDS.get(ground)
    if g is None:
        return GroundCheck(False, (Reason("bad_ground", "列入情形不在令第11号规定的范围内。"),))
    reasons: list[Reason] = []
    if not case.decided or case.outcome != "penalty":
        reasons.append(
            Reason("case_not_decided", "只有已作出行政处罚决定的案件可以作为列入的依据。")
        )
    if g.manual:
        if not written_basis.strip():
            reasons.append(
                Reason("written_basis_missing", "该情形须由负责人写明认定的事实和证据。")
            )
    else:
        problem = _CHECKS[ground](case)
        if problem is not None:
            reasons.append(problem)
    return GroundCheck(not reasons, tuple(reasons))


def detect_grounds(case: CaseRecord) -> tuple[str, ...]:
    """The automatic grounds the decided case establishes, in the order of 令第11号."""
    return tuple(
        code for code, g in GROUNDS.items() if not g.manual and check_ground(code, case).ok
    )


@dataclass(frozen=True)
class ListingDecisionCheck:
    allowed: bool
    reasons: tuple[Reason, ...]


def check_decision_timing(
    *,
    status: str,
    statement_due: dt.date | None,
    statement_given: bool,
    on: dt.date,
) -> ListingDecisionCheck:
    """The listing is decided only after the party was notified and heard: the statement is
    in, or the period has ended."""
    if status == "proposed":
        return ListingDecisionCheck(
            False,
            (Reason("party_not_notified", "尚未向当事人送达列入告知书，不能作出列入决定。"),),
        )
    if status != "notified":
        return ListingDecisionCheck(
            False, (Reason("not_pending", "只有已告知、待决定的建议可以决定。"),)
        )
    if not statement_given and statement_due is not None and on <= statement_due:
        return ListingDecisionCheck(
            False,
            (
                Reason(
                    "statement_period_open",
                    f"当事人陈述、申辩期限至{statement_due.isoformat()}，期满或当事人陈述后方可决定。",
                ),
            ),
        )
    return ListingDecisionCheck(True, ())
