"""Two check-ins racing for an enterprise's last free slot: exactly one succeeds (R3.4).

Real threads, real transactions, repeated many times. On PostgreSQL the enterprise row is
locked (SELECT ... FOR UPDATE) before the cap is computed; on SQLite the IMMEDIATE write
transaction serialises the two. Run on both (the PostgreSQL run uses DATABASE_URL).
"""

from __future__ import annotations

import contextlib
import threading

import pytest
from django.db import connection, connections

from fairinspect.core.errors import Conflict
from fairinspect.core.roles import Role
from fairinspect.visits import queries, services
from fairinspect.visits.models import Visit, VisitOfficer

from .conftest import TODAY, nonce

ROUNDS = 25


def _approved(enterprise, officers, items, dept):
    v = Visit.objects.create(
        enterprise=enterprise,
        kind="on_site",
        trigger="annual_plan",
        status="approved",
        planned_date=TODAY,
        department=dept,
        inspecting_level="city",
    )
    v.items.set(items)
    for n, o in enumerate(officers):
        VisitOfficer.objects.create(visit=v, officer=o, is_lead=n == 0)
    return v


@pytest.mark.django_db(transaction=True)
def test_r3_4_two_check_ins_racing_for_the_last_slot_exactly_one_succeeds(
    items, make_user, make_officer, make_enterprise, monkeypatch
):
    from fairinspect.registry.models import Department

    dept = Department.objects.get(code="650100-WH")
    people = []
    for n in range(4):
        u = make_user(f"racer{n}", Role.OFFICER, department="650100-WH")
        people.append((u, make_officer(f"赛{n}", department="650100-WH", user=u)))
    its = items["onsite"][:1]
    wins = {"a": 0, "b": 0}
    for _ in range(ROUNDS):
        # Non-high-risk, grade 1: cap 1. Both plans exist already (written directly).
        ent = make_enterprise(supervising_level="city", high_risk=False, standardization_grade=1)
        a = _approved(ent, [people[0][1], people[1][1]], its, dept)
        b = _approved(ent, [people[2][1], people[3][1]], its, dept)
        services.confirm_check_in(actor=people[0][0], visit_id=a.pk, nonce=nonce())
        services.confirm_check_in(actor=people[2][0], visit_id=b.pk, nonce=nonce())
        barrier = threading.Barrier(2)
        inside = threading.Barrier(2, timeout=0.5)
        real = queries.cap_decision

        def meet_then_decide(*args, real=real, inside=inside, **kw):
            # A broken barrier means the other thread is held by the lock, as it should be.
            with contextlib.suppress(threading.BrokenBarrierError):
                inside.wait()
            return real(*args, **kw)

        monkeypatch.setattr(queries, "cap_decision", meet_then_decide)
        results: dict[str, object] = {}

        def go(key, user, visit, results=results, barrier=barrier):
            try:
                barrier.wait()
                out = services.confirm_check_in(actor=user, visit_id=visit.pk, nonce=nonce())
                results[key] = "started" if out.started else "waiting"
            except Conflict as exc:
                results[key] = exc.code
            except Exception as exc:  # pragma: no cover - shown in the assertion
                results[key] = repr(exc)
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=go, args=("a", people[1][0], a)),
            threading.Thread(target=go, args=("b", people[3][0], b)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        monkeypatch.setattr(queries, "cap_decision", real)
        assert sorted(results.values()) == ["cap_reached", "started"], results
        for k, v in results.items():
            if v == "started":
                wins[k] += 1
        q = queries.quota_for(ent, year=2025, today=TODAY)
        assert q.used == 1 == q.cap
        assert Visit.objects.filter(enterprise=ent, status="in_progress").count() == 1
    assert wins["a"] + wins["b"] == ROUNDS
    assert connection.vendor in ("postgresql", "sqlite")
