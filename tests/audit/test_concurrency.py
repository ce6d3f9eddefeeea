"""Concurrent writers (R8.5): on PostgreSQL, writers of the same and of different bureaus
append at once; every chain stays gapless and the whole trail verifies."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.conf import settings
from django.db import connections, transaction

from fairinspect.audit import trail
from fairinspect.audit.models import AuditEvent, Chain
from fairinspect.audit.verify import verify

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="needs real concurrent transactions on PostgreSQL",
    ),
]

WRITERS = 8
EACH = 40


@pytest.mark.django_db(transaction=True)
def test_r8_5_eight_concurrent_writers_on_four_bureaus_produce_valid_chains(
    make_user, make_enterprise
):
    departments = ["650100-WH", "650102", "650103", "650104"]
    users = [make_user(f"w{n}", department=departments[n % 4]) for n in range(WRITERS)]
    ents = [make_enterprise() for _ in range(WRITERS)]
    barrier = threading.Barrier(WRITERS)
    errors: list[str] = []

    def write(user, ent):
        try:
            barrier.wait()
            for i in range(EACH):
                with transaction.atomic():
                    ent.name = f"{ent.credit_code}-{i}"
                    ent.save(update_fields=["name"])
                    trail.record(actor=user, action="update", obj=ent, summary=f"第{i}次")
        except Exception as exc:  # pragma: no cover - shown in the assertion
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=write, args=(u, e)) for u, e in zip(users, ents, strict=True)
    ]
    # Mid-morning in Urumqi's zone: every event falls on one day, whatever the wall clock.
    with time_machine.travel(dt.datetime(2026, 6, 1, 4, tzinfo=dt.UTC)):
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert AuditEvent.objects.count() == WRITERS * EACH
    assert Chain.objects.count() == 4  # one per bureau (the test runs within one day)
    for chain in Chain.objects.all():
        seqs = list(chain.events.order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, 2 * EACH + 1)) == list(range(1, chain.length + 1))
    report = verify()
    assert report.ok, [b.line() for b in report.breaks]
    assert report.records == WRITERS and report.events == WRITERS * EACH
