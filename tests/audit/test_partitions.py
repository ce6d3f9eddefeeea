"""Issue 13: on PostgreSQL the audit events are partitioned by year of `at`; a query bounded
in time reads only its year's partition (EXPLAIN shows the pruning), and recording and
verifying the chain work unchanged on the partitioned table."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.db import connection

from fairinspect.core import partitioning

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="partitioning is PostgreSQL's",
    ),
]


def _plan(sql: str) -> str:
    with connection.cursor() as c:
        c.execute("EXPLAIN (COSTS OFF) " + sql)
        return "\n".join(r[0] for r in c.fetchall())


def test_audit_events_are_partitioned_by_year_and_a_bounded_query_is_pruned():
    with connection.cursor() as c:
        c.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'audit_auditevent'::regclass"
        )
        parts = {r[0] for r in c.fetchall()}
    assert {"audit_auditevent_p2025", "audit_auditevent_p2026", "audit_auditevent_default"} <= parts
    plan = _plan("SELECT id FROM audit_auditevent WHERE at >= '2025-03-01' AND at < '2025-04-01'")
    assert "audit_auditevent_p2025" in plan
    assert "audit_auditevent_p2026" not in plan and "audit_auditevent_default" not in plan
    whole = _plan("SELECT id FROM audit_auditevent")
    assert "audit_auditevent_p2026" in whole and "audit_auditevent_p2025" in whole


def test_recording_and_verifying_work_on_the_partitioned_table(make_user):
    from fairinspect.audit import trail
    from fairinspect.audit.models import AuditEvent
    from fairinspect.audit.verify import verify
    from fairinspect.core.roles import Role

    admin = make_user("part_admin", Role.ADMIN)
    trail.record(actor=admin, action="update", obj=admin, summary="分区测试")
    e = AuditEvent.objects.filter(summary="分区测试").get()
    assert AuditEvent.objects.get(pk=e.pk) == e  # found by id alone
    report = verify()
    assert report.ok, report


def test_a_new_partition_takes_the_rows_of_its_range_out_of_default():
    from fairinspect.audit.models import AuditEvent, Chain

    chain = Chain.objects.create(
        key="part-test",
        bureau="x",
        day=dt.date(2040, 5, 1),
        updated_at=dt.datetime(2040, 5, 1, tzinfo=dt.UTC),
    )
    at = dt.datetime(2040, 5, 1, tzinfo=dt.UTC)
    AuditEvent.objects.create(
        chain=chain,
        seq=10**9,
        at=at,
        action="x",
        object_type="x",
        object_id="1",
        summary="2040",
        prev_hash="0" * 64,
        hash="1" * 64,
    )
    made = partitioning.add_partitions(
        connection, "audit_auditevent", partitioning.years(2040, 2040)
    )
    assert made == 1
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM audit_auditevent_p2040")
        assert c.fetchone()[0] == 1
        c.execute("SELECT count(*) FROM audit_auditevent_default WHERE at >= '2040-01-01'")
        assert c.fetchone()[0] == 0
    assert AuditEvent.objects.filter(summary="2040").count() == 1


def test_the_audit_partitions_command_creates_the_years_ahead():
    from django.core.management import call_command

    with connection.cursor() as c:
        c.execute("DROP TABLE audit_auditevent_p2035")
    out = io.StringIO()
    call_command("audit_partitions", "--years-ahead", "20", stdout=out)
    assert "partition(s) created" in out.getvalue()
    with connection.cursor() as c:
        c.execute("SELECT to_regclass('audit_auditevent_p2035')")
        assert c.fetchone()[0] is not None
