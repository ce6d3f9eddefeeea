"""Reads for monitoring pages and the API."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fairinspect.registry.access import enterprises_visible_to
from fairinspect.rules import monitoring as rules

from .access import warnings_visible_to
from .models import EarlyWarning, MonitoringPoint, Reading

GRADE_ORDER = ["red", "orange", "yellow", "blue"]


def live_grades_by_enterprise(user) -> dict[int, rules.Grade | None]:
    """Each visible enterprise's monitoring grade: the roll-up of every point's open
    (undisposed) warnings, taking the most serious point."""
    per_point: dict[tuple[int, int], list[rules.Grade]] = defaultdict(list)
    for ent_id, point_id, grade in (
        warnings_visible_to(user)
        .exclude(stage=EarlyWarning.Stage.CLOSED)
        .values_list("enterprise_id", "point_id", "grade")
    ):
        per_point[(ent_id, point_id)].append(rules.Grade.from_code(grade))
    out: dict[int, rules.Grade | None] = {}
    for (ent_id, _pid), grades in per_point.items():
        g = rules.roll_up(grades)
        prev = out.get(ent_id)
        if g is not None and (prev is None or g > prev):
            out[ent_id] = g
    return out


def wall(user) -> list[dict]:
    """The monitoring wall: every visible enterprise with points, with its grade."""
    grades = live_grades_by_enterprise(user)
    ents = (
        enterprises_visible_to(user)
        .annotate(points=Count("monitoring_points", distinct=True))
        .filter(Q(points__gt=0) | Q(pk__in=list(grades)))
        .order_by("name")
    )
    rows = []
    for e in ents:
        g = grades.get(e.pk)
        rows.append(
            {"enterprise": e, "grade": g, "grade_code": g.code if g else "none", "points": e.points}
        )
    rows.sort(key=lambda r: (-(r["grade"] or 0), r["enterprise"].name))
    return rows


def warning_queue(user, *, stage: str | None = None) -> QuerySet[EarlyWarning]:
    qs = warnings_visible_to(user).select_related("enterprise", "point")
    qs = qs.filter(stage=stage) if stage else qs.exclude(stage=EarlyWarning.Stage.CLOSED)
    return qs.order_by("report_by", "id")


def recent_readings(
    point: MonitoringPoint, *, since: dt.datetime | None = None, limit: int = 500
) -> list[Reading]:
    return list(reversed(recent_readings_query(point, since=since)[:limit]))


def recent_readings_query(
    point: MonitoringPoint, *, since: dt.datetime | None = None, now: dt.datetime | None = None
) -> QuerySet[Reading]:
    """A point's readings, newest first. Bounded above by now + 5 minutes (ingestion refuses
    later readings), so on PostgreSQL, where readings are partitioned by month, a query with
    `since` reads only the months from `since` to now (tests/monitoring/test_partitions.py)."""
    until = (now or timezone.now()) + dt.timedelta(minutes=5)
    qs = Reading.objects.filter(point=point, at__lte=until)
    if since is not None:
        qs = qs.filter(at__gte=since)
    return qs.order_by("-at")
