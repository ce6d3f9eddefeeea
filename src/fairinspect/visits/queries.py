"""Reads for visits: the cap table in force, rule facts from rows, the pre-check bundle.

Every read here issues a fixed number of queries whatever the enterprise's history
(tests/visits/test_queries.py asserts it for the pre-check).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.db.models import OuterRef, Prefetch, QuerySet

from fairinspect.catalog.models import InspectionItem
from fairinspect.core.prepared import Prepared
from fairinspect.registry.models import Enterprise, Officer
from fairinspect.registry.queries import officer_fact
from fairinspect.rules.caps import (
    DEFAULT_2025,
    EXEMPT_TRIGGERS,
    REQUIRED_JUSTIFICATION,
    CapDecision,
    CapPolicy,
    CapStage,
    CapTable,
    Justification,
    JustificationKind,
    Level,
    ProposedVisit,
    Quota,
    Trigger,
    VisitFact,
    VisitKind,
    VisitStatus,
    decide_cap,
    quota,
)
from fairinspect.rules.certificates import Eligibility, OfficerFact, check_eligibility
from fairinspect.rules.checkin import OfficerConfirmation, effective_grade
from fairinspect.rules.entry import (
    ApprovalFacts,
    EntryDecision,
    EntryFacts,
    decide_approval,
    decide_entry,
)
from fairinspect.rules.exemptions import RecordDecision, RecordUse, decide_record
from fairinspect.rules.results import Reason

from . import justifications
from .models import (
    CAP_FIELDS,
    CapTableSetting,
    Hazard,
    RectificationOrder,
    Visit,
    VisitItem,
    VisitOfficer,
)

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


def within_visit_dates(
    qs: QuerySet, start: dt.date, end: dt.date, *, bounded: bool = False
) -> QuerySet:
    """A queryset of the visits' team or items bounded to the visits planned from `start` to
    `end`. On PostgreSQL by the row's own `visit_planned_date`, their partition key (visits
    0010): the planner reads only those years' partitions. Elsewhere through the visit (on
    SQLite the copy is not kept when a visit moves), unless `qs` is `bounded` to those
    visits already: by their ids, or correlated to one of them in a subquery
    (`visit_id=OuterRef("pk")`). (Correlated on the visit's own date instead, a subquery
    would be pruned when it runs but planned over all 17 partitions: 6 ms of planning at
    1,000,000 visits, docs/performance.md.)"""
    if connections[qs.db].vendor == "postgresql":
        return qs.filter(visit_planned_date__range=(start, end))
    return qs if bounded else qs.filter(visit__planned_date__range=(start, end))


# Sentinels for the prepared statements (core/prepared.py): values no request passes.
_E, _O, _Y = -7_000_001, -7_000_002, 32_109  # the year: a PositiveSmallIntegerField
_START, _END = dt.date(1901, 1, 2), dt.date(1901, 12, 30)

_CAP_ROW = Prepared(
    lambda year: CapTableSetting.objects.filter(year=year).order_by("pk")[:1], year=_Y
)


def cap_setting(year: int) -> tuple[CapTable, CapPolicy]:
    """The year's table and policy; without a row, DEFAULT_2025 with its source (the rule
    then says which year's table it used) and the default policy."""
    found = _CAP_ROW.objects(year=year)
    row = found[0] if found else None
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


def record_uses(kind: str, reference: str, *, exclude_pk: int | None) -> list[RecordUse]:
    """The visits (not cancelled) already resting on the record (kind, reference)."""
    rows = (
        Visit.objects.filter(justification_kind=kind, justification_reference=reference)
        .exclude(status="cancelled")
        .exclude(pk=exclude_pk)  # type: ignore[misc]  # pk=None excludes nothing
        .values_list("pk", "justification_round", "enterprise_id")
    )
    # A visit from before records were checked has no round: it used the first one.
    return [RecordUse(str(pk), rnd or 1, ent) for pk, rnd, ent in rows]


