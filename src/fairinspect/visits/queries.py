"""Reads for visits: the cap table in force, rule facts from rows, the pre-check bundle.

Every read here issues a fixed number of queries whatever the enterprise's history
(tests/visits/test_queries.py asserts it for the pre-check).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from fairinspect.registry.models import Enterprise, Officer
from fairinspect.registry.queries import officer_fact
from fairinspect.rules.caps import (
    DEFAULT_2025,
    CapDecision,
    CapPolicy,
    CapStage,
    CapTable,
    Justification,
    JustificationKind,
    ProposedVisit,
    Quota,
    Trigger,
    VisitFact,
    VisitKind,
    VisitStatus,
    decide_cap,
    quota,
)
from fairinspect.rules.certificates import Eligibility, check_eligibility
from fairinspect.rules.checkin import effective_grade

from .models import CAP_FIELDS, CapTableSetting, Hazard, RectificationOrder, Visit, VisitOfficer

# The model's statuses as the cap rule reads them: a draft or a submitted plan holds nothing.
RULE_STATUS = {
    "draft": VisitStatus.PLANNED,
    "plan_submitted": VisitStatus.PLANNED,
    "approved": VisitStatus.APPROVED,
    "in_progress": VisitStatus.IN_PROGRESS,
    "done": VisitStatus.DONE,
    "cancelled": VisitStatus.CANCELLED,
}
FACT_FIELDS = (
    "pk",
    "kind",
    "trigger",
    "planned_date",
    "checked_in_at",
    "status",
    "merge_group",
    "justification_kind",
    "justification_reference",
    "justification_date",
    "justification_summary",
)


def cap_setting(year: int) -> tuple[CapTable, CapPolicy]:
    """The year's table and policy; without a row, DEFAULT_2025 with its source (the rule
    then says which year's table it used) and the default policy."""
    row = CapTableSetting.objects.filter(year=year).first()
    if row is None:
        return DEFAULT_2025, CapPolicy()
    values = {f: getattr(row, f) for f in CAP_FIELDS}
    return CapTable(year=row.year, source=row.source, **values), CapPolicy(
        exempt_consumes_cap=row.exempt_consumes_cap
    )


def justification_of(v) -> Justification | None:
    get: Callable[[str], Any] = v.get if isinstance(v, dict) else lambda k: getattr(v, k)
    if not get("justification_kind") or get("justification_date") is None:
        return None
    return Justification(
        kind=JustificationKind(get("justification_kind")),
        reference=get("justification_reference") or "",
        date=get("justification_date"),
        summary=get("justification_summary") or "",
    )


def _visit_day(row: dict) -> dt.date:
    # A visit happens the day it was checked in; until then, on its planned date.
    at = row.get("checked_in_at")
    if at is not None:
        from django.utils import timezone

        return timezone.localdate(at)
    return row["planned_date"]


def fact_of(row: dict) -> VisitFact:
    return VisitFact(
        visit_id=str(row["pk"]),
        kind=VisitKind(row["kind"]),
        trigger=Trigger(row["trigger"]),
        date=_visit_day(row),
        status=RULE_STATUS[row["status"]],
        merge_group=row["merge_group"] or None,
        justification=justification_of(row),
    )


def visit_facts(enterprise_id: int, year: int) -> list[VisitFact]:
    """The year's visits of one enterprise as the cap rule reads them: one query."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = (
        Visit.objects.filter(enterprise_id=enterprise_id, planned_date__range=(start, end))
        .exclude(status="cancelled")
        .values(*FACT_FIELDS)
    )
    facts = [fact_of(r) for r in rows]
    return [f for f in facts if f.date.year == year]


def grade_of(enterprise: Enterprise, on: dt.date):
    return effective_grade(enterprise.standardization_grade, enterprise.grade_valid_to, on)


def quota_for(enterprise: Enterprise, *, year: int, today: dt.date, facts=None) -> Quota:
    table, policy = cap_setting(year)
    return quota(
        table=table,
        policy=policy,
        high_risk=enterprise.high_risk,
        grade=grade_of(enterprise, dt.date(year, 12, 31) if year != today.year else today),
        year=year,
        visits=facts if facts is not None else visit_facts(enterprise.pk, year),
        today=today,
    )


def cap_decision(
    visit: Visit, *, today: dt.date, stage: CapStage, day: dt.date | None = None, facts=None
) -> CapDecision:
    """May this visit take place (on `day`, default its planned date)?"""
    day = day or visit.planned_date
    table, policy = cap_setting(day.year)
    enterprise = visit.enterprise
    return decide_cap(
        table=table,
        policy=policy,
        high_risk=enterprise.high_risk,
        grade=grade_of(enterprise, day),
        year=day.year,
        visits=facts if facts is not None else visit_facts(enterprise.pk, day.year),
        proposed=ProposedVisit(
            kind=VisitKind(visit.kind),
            trigger=Trigger(visit.trigger),
            date=day,
            merge_group=visit.merge_group or None,
            justification=justification_of(visit),
            visit_id=str(visit.pk),
        ),
        today=today,
        stage=stage,
    )


def city_visits_this_year(enterprise_id: int, year: int, *, exclude_pk: int | None = None):
    """The city bureau's visits to the enterprise this year that have taken place (checked in
    or done; never cancelled): what R5.3's "a district visit after the city's" reads."""
    qs = (
        Visit.objects.filter(
            enterprise_id=enterprise_id,
            inspecting_level="city",
            planned_date__range=(dt.date(year, 1, 1), dt.date(year, 12, 31)),
            status__in=["in_progress", "done"],
        )
        .select_related("department")
        .prefetch_related("items")
        .order_by("checked_in_at", "id")
    )
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs)


