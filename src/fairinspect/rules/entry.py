"""May this officer's team enter the enterprise now? (R1.1, R1.3, R3.3, R3.4, R5.3, R6.1-R6.3)

ONE decision for two callers: the 扫码入企 pre-check page (which predicts 可以入企 / 不可入企)
and the check-in service (which decides). Both build the same `EntryFacts` from the same rows
and call `decide_entry`; the page assumes every officer of the team confirms, the service
passes who really has. A property test (tests/visits/test_entry_agreement.py) generates
states and asserts that what the page predicts is what the service decides.

Checks, in the order the refusal is chosen: the caller is on the team; on-site visit; plan
state (approved); the caller's own certificate on the day; the team (two eligible officers,
experts never counted); and for a visit not yet started: the plan's year, R5.3 (one level per
enterprise; no district visit after the city's), the record behind an exempt trigger (R3.3,
judged by rules.exemptions) and the annual cap (R3.4, check-in stage).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from .caps import (
    CapDecision,
    CapPolicy,
    CapStage,
    CapTable,
    Grade,
    Justification,
    Level,
    ProposedVisit,
    Trigger,
    VisitFact,
    VisitKind,
    check_district_reinspection,
    check_enforcement_level,
    decide_cap,
)
from .checkin import OfficerConfirmation, TeamDecision, decide_team
from .exemptions import RecordDecision
from .results import Reason


@dataclass(frozen=True, slots=True)
class EntryFacts:
    visit_id: str
    status: str  # the visit's state: draft, plan_submitted, approved, in_progress, done, cancelled
    kind: VisitKind
    trigger: Trigger
    planned_date: date
    today: date
    team: tuple[OfficerConfirmation, ...]  # eligibility on `today`; confirmed as known
    caller_id: str | None  # the officer asking; None when the viewer is no officer
    experts: int
    supervising_level: Level
    inspecting_level: Level
    district_partner: bool
    items: frozenset[str]
    city_items_this_year: frozenset[str]  # items of the city's visits this year (R5.3)
    record: RecordDecision | None  # the exempt trigger's record check; None otherwise
    table: CapTable
    policy: CapPolicy
    high_risk: bool
    grade: Grade
    visits: tuple[VisitFact, ...]  # the enterprise's visits this year
    merge_group: str | None = None
    justification: Justification | None = None


@dataclass(frozen=True, slots=True)
class EntryDecision:
    allowed: bool  # the caller's confirmation is accepted (nothing blocks)
    starts: bool  # and with it the visit starts (team ready, plan approved)
    refusal: Reason | None  # the first blocking reason
    field: str  # the input a refusal names, when it is about an input (R3.3 records)
    reasons: tuple[Reason, ...]  # everything the page shows
    team: TeamDecision | None = None
    cap: CapDecision | None = None


_BLOCKING_TEAM = ("too_few_officers", "too_few_eligible_officers")


def decide_entry(facts: EntryFacts) -> EntryDecision:
    f = facts
    reasons: list[Reason] = []

    def refuse(
        r: Reason, *, team: TeamDecision | None = None, cap: CapDecision | None = None, fld=""
    ) -> EntryDecision:
        if r not in reasons:
            reasons.append(r)
        return EntryDecision(False, False, r, fld, tuple(reasons), team, cap)

    if f.caller_id is not None and all(o.officer_id != f.caller_id for o in f.team):
        return refuse(Reason("not_on_team", "您不是本次检查方案中的执法人员，不能确认入企。"))
    if f.kind is VisitKind.OFF_SITE:
        return refuse(Reason("off_site_visit", "非现场检查不需要扫码入企。"))
    if f.status in ("draft", "plan_submitted"):
        return refuse(
            Reason("plan_not_approved", "现场检查方案尚未经审批负责人批准，不得入企检查。")
        )
    if f.status not in ("approved", "in_progress"):
        return refuse(Reason("visit_closed", "该检查已结束或已取消。"))
    if f.caller_id is not None:
        own = next(o for o in f.team if o.officer_id == f.caller_id)
        if not own.eligible:
            reasons.extend(own.reasons)
            first = own.reasons[0] if own.reasons else Reason("no_valid_certificate", "")
            return refuse(first)
    team = decide_team(f.team, experts=f.experts)
    reasons.extend(r for r in team.reasons if r not in reasons)
    blocking = [r for r in team.reasons if r.code in _BLOCKING_TEAM]
    if blocking:
        return refuse(blocking[0], team=team)
    if f.status == "in_progress":
        reasons.insert(0, Reason("already_started", "检查已开始（两名执法人员已确认入企）。"))
        return EntryDecision(True, False, None, "", tuple(reasons), team, None)
    if f.planned_date.year != f.today.year:
        return refuse(
            Reason("plan_other_year", "检查方案的计划年度与今天不一致，请重新安排检查。"), team=team
        )
    level = check_enforcement_level(
        f.supervising_level, f.inspecting_level, f.trigger, f.district_partner
    )
    if not level.allowed:
        return refuse(level.reasons[0], team=team)
    if f.inspecting_level is Level.DISTRICT:
        again = check_district_reinspection(
            Level.DISTRICT, f.trigger, set(f.city_items_this_year), set(f.items)
        )
        if not again.allowed:
            return refuse(again.reasons[0], team=team)
    if f.record is not None and not f.record.ok:
        return refuse(f.record.reasons[0], team=team, fld=f.record.field)
    cap = decide_cap(
        table=f.table,
        policy=f.policy,
        high_risk=f.high_risk,
        grade=f.grade,
        year=f.today.year,
        visits=f.visits,
        proposed=ProposedVisit(
            kind=f.kind,
            trigger=f.trigger,
            date=f.today,
            merge_group=f.merge_group,
            justification=f.justification,
            visit_id=f.visit_id,
        ),
        today=f.today,
        stage=CapStage.CHECK_IN,
    )
    reasons.extend(cap.reasons)
    if not cap.allowed:
        return refuse(cap.reasons[-1], team=team, cap=cap)
    return EntryDecision(True, team.ready, None, "", tuple(reasons), team, cap)


def assume_all_confirm(facts: EntryFacts) -> EntryFacts:
    """What the page predicts: the decision once every officer of the team has confirmed."""
    return replace(facts, team=tuple(replace(o, confirmed=True) for o in facts.team))


def team_confirmations(
    members: Sequence[tuple[str, str, bool, tuple[Reason, ...]]], confirmed: set[str]
) -> tuple[OfficerConfirmation, ...]:
    """(officer id, name, eligible, reasons) rows with who has confirmed."""
    return tuple(
        OfficerConfirmation(oid, name, eligible, oid in confirmed, reasons)
        for oid, name, eligible, reasons in members
    )


# ------------------------------------------------ approving the on-site plan (R6.2, R3.4, R5.3)


@dataclass(frozen=True, slots=True)
class ApprovalFacts:
    """What approving a submitted plan is decided on (who may approve is decided apart)."""

    visit_id: str
    kind: VisitKind
    trigger: Trigger
    planned_date: date
    today: date
    plan_problems: tuple[Reason, ...]  # rules.checkin.check_plan
    supervising_level: Level
    inspecting_level: Level
    district_partner: bool
    items: frozenset[str]
    city_items_this_year: frozenset[str]
    record: RecordDecision | None
    table: CapTable
    policy: CapPolicy
    high_risk: bool
    grade: Grade
    visits: tuple[VisitFact, ...]
    merge_group: str | None = None
    justification: Justification | None = None


def decide_approval(f: ApprovalFacts) -> EntryDecision:
    """Will approving this plan be accepted? The approval service and the visit page (which
    tells the approver beforehand, "approval will be refused because …") both call this."""
    reasons: list[Reason] = []

    def refuse(r: Reason, *, cap: CapDecision | None = None, fld: str = "") -> EntryDecision:
        if r not in reasons:
            reasons.append(r)
        return EntryDecision(False, False, r, fld, tuple(reasons), None, cap)

    if f.plan_problems:
        reasons.extend(f.plan_problems)
        return refuse(Reason("plan_incomplete", f.plan_problems[0].message))
    level = check_enforcement_level(
        f.supervising_level, f.inspecting_level, f.trigger, f.district_partner
    )
    if not level.allowed:
        return refuse(level.reasons[0])
    if f.inspecting_level is Level.DISTRICT:
        again = check_district_reinspection(
            Level.DISTRICT, f.trigger, set(f.city_items_this_year), set(f.items)
        )
        if not again.allowed:
            return refuse(again.reasons[0])
    if f.record is not None and not f.record.ok:
        return refuse(f.record.reasons[0], fld=f.record.field)
    if f.kind is VisitKind.OFF_SITE:
        return EntryDecision(True, False, None, "", tuple(reasons), None, None)
    cap = decide_cap(
        table=f.table,
        policy=f.policy,
        high_risk=f.high_risk,
        grade=f.grade,
        year=f.planned_date.year,
        visits=f.visits,
        proposed=ProposedVisit(
            kind=f.kind,
            trigger=f.trigger,
            date=f.planned_date,
            merge_group=f.merge_group,
            justification=f.justification,
            visit_id=f.visit_id,
        ),
        today=f.today,
        stage=CapStage.PLANNING,
    )
    reasons.extend(cap.reasons)
    if not cap.allowed:
        return refuse(cap.reasons[-1], cap=cap)
    return EntryDecision(True, False, None, "", tuple(reasons), None, cap)