def justification_decision(
    *,
    trigger: str,
    kind: str,
    reference: str,
    enterprise_id: int,
    day: dt.date,
    exclude_pk: int | None = None,
) -> RecordDecision:
    """Does the record (kind, reference) justify an exempt visit of the enterprise on `day`?
    Resolves it through the registry (visits/justifications.py) and asks rules.exemptions."""
    trig, jkind = Trigger(trigger), JustificationKind(kind)
    ref = (reference or "").strip()
    record = justifications.resolve(jkind, ref) if ref else None
    uses = record_uses(jkind.value, record.reference, exclude_pk=exclude_pk) if record else []
    return decide_record(
        trigger=trig,
        kind=jkind,
        reference=ref,
        record=record,
        kind_checkable=jkind in justifications.registered_kinds(),
        enterprise_id=enterprise_id,
        visit_date=day,
        uses=uses,
    )


def visit_justification_decision(visit: Visit, *, day: dt.date) -> RecordDecision | None:
    """The record check of an existing exempt visit on `day` (None for other triggers)."""
    if Trigger(visit.trigger) not in EXEMPT_TRIGGERS:
        return None
    return justification_decision(
        trigger=visit.trigger,
        kind=visit.justification_kind or REQUIRED_JUSTIFICATION[Trigger(visit.trigger)].value,
        reference=visit.justification_reference,
        enterprise_id=visit.enterprise_id,
        day=day,
        exclude_pk=visit.pk,
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


_YEAR_FACTS = Prepared(
    lambda e, start, end: (
        Visit.objects.filter(enterprise_id=e, planned_date__range=(start, end))
        .exclude(status="cancelled")
        .values(*FACT_FIELDS)
    ),
    e=_E,
    start=_START,
    end=_END,
)


def visit_facts(enterprise_id: int, year: int) -> list[VisitFact]:
    """The year's visits of one enterprise as the cap rule reads them: one query (prepared:
    compiled once per connection)."""
    rows = _YEAR_FACTS.dicts(e=enterprise_id, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
    facts = [fact_of(r) for r in rows]
    return [f for f in facts if f.date.year == year]


def grade_of(enterprise: Enterprise, on: dt.date):
    return effective_grade(
        enterprise.standardization_grade, enterprise.grade_valid_to, on, enterprise.grade_valid_from
    )


def quota_for(
    enterprise: Enterprise, *, year: int, today: dt.date, facts=None, setting=None
) -> Quota:
    """`setting` is cap_setting(year) when the caller has read it already."""
    table, policy = setting if setting is not None else cap_setting(year)
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


def of_visit(model: type[VisitOfficer] | type[VisitItem], visit: Visit) -> QuerySet:
    """The rows of `model` (the team or the items) of one visit as read from the database:
    on PostgreSQL by the visit's date too, so one partition is planned instead of all
    seventeen (a visit page's team, items and "is on the team" reads: ≈ 0.4–1.2 ms of
    planning each at 1,000,000 visits, docs/scale.md)."""
    qs = model.objects.filter(visit_id=visit.pk)
    return within_visit_dates(qs, visit.planned_date, visit.planned_date, bounded=True)


def on_team(visit: Visit, officer: Officer | None) -> bool:
    return officer is not None and of_visit(VisitOfficer, visit).filter(officer=officer).exists()


def team_size(visit: Visit) -> int:
    return of_visit(VisitOfficer, visit).count()


def items_of(visit: Visit) -> list[InspectionItem]:
    """The visit's items in the catalogue's order (as `visit.items.all()`), pruned."""
    return list(
        InspectionItem.objects.filter(pk__in=of_visit(VisitItem, visit).values("inspectionitem_id"))
    )


def team_of(visit: Visit) -> list[VisitOfficer]:
    return list(
        of_visit(VisitOfficer, visit)
        .select_related("officer", "officer__department")
        .prefetch_related("officer__certificates")
        .order_by("-is_lead", "id")
    )


def eligibility(officer: Officer, *, on: dt.date, domains: set[str]) -> Eligibility:
    return check_eligibility(officer_fact(officer), on=on, domains=domains)


# ------------------------------------------------ the 扫码入企 pre-check (R6.1)


PAGE_SIZE = 20  # the year's visits shown per page of the pre-check (a long year is paged)
OPEN = ("draft", "plan_submitted", "approved", "in_progress")


@dataclass
class PreCheck:
    enterprise: Enterprise
    year: int
    quota: Quota
    cap_source: str
    visits: list[Visit]  # the page of this year's visits shown (PAGE_SIZE a page)
    hazards: list[Hazard]
    orders: list[RectificationOrder]
    mine: list[Visit] = field(default_factory=list)
    # (my visit, the other unit's visit, overlapping item codes): R5.4 warning
    overlaps: list[tuple[Visit, Visit, list[str]]] = field(default_factory=list)
    # The rule facts of this year's visits, filled by precheck() for verdict_for().
    facts: list[VisitFact] = field(default_factory=list)
    city_items: set[str] = field(default_factory=set)
    page: int = 1
    pages: int = 1
    total: int = 0
    table: CapTable | None = None
    policy: CapPolicy | None = None


def visits_this_year(enterprise: Enterprise, year: int):
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    team = VisitOfficer.objects.select_related("officer")
    return (
        Visit.objects.filter(enterprise=enterprise, planned_date__range=(start, end))
        .exclude(status="cancelled")
        .select_related("enterprise", "department", "plan")
        .prefetch_related(
            "items",
            "experts",
            "joint_departments__parent",
            Prefetch(
                "team",
                queryset=within_visit_dates(team, start, end)
                .prefetch_related("officer__certificates")
                .order_by("-is_lead", "id"),
            ),
        )
        .order_by("planned_date", "id")
    )


def _year_visits_qs(e: int, start: dt.date, end: dt.date, officer: int | None):
    """This year's visits (not cancelled) with their department, in one query; for the
    officer's own open visits also what the entry rule reads beyond the row: the number of
    experts and whether a district bureau is a joint partner (subqueries, so no prefetch)."""
    from django.db.models import (
        Case,
        Count,
        Exists,
        IntegerField,
        Q,
        Subquery,
        Value,
        When,
    )
    from django.db.models.functions import Coalesce

    qs = (
        Visit.objects.filter(enterprise_id=e, planned_date__range=(start, end))
        .exclude(status="cancelled")
        .select_related("department")
        .order_by("planned_date", "id")
    )
    if officer is None:
        return qs.annotate(pc_mine=Value(False))
    experts = (
        Visit.experts.through.objects.filter(visit_id=OuterRef("pk"))
        .order_by()
        .values("visit_id")
        .annotate(n=Count("*"))
        .values("n")  # type: ignore[misc]  # the annotation just made
    )
    partner = Visit.joint_departments.through.objects.filter(visit_id=OuterRef("pk")).filter(
        Q(department__parent__isnull=True, department__level="district")
        | Q(department__parent__level="district")
    )
    mine = Q(
        Exists(
            within_visit_dates(
                VisitOfficer.objects.filter(visit_id=OuterRef("pk"), officer_id=officer),
                start,
                end,
                bounded=True,
            )
        ),
        status__in=OPEN,
    )
    return qs.annotate(
        pc_mine=Case(When(mine, then=Value(True)), default=Value(False)),
        pc_experts=Case(
            When(mine, then=Coalesce(Subquery(experts), 0)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        pc_partner=Case(When(mine, then=Exists(partner)), default=Value(False)),
    )


_YEAR_VISITS = Prepared(
    lambda e, start, end: _year_visits_qs(e, start, end, None), e=_E, start=_START, end=_END
)
_YEAR_VISITS_OF = Prepared(_year_visits_qs, e=_E, start=_START, end=_END, officer=_O)


def _year_visits(enterprise: Enterprise, year: int, officer: Officer | None) -> list[Any]:
    """The visits (annotated with pc_* as the queryset does; the pre-check adds more)."""
    span: dict[str, Any] = {
        "e": enterprise.pk,
        "start": dt.date(year, 1, 1),
        "end": dt.date(year, 12, 31),
    }
    if officer is None:
        return _YEAR_VISITS.objects(**span)
    return _YEAR_VISITS_OF.objects(**span, officer=officer.pk)


_YEAR_ITEMS = Prepared(
    lambda e, start, end: (
        within_visit_dates(
            VisitItem.objects.filter(
                visit__enterprise_id=e, visit__planned_date__range=(start, end)
            ),
            start,
            end,
        )
        .exclude(visit__status="cancelled")
        .order_by("visit_id", "inspectionitem__code")
        .values_list("visit_id", "inspectionitem__code", "inspectionitem__domain")
    ),
    e=_E,
    start=_START,
    end=_END,
)


def _year_items(enterprise: Enterprise, year: int) -> dict[int, list[tuple[str, str]]]:
    """(code, domain) of the items of each of this year's visits: one query."""
    rows = _YEAR_ITEMS.rows(e=enterprise.pk, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
    out: dict[int, list[tuple[str, str]]] = {}
    for vid, code, domain in rows:
        out.setdefault(vid, []).append((code, domain))
    return out


def _teams_qs(start: dt.date, end: dt.date, *ids: int):
    return (
        within_visit_dates(VisitOfficer.objects.filter(visit_id__in=ids), start, end)
        .order_by("visit_id", "-is_lead", "id", "officer__certificates__number")
        .values_list(
            "visit_id",
            "id",
            "officer_id",
            "officer__name",
            "officer__status",
            "officer__post_domains",
            "officer__certificates__id",
            "officer__certificates__number",
            "officer__certificates__valid_from",
            "officer__certificates__valid_to",
            "officer__certificates__scopes",
            "officer__certificates__status",
        )
    )


# One prepared statement per size of the IN list, rounded up to a power of two (the list
# padded with its last id): an officer has one or two open visits to an enterprise.
_TEAMS: dict[int, Prepared] = {}
_TEAMS_PREPARED_UP_TO = 32


def _team_rows(visit_ids: list[int], year: int) -> list[tuple]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if len(visit_ids) > _TEAMS_PREPARED_UP_TO:
        return list(_teams_qs(start, end, *visit_ids))
    size = 1 << (len(visit_ids) - 1).bit_length()
    prepared = _TEAMS.get(size)
    if prepared is None:
        names = [f"v{i}" for i in range(size)]
        prepared = _TEAMS[size] = Prepared(
            lambda start, end, **ids: _teams_qs(start, end, *(ids[n] for n in names)),
            start=_START,
            end=_END,
            **{n: _E - 1 - i for i, n in enumerate(names)},
        )
    padded = visit_ids + [visit_ids[-1]] * (size - len(visit_ids))
    ids: dict[str, Any] = {f"v{i}": v for i, v in enumerate(padded)}
    return prepared.rows(start=start, end=end, **ids)


def _teams(visit_ids: list[int], year: int) -> dict[int, list[tuple[int, str, OfficerFact]]]:
    """The team of each visit (all planned in `year`) with each officer's certificates, in
    one query (a LEFT JOIN of team, officer and certificates), lead first, as `officer_fact`
    would build them."""
    from fairinspect.rules.certificates import CertificateFact, CertificateStatus, OfficerStatus

    if not visit_ids:
        return {}
    rows = _team_rows(visit_ids, year)
    members: dict[int, dict[int, list]] = {}
    for vid, mid, oid, name, status, domains, cid, number, vf, vt, scopes, cstatus in rows:
        m = members.setdefault(vid, {}).setdefault(mid, [oid, name, status, domains, []])
        if cid is not None:
            m[4].append(
                CertificateFact(
                    number=number,
                    valid_from=vf,
                    valid_to=vt,
                    scopes=frozenset(scopes or ()),
                    status=CertificateStatus(cstatus),
                )
            )
    return {
        vid: [
            (
                oid,
                name,
                OfficerFact(
                    id=str(oid),
                    name=name,
                    status=OfficerStatus(status),
                    post_domains=frozenset(domains or ()),
                    certificates=tuple(certs),
                ),
            )
            for oid, name, status, domains, certs in team.values()
        ]
        for vid, team in members.items()
    }


def _hazards_and_orders_qs(e: int):
    from django.db.models import CharField, DateField, DateTimeField, F, Value

    hz = Hazard.objects.filter(enterprise_id=e, status="open").order_by("-created_at", "-id")
    od = RectificationOrder.objects.filter(enterprise_id=e, status="issued").order_by(
        "deadline", "id"
    )
    cols = ("pc_kind", "pc_id", "pc_a", "pc_b", "pc_c", "pc_day", "pc_at")
    h = (
        Hazard.objects.filter(pk__in=hz.values("pk")[:50])
        .order_by()
        .annotate(
            pc_kind=Value("h"),
            pc_id=F("id"),
            pc_a=F("level"),
            pc_b=F("description"),
            pc_c=F("place"),
            pc_day=Value(None, output_field=DateField()),
            pc_at=F("created_at"),
        )
        .values_list(*cols)
    )
    o = (
        RectificationOrder.objects.filter(pk__in=od.values("pk")[:50])
        .order_by()
        .annotate(
            pc_kind=Value("o"),
            pc_id=F("id"),
            pc_a=F("number"),
            pc_b=Value("", output_field=CharField()),
            pc_c=Value("", output_field=CharField()),
            pc_day=F("deadline"),
            pc_at=Value(None, output_field=DateTimeField()),
        )
        .values_list(*cols)
    )
    return h.union(o, all=True)


_HAZARDS_AND_ORDERS = Prepared(_hazards_and_orders_qs, e=_E)


def _open_hazards_and_orders(enterprise: Enterprise):
    """The open hazards and the orders being rectified (50 of each), in one UNION query."""
    hazards, orders = [], []
    for kind, pk, a, b, c, day, at in _HAZARDS_AND_ORDERS.rows(e=enterprise.pk):
        if kind == "h":
            hazards.append(Hazard(pk=pk, level=a, description=b, place=c, created_at=at))
        else:
            orders.append(RectificationOrder(pk=pk, number=a, deadline=day))
    # The order each list had as its own query: newest hazard first, nearest deadline first.
    hazards.sort(key=lambda x: (x.created_at, x.pk), reverse=True)
    orders.sort(key=lambda x: (x.deadline, x.pk))
    return hazards, orders


def precheck(
    enterprise: Enterprise, *, officer: Officer | None, today: dt.date, page: int = 1
) -> PreCheck:
    """Everything the 扫码入企 page shows, in a fixed number of queries whatever the year's
    history: the cap setting, this year's visits (one query, light rows: the cap rule reads
    all of them), their items, the officer's own open visits' teams with certificates, and
    the open hazards and orders. Only PAGE_SIZE visits are shown; the quota and the verdicts
    are computed over the whole year, by the same rules as before."""
    year = today.year
    table, policy = cap_setting(year)
    visits = list(_year_visits(enterprise, year, officer))
    items = _year_items(enterprise, year)
    for v in visits:
        v.enterprise = enterprise  # the FK cache: never read again
        v.pc_items = items.get(v.pk, [])
        v.pc_codes = [c for c, _d in v.pc_items]
    facts = [
        f
        for f in (
            fact_of({**{k: getattr(v, k) for k in FACT_FIELDS if k != "pk"}, "pk": v.pk})
            for v in visits
        )
        if f.date.year == year
    ]
    q = quota(
        table=table,
        policy=policy,
        high_risk=enterprise.high_risk,
        grade=grade_of(enterprise, today),
        year=year,
        visits=facts,
        today=today,
    )
    mine = [v for v in visits if v.pc_mine]
    teams = _teams([v.pk for v in mine], year)
    for v in mine:
        v.pc_team = teams.get(v.pk, [])
        v.pc_table = (table, policy)
    hazards, orders = _open_hazards_and_orders(enterprise)
    total = len(visits)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    shown = visits[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    pc = PreCheck(enterprise, year, q, table.source, shown, hazards, orders, page=page, pages=pages)
    pc.total = total
    pc.mine = mine
    pc.table, pc.policy = table, policy
    for m in mine:
        codes = set(m.pc_codes)
        for other in visits:
            if other.department_id == m.department_id or other.pk == m.pk:
                continue
            if other.status not in ("plan_submitted", "approved", "in_progress", "done"):
                continue
            if m.merge_group and other.merge_group == m.merge_group:
                continue  # merged into one trip (综合查一次): not a duplicate
            shared = sorted(codes & set(other.pc_codes))
            if shared:
                pc.overlaps.append((m, other, shared))
    for v in visits:
        v.fact_exempt = str(v.pk) in q.exempt_visits
        v.fact_counted = str(v.pk) in q.counted_visits
    pc.facts = facts
    # R5.3: the items of the city's visits this year that took place, from the rows above.
    pc.city_items = {
        c
        for v in visits
        if v.inspecting_level == "city" and v.status in ("in_progress", "done")
        for c in v.pc_codes
    }
    return pc


@dataclass(frozen=True)
class _Item:
    code: str
    domain: str


@dataclass
class Verdict:
    ok: bool
    reasons: list[Reason]  # the rule's own reasons; pages show each one's message
    code: str = ""  # the refusal's code, "" when ok
    decision: EntryDecision | None = None


def entry_facts(
    visit: Visit,
    *,
    today: dt.date,
    caller: Officer | None,
    confirmed: set[int] | None,
    team=None,
    facts=None,
    city_items: set[str] | None = None,
) -> EntryFacts:
    """The facts `rules.entry.decide_entry` reads, from the visit's rows.

    `confirmed=None` means "as if every officer of the team confirmed" (what the page
    predicts); the service passes who has. With `team`, `facts` and `city_items` given (the
    pre-check prefetches them) only the exempt record's check queries the database.
    """
    pv: Any = visit  # precheck() sets pc_* on the visits it read (no query here then)
    pre = getattr(pv, "pc_team", None) is not None
    items: list[Any]
    if pre:
        items = [_Item(code, domain) for code, domain in pv.pc_items]
        members = pv.pc_team
    else:
        items = list(visit.items.all())
        members = [
            (m.officer_id, m.officer.name, officer_fact(m.officer))
            for m in (team if team is not None else list(visit.team.all()))
        ]
    domains = {i.domain for i in items}
    confs = []
    for officer_id, name, ofact in members:
        e = check_eligibility(ofact, on=today, domains=domains)
        confs.append(
            OfficerConfirmation(
                str(officer_id),
                name,
                e.eligible,
                confirmed is None or officer_id in confirmed,
                tuple(Reason(r.code, r.message) for r in e.reasons),
            )
        )
    if facts is None:
        facts = visit_facts(visit.enterprise_id, today.year)
    if city_items is None:
        city_items = {
            i.code
            for c in city_visits_this_year(visit.enterprise_id, today.year, exclude_pk=visit.pk)
            for i in c.items.all()
        }
    table, policy = pv.pc_table if pre else cap_setting(today.year)
    ent = visit.enterprise
    record = visit_justification_decision(visit, day=today) if visit.status == "approved" else None
    experts = pv.pc_experts if pre else len(visit.experts.all())
    partner = (
        bool(pv.pc_partner)
        if pre
        else any(d.bureau.level == "district" for d in visit.joint_departments.all())
    )
    return EntryFacts(
        visit_id=str(visit.pk),
        status=visit.status,
        kind=VisitKind(visit.kind),
        trigger=Trigger(visit.trigger),
        planned_date=visit.planned_date,
        today=today,
        team=tuple(confs),
        caller_id=str(caller.pk) if caller is not None else None,
        experts=experts,
        supervising_level=Level(ent.supervising_level),
        inspecting_level=Level(visit.inspecting_level),
        district_partner=partner,
        items=frozenset(i.code for i in items),
        city_items_this_year=frozenset(city_items),
        record=record,
        table=table,
        policy=policy,
        high_risk=ent.high_risk,
        grade=grade_of(ent, today),
        visits=tuple(facts),
        merge_group=visit.merge_group or None,
        justification=justification_of(visit),
    )


def approval_facts(visit: Visit, *, today: dt.date) -> ApprovalFacts:
    """The facts `rules.entry.decide_approval` reads, from the visit's rows."""
    from .services.plans import plan_problems

    day = visit.planned_date
    items = list(visit.items.all())
    city = city_visits_this_year(visit.enterprise_id, day.year, exclude_pk=visit.pk)
    table, policy = cap_setting(day.year)
    ent = visit.enterprise
    return ApprovalFacts(
        visit_id=str(visit.pk),
        kind=VisitKind(visit.kind),
        trigger=Trigger(visit.trigger),
        planned_date=day,
        today=today,
        plan_problems=plan_problems(visit, visit.plan),
        supervising_level=Level(ent.supervising_level),
        inspecting_level=Level(visit.inspecting_level),
        district_partner=any(d.bureau.level == "district" for d in visit.joint_departments.all()),
        items=frozenset(i.code for i in items),
        city_items_this_year=frozenset(i.code for c in city for i in c.items.all()),
        record=visit_justification_decision(visit, day=day),
        table=table,
        policy=policy,
        high_risk=ent.high_risk,
        grade=grade_of(ent, day),
        visits=tuple(visit_facts(ent.pk, day.year)),
        merge_group=visit.merge_group or None,
        justification=justification_of(visit),
    )


def approval_verdict(visit: Visit, *, today: dt.date) -> Verdict:
    """What approving the plan will answer, told to the approver before they press the button:
    the same rule (`decide_approval`) over the same facts as `services.approve_plan`."""
    d = decide_approval(approval_facts(visit, today=today))
    return Verdict(d.allowed, list(d.reasons), d.refusal.code if d.refusal else "", d)


def verdict_for(
    visit: Visit, *, facts, today: dt.date, officer: Officer | None, city_items=None
) -> Verdict:
    """可以入企 or 不可入企 for one visit: `rules.entry.decide_entry`, the rule check-in calls,
    over the same facts, as if every officer of the team confirmed."""
    d = decide_entry(
        entry_facts(
            visit,
            today=today,
            caller=officer,
            confirmed=None,
            team=None if getattr(visit, "pc_team", None) is not None else list(visit.team.all()),
            facts=facts,
            city_items=city_items,
        )
    )
    shown = [r for r in d.reasons if r.code != "awaiting_confirmation"]
    return Verdict(d.allowed, shown, d.refusal.code if d.refusal else "", d)


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


# ------------------------------------------------ before planning: will it be refused? (issue 12)


def planning_forecast(
    enterprise: Enterprise,
    *,
    department,
    today: dt.date,
    trigger: str = Trigger.ANNUAL_PLAN.value,
    day: dt.date | None = None,
    kind: str = VisitKind.ON_SITE.value,
    pc: PreCheck | None = None,
) -> Verdict | None:
    """What approving an ordinary on-site plan for this enterprise would answer, told to the
    officer BEFORE they plan it (the pre-check and the plan form): `rules.entry.decide_approval`,
    the rule `services.approve_plan` calls, over the facts a new visit by `department` on `day`
    would have. The plan's own completeness is not known yet, nor its items (R5.3 refuses a
    district visit after the city's whatever the items), nor an exempt record (None: an exempt
    trigger is checked against its record when the form is sent). None without a department."""
    if department is None:
        return None
    day = day or today
    try:
        trig = Trigger(trigger)
    except ValueError:
        trig = Trigger.ANNUAL_PLAN
    if pc is not None and pc.year == day.year and pc.table is not None and pc.policy is not None:
        # The pre-check already read the year (no further query: its count stays fixed).
        table, policy = pc.table, pc.policy
        city_items = frozenset(pc.city_items)
        year_facts = tuple(pc.facts)
    else:
        table, policy = cap_setting(day.year)
        city = city_visits_this_year(enterprise.pk, day.year)
        city_items = frozenset(i.code for c in city for i in c.items.all())
        year_facts = tuple(visit_facts(enterprise.pk, day.year))
    facts = ApprovalFacts(
        visit_id="new",
        kind=VisitKind(kind) if kind in VisitKind._value2member_map_ else VisitKind.ON_SITE,
        trigger=trig,
        planned_date=day,
        today=today,
        plan_problems=(),
        supervising_level=Level(enterprise.supervising_level),
        inspecting_level=Level(department.bureau.level),
        district_partner=False,
        items=frozenset(),
        city_items_this_year=city_items,
        record=None,
        table=table,
        policy=policy,
        high_risk=enterprise.high_risk,
        grade=grade_of(enterprise, day),
        visits=year_facts,
    )
    d = decide_approval(facts)
    return Verdict(d.allowed, list(d.reasons), d.refusal.code if d.refusal else "", d)


def officer_day(officer: Officer, *, today: dt.date, days: int = 14) -> dict[str, list[Visit]]:
    """The officer's own visits: today's (and any still in progress), and the coming ones."""
    qs = (
        Visit.objects.filter(team__officer=officer)
        .exclude(status__in=["cancelled", "done"])
        .filter(planned_date__lte=today + dt.timedelta(days=days))
        .select_related("enterprise", "department", "plan")
        .order_by("planned_date", "id")
        .distinct()
    )
    today_list, coming = [], []
    for v in qs:
        if v.status == "in_progress" or v.planned_date <= today:
            today_list.append(v)  # an earlier day's visit not yet done stays on the list
        else:
            coming.append(v)
    return {"today": today_list, "coming": coming}