def same_item_warnings(visit: Visit) -> list[dict[str, str]]:
    """R5.4, not blocking: other units' visits this year to the same enterprise for any of
    this visit's items (submitted, approved, in progress or done; merged ones excepted)."""
    codes = {i.code for i in visit.items.all()}
    year = visit.planned_date.year
    others = (
        Visit.objects.filter(
            enterprise_id=visit.enterprise_id,
            planned_date__range=(dt.date(year, 1, 1), dt.date(year, 12, 31)),
            status__in=["plan_submitted", "approved", "in_progress", "done"],
            items__code__in=codes,
        )
        .exclude(pk=visit.pk)
        .exclude(department_id=visit.department_id)
        .select_related("department")
        .prefetch_related("items")
        .distinct()
        .order_by("planned_date", "id")
    )
    out = []
    for o in others:
        if visit.merge_group and o.merge_group == visit.merge_group:
            continue
        shared = sorted(codes & {i.code for i in o.items.all()})
        done = o.status in ("in_progress", "done")
        out.append(
            {
                "code": "same_item_this_year",
                "message": f"{o.department.name}{'已于' if done else '已计划于'}"
                f"{o.planned_date.year}年{o.planned_date.month}月{o.planned_date.day}日"
                f"就相同事项（{'、'.join(shared)}）检查该企业"
                f"（编号{o.pk}），请避免重复检查（综合查一次）。",
                "visit_id": str(o.pk),
            }
        )
    return out


def item_domains(visit: Visit) -> set[str]:
    return {i.domain for i in visit.items.all()}


def team_of(visit: Visit) -> list[VisitOfficer]:
    return list(
        VisitOfficer.objects.filter(visit=visit)
        .select_related("officer", "officer__department")
        .prefetch_related("officer__certificates")
        .order_by("-is_lead", "id")
    )


def eligibility(officer: Officer, *, on: dt.date, domains: set[str]) -> Eligibility:
    return check_eligibility(officer_fact(officer), on=on, domains=domains)


# ------------------------------------------------ the 扫码入企 pre-check (R6.1)


@dataclass
class PreCheck:
    enterprise: Enterprise
    year: int
    quota: Quota
    cap_source: str
    visits: list[Visit]
    hazards: list[Hazard]
    orders: list[RectificationOrder]
    mine: list[Visit] = field(default_factory=list)
    # (my visit, the other unit's visit, overlapping item codes): R5.4 warning
    overlaps: list[tuple[Visit, Visit, list[str]]] = field(default_factory=list)
    # The rule facts of this year's visits, filled by precheck() for verdict_for().
    facts: list[VisitFact] = field(default_factory=list)


def visits_this_year(enterprise: Enterprise, year: int):
    return (
        Visit.objects.filter(
            enterprise=enterprise,
            planned_date__range=(dt.date(year, 1, 1), dt.date(year, 12, 31)),
        )
        .exclude(status="cancelled")
        .select_related("department", "plan")
        .prefetch_related(
            "items",
            Prefetch(
                "team",
                queryset=VisitOfficer.objects.select_related("officer")
                .prefetch_related("officer__certificates")
                .order_by("-is_lead", "id"),
            ),
        )
        .order_by("planned_date", "id")
    )


