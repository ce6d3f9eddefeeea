"""Issue 13 item 4 (R4.3 at a province's volume): on PostgreSQL the monitoring readings are
partitioned by month of `at`; a point's recent readings read only the months asked for
(EXPLAIN shows the pruning); ingestion (INSERT … ON CONFLICT (point, at)) works unchanged;
`monitor-partitions` creates months ahead idempotently and drops only what is past the
retention asked for."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from fairinspect.monitoring import queries, services
from fairinspect.monitoring.management.commands import monitor_partitions
from fairinspect.monitoring.models import Reading

from .conftest import T0

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="partitioning is PostgreSQL's",
    ),
]


def _parts() -> set[str]:
    with connection.cursor() as c:
        c.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'monitoring_reading'::regclass"
        )
        return {r[0] for r in c.fetchall()}


def test_r4_3_readings_are_partitioned_by_month_and_a_points_recent_readings_are_pruned(
    gas_point, gateway
):
    cred, _key = gateway
    assert {
        "monitoring_reading_p202501",
        "monitoring_reading_p202606",
        "monitoring_reading_p202712",
        "monitoring_reading_default",
    } <= _parts()
    # Ingestion's INSERT … ON CONFLICT works on the partitioned table, duplicates included.
    rows = [services.RawReading("GT-101", T0 + dt.timedelta(seconds=s), 5.0) for s in range(3)]
    first = services.ingest(credential=cred, message_id="p-1", readings=rows, source="http", now=T0)
    again = services.ingest(credential=cred, message_id="p-2", readings=rows, source="http", now=T0)
    assert (first.accepted, again.accepted, again.duplicates) == (3, 0, 3)
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM monitoring_reading_p202606")
        assert c.fetchone()[0] == 3

    # The chart's query: the last hour of one point.
    qs = queries.recent_readings_query(
        gas_point, since=T0 - dt.timedelta(hours=1), now=T0 + dt.timedelta(minutes=1)
    )[:500]
    plan = qs.explain()
    assert "monitoring_reading_p202606" in plan
    others = [p for p in _parts() if p != "monitoring_reading_p202606" and p in plan]
    assert others == [], plan
    assert [r.value for r in qs] == [5.0, 5.0, 5.0]
    # Without a time bound every month is read: the pruning above is the bound's doing.
    whole = Reading.objects.filter(point=gas_point).explain()
    assert "monitoring_reading_p202501" in whole and "monitoring_reading_default" in whole


def test_r4_3_monitor_partitions_creates_months_ahead_once_and_moves_rows_out_of_default(
    gas_point, gateway
):
    cred, _key = gateway
    far = dt.datetime(2031, 3, 10, tzinfo=dt.UTC)
    services.ingest(
        credential=cred,
        message_id="far-1",
        readings=[services.RawReading("GT-101", far, 7.0)],
        source="http",
        now=far,
    )
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM monitoring_reading_default")
        assert c.fetchone()[0] == 1
    made = monitor_partitions.create_ahead(dt.date(2031, 2, 15), 2)
    assert made == 3  # 2031-02, -03, -04
    assert monitor_partitions.create_ahead(dt.date(2031, 2, 15), 2) == 0  # idempotent
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM monitoring_reading_default")
        assert c.fetchone()[0] == 0
        c.execute("SELECT value FROM monitoring_reading_p203103")
        assert c.fetchone()[0] == 7.0
    out = io.StringIO()
    call_command("monitor_partitions", "--months-ahead", "1", stdout=out)
    assert out.getvalue().strip().endswith("0 dropped")  # no --keep-months: nothing dropped


def test_r4_3_retention_drops_only_whole_months_past_the_period(gas_point, gateway):
    cred, _key = gateway
    services.ingest(
        credential=cred,
        message_id="old-1",
        readings=[
            services.RawReading("GT-101", dt.datetime(2025, 1, 20, tzinfo=dt.UTC), 1.0),
            services.RawReading("GT-101", dt.datetime(2025, 3, 5, tzinfo=dt.UTC), 2.0),
        ],
        source="http",
        now=dt.datetime(2025, 3, 5, 1, tzinfo=dt.UTC),
    )
    # On 2025-04-10 keeping 2 months keeps February and March: January goes.
    dropped = monitor_partitions.drop_older(dt.date(2025, 4, 10), 2)
    assert dropped == ["monitoring_reading_p202501"]
    assert "monitoring_reading_p202502" in _parts() and "monitoring_reading_default" in _parts()
    assert list(Reading.objects.filter(point=gas_point).values_list("value", flat=True)) == [2.0]
