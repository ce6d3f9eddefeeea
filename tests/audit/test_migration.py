"""The old single chain moves into the partitioned trail (R8.5): audit.0002 copies and
re-chains supervision.AuditEvent, supervision.0002 drops it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

OLD = [("audit", "0001_initial"), ("supervision", "0001_initial")]
NEW = [("audit", "0002_copy_supervision_events"), ("supervision", "0002_audit_moves_out")]


def _old_hash(prev, at, name, action, otype, oid, summary, data):
    payload = json.dumps(
        [prev, at.isoformat(), name, action, otype, str(oid), summary, data],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@pytest.mark.django_db(transaction=True)
def test_r8_5_the_old_events_are_copied_and_re_chained_per_bureau_and_day(make_user):
    from fairinspect.audit.models import AuditEvent
    from fairinspect.audit.verify import verify

    officer = make_user("old_actor", department="650102")
    executor = MigrationExecutor(connection)
    executor.migrate(OLD)
    Old = executor.loader.project_state(OLD).apps.get_model("supervision", "AuditEvent")
    prev = "0" * 64
    at0 = dt.datetime(2026, 11, 30, 3, tzinfo=dt.UTC)
    for n, actor in enumerate([officer.pk, None, officer.pk]):
        at = at0 + dt.timedelta(hours=n)
        name = "old_actor" if actor else "系统"
        h = _old_hash(prev, at, name, "update", "registry.user", officer.pk, f"第{n}次", {"n": n})
        Old.objects.create(
            at=at,
            actor_id=actor,
            actor_name=name,
            action="update",
            object_type="registry.user",
            object_id=str(officer.pk),
            summary=f"第{n}次",
            data={"n": n},
            prev_hash=prev,
            hash=h,
        )
        prev = h
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    events = list(AuditEvent.objects.order_by("id").select_related("chain"))
    assert [(e.chain.key, e.seq, e.summary) for e in events] == [
        ("650102/2026-11-30", 1, "第0次"),
        ("-/2026-11-30", 1, "第1次"),
        ("650102/2026-11-30", 2, "第2次"),
    ]
    assert events[2].prev_hash == events[0].hash and events[0].state_digest == ""
    report = verify(checkpoint=False)
    assert report.ok, [b.line() for b in report.breaks]
    assert report.events == 3 and report.records == 0
