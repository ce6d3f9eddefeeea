"""The cap state of a whole territory in set-based SQL (issue 13 item 3).

``rules.caps.decide_cap`` decides one enterprise from its visits; a draw over a city asks
it of every enterprise. Here the same decision is one query: the year's counted visits of
the territory grouped into trips (GROUP BY enterprise, merge group and day), each trip's
exemption, the trips used per enterprise, joined with the cap of its (high-risk, grade)
cell. The rule's parameters come from ``rules.caps.cap_count_parameters`` (pure); the SQL
only applies them, and tests/planning/test_capstate.py holds the two paths equal enterprise
by enterprise on SQLite and PostgreSQL. Rows are streamed in canonical id order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db import connection
from django.db.models import Case, F, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, TruncDate

from fairinspect.rules.caps import CapCountParameters

from . import bridge, queries


class _StripBlank(Func):
    """The text without the rule's blank characters at either end."""

    function = "BTRIM"
    output_field = Value("").output_field

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="TRIM", **extra_context)


def counted_visits(territory_ids: QuerySet, p: CapCountParameters) -> QuerySet:
    """One row per counted visit of the year: enterprise, id, merge group, day, exempt."""
    statuses = [db for db, rule in bridge.RULE_STATUS.items() if rule in p.counted_statuses]
    exempt = Q()
    for trigger, kind in p.required_justification.items():
        exempt |= Q(trigger=trigger.value, justification_kind=kind.value)
    exempt &= Q(justification_date__isnull=False, justification_date__lte=p.today)
    exempt &= Q(justification_date__lte=F("fi_day"))
    exempt &= ~Q(fi_ref="") & ~Q(fi_summary="")
    start, end = dt.date(p.year, 1, 1), dt.date(p.year, 12, 31)
    return (
        bridge._visit_model()
        .objects.filter(
            enterprise_id__in=territory_ids,
            planned_date__year=p.year,
            kind="on_site",
            status__in=statuses,
        )
        .annotate(
            fi_day=Coalesce(TruncDate("checked_in_at"), F("planned_date")),
            fi_ref=_StripBlank(
                Coalesce("justification_reference", Value("")), Value(p.blank_chars)
            ),
            fi_summary=_StripBlank(
                Coalesce("justification_summary", Value("")), Value(p.blank_chars)
            ),
        )
        .filter(fi_day__gte=start, fi_day__lte=end)
        .annotate(
            fi_exempt=Case(
                When(exempt, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by()
        .values("enterprise_id", "id", "merge_group", "fi_day", "fi_exempt")
    )


def _cap_expression(p: CapCountParameters) -> Case:
    return Case(
        *(
            When(high_risk=high_risk, fi_grade=grade.value, then=Value(limit))
            for (high_risk, grade), limit in p.limits.items()
        ),
        output_field=IntegerField(),
    )


def cap_state_sql(qs: QuerySet, p: CapCountParameters, on: dt.date) -> tuple[str, list]:
    """SQL of (id, credit_code, supervising_level, cap, used) for the enterprises of ``qs``,
    in canonical (code point) order of the credit code."""
    ents = (
        qs.order_by()
        .annotate(fi_grade=queries.grade_expression(on))
        .annotate(fi_cap=_cap_expression(p))
        .values("id", "credit_code", "supervising_level", "fi_cap")
    )
    e_sql, e_params = ents.query.sql_with_params()
    v_sql, v_params = counted_visits(qs.order_by().values("pk"), p).query.sql_with_params()
    collate = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
    sql = f"""
        SELECT e.id, e.credit_code, e.supervising_level, e.fi_cap, COALESCE(u.used, 0)
        FROM ({e_sql}) e
        LEFT JOIN (
            SELECT t.enterprise_id, SUM(CASE WHEN t.all_exempt = 1 THEN %s ELSE 1 END) AS used
            FROM (
                SELECT v.enterprise_id, MIN(v.fi_exempt) AS all_exempt
                FROM ({v_sql}) v
                GROUP BY v.enterprise_id,
                    CASE WHEN COALESCE(v.merge_group, '') = '' THEN v.id END,
                    CASE WHEN COALESCE(v.merge_group, '') <> '' THEN v.merge_group END,
                    CASE WHEN COALESCE(v.merge_group, '') <> '' THEN v.fi_day END
            ) t
            GROUP BY t.enterprise_id
        ) u ON u.enterprise_id = e.id
        ORDER BY e.credit_code{collate}
    """
    return sql, [*e_params, 1 if p.exempt_consumes_cap else 0, *v_params]


def cap_state(qs: QuerySet, p: CapCountParameters, on: dt.date) -> Iterator[tuple]:
    """Stream (id, credit_code, supervising_level, cap, used), a few thousand rows at a time."""
    sql, params = cap_state_sql(qs, p, on)
    with connection.chunked_cursor() as c:
        c.execute(sql, params)
        while rows := c.fetchmany(5000):
            yield from rows
