"""Running the breach rules over the records (R8.4): on demand and nightly.

Each detector selects only the rows that might trip its rule with one set-based query
(GROUP BY / HAVING, EXISTS, indexed filters), streams them with a server-side cursor or
`.iterator()`, turns each into the rule's frozen facts and lets the pure rule in
`rules/breaches.py` decide. No detector loops over every visit in Python: at 1,000,000
visits the candidates are the few thousand that look wrong (bench/supervision_breaches.py).

`run` upserts the breaches keyed by (rule, key): running twice finds the same rows and
changes nothing but `last_seen_on`; a breach already assigned, explained or closed keeps its
handling. Breaches are never deleted by a run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from itertools import groupby
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Abs, ExtractHour
from django.utils import timezone

from fairinspect.cases.models import Case, Disclosure
from fairinspect.rules import breaches as br
from fairinspect.rules import complaints as crule
from fairinspect.rules.caps import EXEMPT_TRIGGERS, Grade, Trigger
from fairinspect.visits.models import CheckIn, RectificationOrder, Visit
from fairinspect.visits.queries import cap_setting

from .models import Breach, Complaint, DetectionRun

Hit = tuple[br.Found, int | None, int | None]  # the breach, its enterprise, its unit
TH = br.DEFAULT_THRESHOLDS
CHUNK = 2000
EXEMPT = tuple(sorted(t.value for t in EXEMPT_TRIGGERS))
GRADE_LABEL = {1: "标准化一级", 2: "标准化二级", 3: "标准化三级", None: "未定级"}


def _bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = ZoneInfo(settings.TIME_ZONE)
    return (dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz))


def _local_date(col: str) -> str:
    """SQL for the bureau-local date of a timestamp column."""
    if connection.vendor == "postgresql":
        return f"(({col}) AT TIME ZONE '{settings.TIME_ZONE}')::date"
    offset = timezone.now().astimezone(ZoneInfo(settings.TIME_ZONE)).utcoffset()
    hours = int(offset.total_seconds() // 3600) if offset else 0
    return f"date({col}, '{hours:+d} hours')"


def _stream(sql: str, params) -> Iterator[tuple]:
    # A named (server-side) cursor on PostgreSQL keeps memory flat on large results.
    with transaction.atomic(), connection.chunked_cursor() as cur:
        cur.execute(sql, params)
        while rows := cur.fetchmany(CHUNK):
            yield from rows


def _date(v) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


# ------------------------------------------------------------------ visits


def over_cap(year: int) -> Iterator[Hit]:
    table, policy = cap_setting(year)
    lo, hi = _bounds(year)
    exempt_filter = (
        ""
        if policy.exempt_consumes_cap
        else f"AND v.trigger NOT IN ({','.join(['%s'] * len(EXEMPT))})"
    )
    exempt_params = [] if policy.exempt_consumes_cap else list(EXEMPT)
    caps = []
    for hr in (True, False):
        for g, grade in ((1, Grade.ONE), (2, Grade.TWO), (3, Grade.THREE)):
            caps.append((hr, g, table.cap(hr, grade)))
    case = " ".join(
        f"WHEN e.high_risk = {'TRUE' if hr else 'FALSE'} AND e.standardization_grade = {g} "
        f"AND (e.grade_valid_to IS NULL OR e.grade_valid_to >= %s) THEN {cap}"
        for hr, g, cap in caps
    )
    case = (
        f"CASE {case} WHEN e.high_risk = TRUE THEN {table.cap(True, Grade.NONE)} "
        f"ELSE {table.cap(False, Grade.NONE)} END"
    )
    year_end = dt.date(year, 12, 31)
    trip = "CASE WHEN v.merge_group IS NULL THEN CAST(v.id AS TEXT) ELSE v.merge_group END"
    sql = f"""
        SELECT e.id, e.name, e.high_risk, e.standardization_grade, e.grade_valid_to,
               COUNT(DISTINCT {trip}) AS n, {case} AS cap
        FROM visits_visit v JOIN registry_enterprise e ON e.id = v.enterprise_id
        WHERE v.kind = 'on_site' AND v.checked_in_at >= %s AND v.checked_in_at < %s
          AND v.status IN ('in_progress', 'done') {exempt_filter}
        GROUP BY e.id, e.name, e.high_risk, e.standardization_grade, e.grade_valid_to
        HAVING COUNT(DISTINCT {trip}) > {case}
    """
    where = (
        f"v.kind = 'on_site' AND v.checked_in_at >= %s AND v.checked_in_at < %s "
        f"AND v.status IN ('in_progress', 'done') {exempt_filter}"
    )
    # One more pass over the candidates' counted visits, in check-in order (one query, not
    # one per enterprise): the evidence is the visits beyond the cap.
    full = f"""
        WITH cand AS ({sql})
        SELECT cand.id, cand.name, cand.high_risk, cand.standardization_grade,
               cand.grade_valid_to, cand.cap, v.id, v.merge_group, v.department_id
        FROM cand JOIN visits_visit v ON v.enterprise_id = cand.id
        WHERE {where}
        ORDER BY cand.id, v.checked_in_at, v.id
    """
    params = [year_end] * len(caps) + [lo, hi, *exempt_params] + [year_end] * len(caps)
    params += [lo, hi, *exempt_params]
    for eid, grouped in groupby(_stream(full, params), key=lambda r: r[0]):
        rows = list(grouped)
        _e, name, high_risk, grade, valid_to, cap = rows[0][:6]
        graded = grade if grade and (valid_to is None or _date(valid_to) >= year_end) else None
        ids, seen, dept = [], set(), None
        for *_x, vid, group, dep in rows:
            if group and group in seen:
                continue
            seen.add(group or vid)
            ids.append(vid)
            dept = dep
        found = br.over_cap(
            br.CapCount(
                eid,
                name,
                year,
                int(cap),
                f"{'高危行业' if high_risk else '非高危行业'}·{GRADE_LABEL.get(graded, '未定级')}",
                tuple(ids),
            )
        )
        if found:
            yield found, eid, dept


def teams(year: int) -> Iterator[Hit]:
    """Too few certified officers, lapsed certificates on the team (one query of candidates,
    one of their members), experts alone."""
    lo, hi = _bounds(year)
    day = _local_date("v.checked_in_at")
    valid = (
        f"CASE WHEN c.id IS NOT NULL AND c.status = 'valid' AND c.valid_from <= {day} "
        f"AND c.valid_to >= {day} THEN 1 ELSE 0 END"
    )
    base = """
        FROM visits_visit v
        JOIN visits_visitofficer vo ON vo.visit_id = v.id AND vo.confirmed_at IS NOT NULL
        JOIN registry_officer o ON o.id = vo.officer_id
        LEFT JOIN registry_certificate c ON c.number = vo.certificate_number
        WHERE v.kind = 'on_site' AND v.checked_in_at >= %s AND v.checked_in_at < %s
    """
    sql = f"""
        SELECT v.id, v.enterprise_id, v.department_id, {day}, o.id, o.name,
               vo.certificate_number, {valid}
        {base}
          AND v.id IN (SELECT v.id {base} GROUP BY v.id
                       HAVING SUM({valid}) < 2 OR SUM(1 - {valid}) > 0)
        ORDER BY v.id, o.id
    """
    for vid, grouped in groupby(_stream(sql, [lo, hi, lo, hi]), key=lambda r: r[0]):
        rows = list(grouped)
        _v, eid, dept, d, *_ = rows[0]
        team = br.Team(
            vid,
            _date(d),
            tuple(br.Member(r[4], r[5], r[6] or "", bool(r[7])) for r in rows),
            experts=0,
        )
        for rule in (br.too_few_certified, br.lapsed_certificate):
            if found := rule(team):
                yield found, eid, dept
    # Visits without any confirmed officer: too few certified, and experts alone if any came.
    sql = f"""
        SELECT v.id, v.enterprise_id, v.department_id, {day},
               (SELECT COUNT(*) FROM visits_visit_experts ve WHERE ve.visit_id = v.id)
        FROM visits_visit v
        WHERE v.kind = 'on_site' AND v.checked_in_at >= %s AND v.checked_in_at < %s
          AND NOT EXISTS (SELECT 1 FROM visits_visitofficer vo
                          WHERE vo.visit_id = v.id AND vo.confirmed_at IS NOT NULL)
    """
    for vid, eid, dept, d, experts in _stream(sql, [lo, hi]):
        team = br.Team(vid, _date(d), (), experts=int(experts))
        for rule in (br.too_few_certified, br.experts_alone):
            if found := rule(team):
                yield found, eid, dept


def _year_visits(year: int):
    lo, hi = _bounds(year)
    return Visit.objects.filter(kind="on_site", checked_in_at__gte=lo, checked_in_at__lt=hi)


def plans(year: int) -> Iterator[Hit]:
    qs = (
        _year_visits(year)
        .filter(
            Q(plan__isnull=True)
            | Q(plan__approved_at__isnull=True)
            | Q(plan__approved_at__gt=F("checked_in_at"))
        )
        .values_list("id", "enterprise_id", "department_id", "checked_in_at", "plan__approved_at")
    )
    for vid, eid, dept, at, approved in qs.iterator(chunk_size=CHUNK):
        if found := br.no_approved_plan(br.PlanFact(vid, at, approved)):
            yield found, eid, dept


def recordings(year: int) -> Iterator[Hit]:
    qs = (
        _year_visits(year)
        .filter(status="done", missing_recording=True)
        .values_list("id", "enterprise_id", "department_id", "planned_date")
    )
    for vid, eid, dept, day in qs.iterator(chunk_size=CHUNK):
        if found := br.no_recording(br.RecordingFact(vid, day, True, True, True)):
            yield found, eid, dept


def same_items(year: int) -> Iterator[Hit]:
    lo, hi = _bounds(year)
    where = (
        "v.kind = 'on_site' AND v.checked_in_at >= %s AND v.checked_in_at < %s "
        "AND v.trigger <> 'follow_up'"
    )
    sql = f"""
        WITH cand AS (
            SELECT v.enterprise_id AS eid, vi.inspectionitem_id AS iid
            FROM visits_visit v JOIN visits_visit_items vi ON vi.visit_id = v.id
            WHERE {where}
            GROUP BY v.enterprise_id, vi.inspectionitem_id
            HAVING COUNT(DISTINCT v.department_id) > 1)
        SELECT v.enterprise_id, e.name, i.code, v.id, v.department_id, d.name, v.planned_date,
               v.trigger, v.merge_group
        FROM cand JOIN visits_visit v ON v.enterprise_id = cand.eid
        JOIN visits_visit_items vi ON vi.visit_id = v.id AND vi.inspectionitem_id = cand.iid
        JOIN registry_enterprise e ON e.id = v.enterprise_id
        JOIN catalog_inspectionitem i ON i.id = cand.iid
        JOIN registry_department d ON d.id = v.department_id
        WHERE {where}
        ORDER BY v.enterprise_id, i.code, v.id
    """
    for (eid, name, code), grouped in groupby(
        _stream(sql, [lo, hi, lo, hi]), key=lambda r: (r[0], r[1], r[2])
    ):
        rows = list(grouped)
        f = br.ItemRepeat(
            eid,
            name,
            year,
            code,
            tuple(br.ItemVisit(r[3], r[4], r[5], _date(r[6]), Trigger(r[7]), r[8]) for r in rows),
        )
        if found := br.same_item_multi_unit(f):
            yield found, eid, rows[-1][4]


def district_repeats(year: int) -> Iterator[Hit]:
    lo, hi = _bounds(year)
    sql = """
        SELECT v.id, v.enterprise_id, v.department_id, v.planned_date, v.trigger, c.id, i.code,
               'd' AS side
        FROM visits_visit v
        JOIN visits_visit c ON c.enterprise_id = v.enterprise_id AND c.inspecting_level = 'city'
             AND c.kind = 'on_site' AND c.checked_in_at >= %s AND c.checked_in_at < v.checked_in_at
        JOIN visits_visit_items vi ON vi.visit_id = c.id
        JOIN catalog_inspectionitem i ON i.id = vi.inspectionitem_id
        WHERE v.inspecting_level = 'district' AND v.kind = 'on_site'
          AND v.checked_in_at >= %s AND v.checked_in_at < %s AND v.trigger <> 'follow_up'
        UNION ALL
        SELECT v.id, v.enterprise_id, v.department_id, v.planned_date, v.trigger, NULL, i.code,
               'v' AS side
        FROM visits_visit v
        JOIN visits_visit_items vi ON vi.visit_id = v.id
        JOIN catalog_inspectionitem i ON i.id = vi.inspectionitem_id
        WHERE v.inspecting_level = 'district' AND v.kind = 'on_site'
          AND v.checked_in_at >= %s AND v.checked_in_at < %s AND v.trigger <> 'follow_up'
          AND EXISTS (SELECT 1 FROM visits_visit c WHERE c.enterprise_id = v.enterprise_id
                      AND c.inspecting_level = 'city' AND c.kind = 'on_site'
                      AND c.checked_in_at >= %s AND c.checked_in_at < v.checked_in_at)
        ORDER BY 1
    """
    for vid, grouped in groupby(_stream(sql, [lo, lo, hi, lo, hi, lo]), key=lambda r: r[0]):
        rows = list(grouped)
        _v, eid, dept, day, trig = rows[0][:5]
        city: dict[int, set[str]] = {}
        own: set[str] = set()
        for r in rows:
            if r[7] == "d":
                city.setdefault(r[5], set()).add(r[6])
            else:
                own.add(r[6])
        f = br.DistrictVisit(
            vid,
            _date(day),
            Trigger(trig),
            frozenset(own),
            tuple((c, frozenset(items)) for c, items in sorted(city.items())),
        )
        if found := br.district_after_city(f):
            yield found, eid, dept


def presence(year: int) -> Iterator[Hit]:
    lo, hi = _bounds(year)
    dlat, dlng = br.prefilter_degrees(TH)
    qs = (
        CheckIn.objects.filter(
            confirmed_at__gte=lo,
            confirmed_at__lt=hi,
            lat__isnull=False,
            lng__isnull=False,
            visit__enterprise__location__isnull=False,
        )
        .annotate(
            dlat=Abs(F("lat") - F("visit__enterprise__location__lat")),
            dlng=Abs(F("lng") - F("visit__enterprise__location__lng")),
        )
        .filter(Q(dlat__gt=Decimal(str(round(dlat, 6)))) | Q(dlng__gt=Decimal(str(round(dlng, 6)))))
        .values_list(
            "id",
            "visit_id",
            "lat",
            "lng",
            "visit__enterprise__location__lat",
            "visit__enterprise__location__lng",
            "visit__enterprise_id",
            "visit__department_id",
        )
    )
    for cid, vid, lat, lng, elat, elng, eid, dept in qs.iterator(chunk_size=CHUNK):
        assert lat is not None and lng is not None  # filtered lat/lng__isnull=False
        if found := br.checkin_far(
            br.CheckInPlace(cid, vid, float(lat), float(lng), float(elat), float(elng)), th=TH
        ):
            yield found, eid, dept
    tz = ZoneInfo(settings.TIME_ZONE)
    qs = (
        _year_visits(year)
        .annotate(h=ExtractHour("checked_in_at", tzinfo=tz))
        .filter(Q(h__lt=TH.day_starts_hour) | Q(h__gte=TH.day_ends_hour))
        .values_list("id", "checked_in_at", "enterprise_id", "department_id")
    )
    for vid, at, eid, dept in qs.iterator(chunk_size=CHUNK):
        if found := br.checkin_off_hours(br.CheckInTime(vid, at.astimezone(tz)), th=TH):
            yield found, eid, dept


# ------------------------------------------------------------------ deadlines and fines


def deadlines(today: dt.date) -> Iterator[Hit]:
    late = today - dt.timedelta(days=TH.order_grace_days)
    for oid, number, deadline, status, eid, dept in (
        RectificationOrder.objects.filter(status="issued", deadline__lt=late)
        .values_list("id", "number", "deadline", "status", "enterprise_id", "visit__department_id")
        .iterator(chunk_size=CHUNK)
    ):
        if found := br.overdue_order(
            br.OrderFact(oid, number, deadline, status != "issued"), today=today, th=TH
        ):
            yield found, eid, dept
    from fairinspect.cases.queries import open_statuses

    for cid, number, due, kind, eid, dept in (
        Case.objects.filter(next_due__lt=today, status__in=open_statuses())
        .values_list(
            "id",
            "number",
            "next_due",
            "next_due_kind",
            "enterprise_id",
            "created_by__department_id",
        )
        .iterator(chunk_size=CHUNK)
    ):
        assert due is not None  # next_due__lt excludes NULL
        if found := br.overdue_case(br.DueFact(cid, number or f"#{cid}", due, kind), today=today):
            yield found, eid, dept
    for cid, number, due, step, eid, dept in (
        Complaint.objects.filter(next_due__lt=today, state__in=[s.value for s in crule.OPEN_STATES])
        .values_list(
            "id", "number", "next_due", "next_due_step", "enterprise_id", "handling_unit_id"
        )
        .iterator(chunk_size=CHUNK)
    ):
        assert due is not None  # next_due__lt excludes NULL
        if found := br.overdue_complaint(
            br.DueFact(cid, number, due, crule.STEP_LABELS.get(step, step)), today=today
        ):
            yield found, eid, dept
    for did, case_id, number, due, published, eid, dept in (
        Disclosure.objects.filter(
            Q(published_on__isnull=True, due_on__lt=today) | Q(published_on__gt=F("due_on"))
        )
        .values_list(
            "id",
            "case_id",
            "decision_number",
            "due_on",
            "published_on",
            "case__enterprise_id",
            "case__created_by__department_id",
        )
        .iterator(chunk_size=CHUNK)
    ):
        if found := br.overdue_disclosure(
            br.DisclosureFact(did, case_id, number, due, published), today=today
        ):
            yield found, eid, dept


def fines(year: int) -> Iterator[Hit]:
    decided = Case.objects.filter(fine_amount__isnull=False, decided_on__year=year)
    for cid, number, amount, lo, hi, out, reason, reviewed, eid, dept in (
        decided.filter(fine_min__isnull=False, fine_max__isnull=False)
        .filter(Q(fine_amount__lt=F("fine_min")) | Q(fine_amount__gt=F("fine_max")))
        .values_list(
            "id",
            "number",
            "fine_amount",
            "fine_min",
            "fine_max",
            "outside_range",
            "outside_range_reason",
            "reviewed_on",
            "enterprise_id",
            "created_by__department_id",
        )
        .iterator(chunk_size=CHUNK)
    ):
        assert amount is not None  # filtered fine_amount__isnull=False
        f = br.CaseFine(
            cid, number or f"#{cid}", amount, lo, hi, bool(out and reason), reviewed is not None
        )
        if found := br.fine_outside_range(f):
            yield found, eid, dept
    ratio = str(TH.fine_spread_ratio)
    sql = f"""
        SELECT c.violation_code, c.violation_title, c.grade, c.party, c.id, c.number,
               c.fine_amount, c.enterprise_id
        FROM cases_case c JOIN (
            SELECT violation_code, grade, party FROM cases_case
            WHERE fine_amount > 0 AND decided_on >= %s AND decided_on <= %s AND grade <> ''
            GROUP BY violation_code, grade, party
            HAVING COUNT(*) >= %s AND MAX(fine_amount) > MIN(fine_amount) * {ratio}
        ) g ON g.violation_code = c.violation_code AND g.grade = c.grade AND g.party = c.party
        WHERE c.fine_amount > 0 AND c.decided_on >= %s AND c.decided_on <= %s
        ORDER BY c.violation_code, c.grade, c.party, c.id
    """
    y0, y1 = dt.date(year, 1, 1), dt.date(year, 12, 31)
    for (code, title, grade, party), grouped in groupby(
        _stream(sql, [y0, y1, TH.fine_spread_min_cases, y0, y1]),
        key=lambda r: (r[0], r[1], r[2], r[3]),
    ):
        rows = list(grouped)
        similar = br.SimilarCases(
            code,
            title,
            grade,
            party,
            year,
            tuple((r[4], r[5] or f"#{r[4]}", Decimal(str(r[6]))) for r in rows),
        )
        if found := br.similar_cases_disparity(similar, th=TH):
            yield found, None, None


DETECTORS = (over_cap, teams, plans, recordings, same_items, district_repeats, presence, fines)


def detect(*, today: dt.date, year: int | None = None) -> Iterator[Hit]:
    year = year or today.year
    for detector in DETECTORS:
        yield from detector(year)
    yield from deadlines(today)


def run(*, today: dt.date | None = None, year: int | None = None, by: str = "") -> DetectionRun:
    """Detect and upsert every breach; idempotent."""
    today = today or timezone.localdate()
    year = year or today.year
    started = timezone.now()
    counts = {r.value: 0 for r in br.Rule}
    batch: list[Breach] = []

    def flush():
        Breach.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["rule", "key"],
            update_fields=["message", "evidence", "last_seen_on"],
        )
        batch.clear()

    for found, eid, dept in detect(today=today, year=year):
        counts[found.rule.value] += 1
        batch.append(
            Breach(
                rule=found.rule.value,
                key=found.key,
                enterprise_id=eid,
                department_id=dept,
                year=year,
                message=found.message,
                evidence=[{"type": e.type, "id": e.id, "label": e.label} for e in found.evidence],
                found_on=today,
                last_seen_on=today,
            )
        )
        if len(batch) >= 1000:
            flush()
    if batch:
        flush()
    return DetectionRun.objects.create(
        started_at=started,
        finished_at=timezone.now(),
        today=today,
        counts=counts,
        triggered_by=by[:100],
    )