def precheck(enterprise: Enterprise, *, officer: Officer | None, today: dt.date) -> PreCheck:
    year = today.year
    visits = list(visits_this_year(enterprise, year))
    facts = [
        f
        for f in (
            fact_of({**{k: getattr(v, k) for k in FACT_FIELDS if k != "pk"}, "pk": v.pk})
            for v in visits
        )
        if f.date.year == year
    ]
    table, _policy = cap_setting(year)
    q = quota_for(enterprise, year=year, today=today, facts=facts)
    hazards = list(
        Hazard.objects.filter(enterprise=enterprise, status="open").select_related("item")[:50]
    )
    orders = list(
        RectificationOrder.objects.filter(enterprise=enterprise, status="issued").order_by(
            "deadline"
        )[:50]
    )
    pc = PreCheck(enterprise, year, q, table.source, visits, hazards, orders)
    if officer is not None:
        pc.mine = [
            v
            for v in visits
            if any(m.officer_id == officer.pk for m in v.team.all())
            and v.status in ("draft", "plan_submitted", "approved", "in_progress")
        ]
        for mine in pc.mine:
            codes = {i.code for i in mine.items.all()}
            for other in visits:
                if other.department_id == mine.department_id or other.pk == mine.pk:
                    continue
                if other.status not in ("plan_submitted", "approved", "in_progress", "done"):
                    continue
                if mine.merge_group and other.merge_group == mine.merge_group:
                    continue  # merged into one trip (综合查一次): not a duplicate
                shared = sorted(codes & {i.code for i in other.items.all()})
                if shared:
                    pc.overlaps.append((mine, other, shared))
    for v in visits:
        v.fact_exempt = str(v.pk) in q.exempt_visits
        v.fact_counted = str(v.pk) in q.counted_visits
    pc.facts = facts
    return pc


@dataclass
class Verdict:
    ok: bool
    reasons: list[str]


def verdict_for(visit: Visit, *, facts, today: dt.date, officer: Officer | None) -> Verdict:
    """可以入企 or 不可入企 for one visit, from prefetched rows only (no query)."""
    from fairinspect.rules.checkin import OfficerConfirmation, decide_team

    reasons: list[str] = []
    blocked = False
    if visit.status in ("draft", "plan_submitted"):
        reasons.append("现场检查方案尚未经审批负责人批准，不得入企检查。")
        blocked = True
    elif visit.status == "in_progress":
        return Verdict(True, ["检查已开始（两名执法人员已确认入企）。"])
    elif visit.status != "approved":
        return Verdict(False, ["该检查已结束或已取消。"])
    if visit.kind != "on_site":
        return Verdict(False, ["非现场检查不需要入企。"])
    domains = {i.domain for i in visit.items.all()}
    confs = []
    for m in visit.team.all():
        e = check_eligibility(officer_fact(m.officer), on=today, domains=domains)
        confs.append(
            OfficerConfirmation(str(m.officer_id), m.officer.name, e.eligible, True, e.reasons)
        )
    team = decide_team(confs)
    blocked = blocked or not team.ready
    reasons.extend(r.message for r in team.reasons)
    if officer is not None and not any(m.officer_id == officer.pk for m in visit.team.all()):
        reasons.append("您不是本次检查方案中的执法人员。")
        blocked = True
    if visit.planned_date.year != today.year:
        reasons.append("检查方案的计划年度与今天不一致。")
        blocked = True
    else:
        d = cap_decision(visit, today=today, stage=CapStage.CHECK_IN, day=today, facts=facts)
        blocked = blocked or not d.allowed
        reasons.extend(r.message for r in d.reasons)
    return Verdict(not blocked, reasons)


def visits_without_recording():
    return Visit.objects.filter(kind="on_site", status="done", missing_recording=True)


# ------------------------------------------------ the enterprises' ratings (R8)


def ratings_visible_to(user):
    """Ratings for supervisors and administrators: of the visits they may see, never of a
    visit on which they themselves inspected (the inspecting side never sees its rating)."""
    from fairinspect.core.roles import Role, has_role

    from . import access
    from .models import VisitRating

    if not has_role(user, Role.SUPERVISOR, Role.ADMIN):
        return VisitRating.objects.none()
    qs = VisitRating.objects.filter(visit__in=access.visits_visible_to(user).values("pk"))
    officer = getattr(user, "officer", None) if hasattr(user, "officer") else None
    if officer is not None:
        qs = qs.exclude(visit__team__officer=officer)
    return qs.select_related("visit", "visit__enterprise", "visit__department").order_by(
        "-created_at", "-id"
    )
