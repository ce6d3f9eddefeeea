"""What planning reads from, and asks of, the visits app (issue 3), in one place.

visits owns its tables: planning reads them here (read-only queries) and creates or cancels
visits only through visits' own services (``create_visit``, ``create_visits``, ``cancel_visit``). If those
services are not importable (an older checkout), nothing is created and the draw says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from fairinspect.rules.caps import (
    DEFAULT_2025,
    CapPolicy,
    CapTable,
    Grade,
    Justification,
    JustificationKind,
    Trigger,
    VisitFact,
    VisitKind,
    VisitStatus,
)
from fairinspect.rules.checkin import effective_grade as _effective_grade

# visits' statuses as the cap rule reads them (a draft or submitted plan holds nothing).
RULE_STATUS = {
    "draft": VisitStatus.PLANNED,
    "plan_submitted": VisitStatus.PLANNED,
    "approved": VisitStatus.APPROVED,
    "in_progress": VisitStatus.IN_PROGRESS,
    "done": VisitStatus.DONE,
    "cancelled": VisitStatus.CANCELLED,
}
CAP_FIELDS = tuple(
    f"{hr}_{g}"
    for hr in ("high_risk", "non_high_risk")
    for g in ("grade_1", "grade_2", "grade_3", "ungraded")
)


def _visit_model():
    from fairinspect.visits.models import Visit

    return Visit


def _year_items(year: int) -> QuerySet:
    """The item rows (VisitItem) of the visits planned in `year`: on PostgreSQL bounded by
    their own partition key too, so one year's partition of the items is read instead of all
    seventeen (visits.queries.within_visit_dates)."""
    from fairinspect.visits.models import VisitItem
    from fairinspect.visits.queries import within_visit_dates

    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    # Through the visit too, on PostgreSQL as well: its partitions are pruned for the join.
    qs = VisitItem.objects.filter(visit__planned_date__range=(start, end))
    return within_visit_dates(qs, start, end, bounded=True)


def cap_table(year: int) -> CapTable:
    """The year's cap table (visits' CapTableSetting), else the 2025 table."""
    from fairinspect.visits.models import CapTableSetting

    row = CapTableSetting.objects.filter(year=year).first()
    if row is None:
        return DEFAULT_2025
    return CapTable(year=row.year, source=row.source, **{f: getattr(row, f) for f in CAP_FIELDS})


def cap_policy(year: int) -> CapPolicy:
    from fairinspect.visits.models import CapTableSetting

    row = CapTableSetting.objects.filter(year=year).first()
    return CapPolicy(exempt_consumes_cap=bool(row and row.exempt_consumes_cap))


def effective_grade(
    standardization_grade: int | None,
    valid_to: dt.date | None,
    on: dt.date,
    valid_from: dt.date | None = None,
) -> Grade:
    """The grade that decides the cap: the one rule, rules.checkin.effective_grade (a lapsed
    grade or one not yet in force counts as none, 未定级)."""
    return _effective_grade(standardization_grade, valid_to, on, valid_from)


def _year_visits(enterprise_ids: Iterable[int] | QuerySet | None, year: int):
    qs = _visit_model().objects.filter(planned_date__year=year).exclude(status="cancelled")
    if enterprise_ids is not None:
        # A queryset stays a subquery (a draw's territory), never a list in Python.
        qs = qs.filter(enterprise_id__in=enterprise_ids)
    return qs


def _fact(row: dict) -> VisitFact:
    from django.utils import timezone

    at = row["checked_in_at"]
    justification = None
    if row["justification_kind"] and row["justification_date"]:
        justification = Justification(
            JustificationKind(row["justification_kind"]),
            row["justification_reference"] or "",
            row["justification_date"],
            row["justification_summary"] or "",
        )
    return VisitFact(
        visit_id=str(row["pk"]),
        kind=VisitKind(row["kind"]),
        trigger=Trigger(row["trigger"]),
        date=timezone.localdate(at) if at else row["planned_date"],
        status=RULE_STATUS[row["status"]],
        merge_group=row["merge_group"] or None,
        justification=justification,
    )


def visit_facts(
    enterprise_ids: Iterable[int] | QuerySet | None, year: int
) -> dict[int, list[VisitFact]]:
    """enterprise pk → its visits of the year, as cap facts; None asks for every enterprise
    that has one (the draw over a whole territory). One query."""
    rows = _year_visits(enterprise_ids, year).values(
        "pk",
        "enterprise_id",
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
    out: dict[int, list[VisitFact]] = {}
    for row in rows:
        out.setdefault(row["enterprise_id"], []).append(_fact(row))
    return out


def visited_items(
    enterprise_ids: Iterable[int] | QuerySet | None,
    year: int,
    *,
    items: Iterable[str] | None = None,
) -> dict[int, set[str]]:
    """enterprise pk → item codes already inspected (or planned) this year by any unit (R5.4);
    ``items`` reads only those codes (a draw's: only they can repeat)."""
    qs = _year_items(year).filter(visit__kind="on_site").exclude(visit__status="cancelled")
    if items is not None:
        qs = qs.filter(inspectionitem__code__in=list(items))
    if enterprise_ids is not None:
        qs = qs.filter(visit__enterprise_id__in=enterprise_ids)
    out: dict[int, set[str]] = {}
    for ent, code in qs.values_list("visit__enterprise_id", "inspectionitem__code"):
        out.setdefault(ent, set()).add(code)
    return out


def last_inspectors(items: Iterable[str], enterprise_ids=None) -> dict[int, set[str]]:
    """officer pk → credit codes of enterprises it inspected last time for these items (回避);
    `enterprise_ids` (a queryset: the draw's territory) bounds the history read."""
    from fairinspect.visits.models import VisitOfficer

    visits = VisitOfficer.objects.filter(
        visit__items__code__in=list(items), visit__status__in=["in_progress", "done"]
    )
    if enterprise_ids is not None:
        visits = visits.filter(visit__enterprise_id__in=enterprise_ids)
    rows = visits.values_list(
        "visit__enterprise__credit_code", "visit__planned_date", "visit_id", "officer_id"
    ).distinct()
    latest: dict[str, tuple[dt.date, int]] = {}
    team: dict[int, set[int]] = {}
    for code, day, visit_id, officer_id in rows:
        if code not in latest or (day, visit_id) > latest[code]:
            latest[code] = (day, visit_id)
        team.setdefault(visit_id, set()).add(officer_id)
    out: dict[int, set[str]] = {}
    for code, (_day, visit_id) in latest.items():
        for officer_id in team[visit_id]:
            out.setdefault(officer_id, set()).add(code)
    return out


def counted_visits_by_class(enterprises, year: int) -> dict[tuple[bool, Grade], int]:
    """(high_risk, grade) → visits of ``year`` to these enterprises counted as the cap counts
    them (rules.caps.quota: checked in or done, on site, a merged visit once, exempt visits
    apart under the year's policy). The class is the enterprise's at the end of that year.
    What the −10% rule of R3.5 compares this year's plan with."""
    from fairinspect.rules.caps import quota

    rows = list(
        enterprises.order_by().values_list(
            "pk", "high_risk", "standardization_grade", "grade_valid_to", "grade_valid_from"
        )
    )
    facts = visit_facts([r[0] for r in rows], year)
    table, policy = cap_table(year), cap_policy(year)
    end = dt.date(year, 12, 31)
    out: dict[tuple[bool, Grade], int] = {}
    for pk, high_risk, grade, valid_to, valid_from in rows:
        own = facts.get(pk)
        if not own:
            continue
        cls = (high_risk, effective_grade(grade, valid_to, end, valid_from))
        q = quota(
            table=table,
            policy=policy,
            high_risk=high_risk,
            grade=cls[1],
            year=year,
            visits=own,
            today=end,
        )
        out[cls] = out.get(cls, 0) + q.used
    return out


def last_year_visits(department_id: int, year: int) -> dict[tuple[bool, Grade], int]:
    """(high_risk, grade) → on-site visits the bureau carried out in ``year`` (R3.5); a merged
    visit (same merge group, same day) counts once."""
    rows = (
        _visit_model()
        .objects.filter(
            Q(department_id=department_id) | Q(department__parent_id=department_id),
            planned_date__year=year,
            kind="on_site",
            status__in=["in_progress", "done"],
        )
        .values_list(
            "pk",
            "merge_group",
            "planned_date",
            "enterprise__high_risk",
            "enterprise__standardization_grade",
            "enterprise__grade_valid_to",
            "enterprise__grade_valid_from",
        )
    )
    seen: set = set()
    out: dict[tuple[bool, Grade], int] = {}
    end = dt.date(year, 12, 31)
    for pk, group, day, high_risk, grade, valid_to, valid_from in rows:
        key = (group, day) if group else pk
        if key in seen:
            continue
        seen.add(key)
        cls = (high_risk, effective_grade(grade, valid_to, end, valid_from))
        out[cls] = out.get(cls, 0) + 1
    return out


def _visit_services():
    try:
        from fairinspect.visits import services
    except ImportError:
        return None
    return services if hasattr(services, "create_visits") else None


def create_draw_visits(
    *, draw, actor, today: dt.date | None = None, pairings: list[dict] | None = None
) -> list[int]:
    """Create the visits of a published draw (trigger random_draw) with visits' own service,
    as one batch (`create_visits`: checked once for what the visits share, all or none);
    returns their ids in the order of the pairings. Unpaired enterprises get none: the
    office staffs them by hand."""
    from django.utils import timezone

    from fairinspect.registry.models import Enterprise

    services = _visit_services()
    if services is None:
        return []
    task = draw.task
    today = today or timezone.localdate()
    officers = task.pools.only("facts").get(kind="officers").facts
    if pairings is None:
        pairings = draw.pairings  # its rows (DrawPairing), in drawn order
    enterprises = {
        e.credit_code: e
        for e in Enterprise.objects.filter(credit_code__in=[p["enterprise"] for p in pairings])
    }
    visits = [
        services.NewVisit(
            enterprise=enterprises[pairing["enterprise"]],
            officer_ids=[officers[o]["officer"] for o in pairing["officers"]],
        )
        for pairing in pairings
        if pairing["officers"]
    ]
    created = services.create_visits(
        actor=actor,
        visits=visits,
        kind="on_site",
        trigger=Trigger.RANDOM_DRAW.value,
        planned_date=max(task.window_start, today),
        item_codes=task.items,
        department=task.department,
        today=today,
    )
    return [v.pk for v in created]


def cancel_draw_visits(*, draw, actor, reason: str) -> int:
    """Cancel the not-yet-started visits of a superseded draw through visits' service."""
    services = _visit_services()
    if services is None or not draw.visit_ids:
        return 0
    n = 0
    for visit in _visit_model().objects.filter(
        pk__in=draw.visit_ids, status__in=["draft", "plan_submitted", "approved"]
    ):
        services.cancel_visit(actor=actor, visit=visit, reason=f"重新抽取：{reason}")
        n += 1
    return n


def planned_visits(visible, *, since: dt.date):
    """On-site visits not yet started from ``since`` on, of the visits ``visible`` allows."""
    return (
        visible.filter(
            kind="on_site",
            status__in=["draft", "plan_submitted", "approved"],
            planned_date__gte=since,
        )
        .select_related("enterprise", "department")
        .prefetch_related("items")
        .order_by("enterprise_id", "planned_date", "pk")
    )


def city_inspected_items(enterprise_id: int, year: int) -> set[str]:
    """Items the city bureau inspected at the enterprise this year (checked in or done)."""
    return set(
        _year_items(year)
        .filter(
            visit__enterprise_id=enterprise_id,
            visit__inspecting_level="city",
            visit__status__in=["in_progress", "done"],
        )
        .values_list("inspectionitem__code", flat=True)
    )


def same_item_visits(enterprise_id: int, year: int, items: Iterable[str], exclude=()):
    """Other visits of the year (not cancelled) that cover any of the items (R5.4)."""
    covering = _year_items(year).filter(
        visit__enterprise_id=enterprise_id, inspectionitem__code__in=list(items)
    )
    return (
        _visit_model()
        .objects.filter(
            enterprise_id=enterprise_id,
            planned_date__year=year,
            pk__in=covering.values("visit_id"),
        )
        .exclude(status="cancelled")
        .exclude(pk__in=list(exclude))
        .select_related("department")
        .prefetch_related("items")
    )


def merge_visits(*, visit_ids: list[int], merge_group: str, planned_date: dt.date) -> int:
    """Put not-yet-started visits into one merge group on one day (综合查一次).

    visits has no service for this; the update is owned here, touches only ``merge_group``
    and ``planned_date`` of visits that have not started, and returns how many moved (the
    caller refuses unless all did).
    """
    return (
        _visit_model()
        .objects.filter(pk__in=visit_ids, status__in=["draft", "plan_submitted", "approved"])
        .update(merge_group=merge_group, planned_date=planned_date)
    )


def create_visit(**kwargs):
    services = _visit_services()
    if services is None:
        from fairinspect.core.errors import Conflict

        raise Conflict("visits_unavailable", "检查模块尚不可用，无法生成检查。")
    return services.create_visit(**kwargs)


def risk_draw_weights(enterprises, *, today: dt.date) -> dict[int, int]:
    """{enterprise pk: draw weight} from the monitoring app's risk ranking (issue 11 item 3)."""
    from fairinspect.monitoring.ranking import draw_weights

    return draw_weights(enterprises, today=today)
