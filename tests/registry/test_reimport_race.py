# ruff: noqa: F811  (the visits fixtures are imported into this module and used by name)
"""A re-import and a first import racing with check-ins and logins (issue 15 item 4): while
an import of a few thousand rows validates and writes, officers check in and people log in,
and every one of those succeeds; the import is all-or-nothing still. Real threads and transactions, on
SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.test import Client

from fairinspect.registry import imports, services
from fairinspect.registry.models import Enterprise, ImportJob
from fairinspect.visits import services as visit_services
from tests.conftest import PASSWORD
from tests.visits.conftest import (  # noqa: F401  (fixtures)
    TODAY,
    _frozen,
    approver_user,
    city_enterprise,
    items,
    new_visit,
    nonce,
    team,
)

from .test_import import csv_bytes, row

ROWS = 3000


@pytest.mark.parametrize("kind", ["refresh", "first"])
@pytest.mark.django_db(transaction=True)
def test_r3_1_check_ins_and_logins_keep_working_during_an_import(
    kind, admin_user, new_visit, team, approver_user, make_enterprise, monkeypatch
):
    """`refresh`: the monthly re-import, every row changed; `first`: a first import, every
    row new (the longer write on SQLite: each row and its index entries are inserted)."""
    (u1, _o1), (u2, _o2) = team
    visits = []
    for n in range(4):
        ent = make_enterprise(
            name=f"竞速企业{n}", supervising_level="city", high_risk=True, standardization_grade=1
        )
        v = new_visit(ent)
        visit_services.submit_plan(actor=u1, visit=v)
        visits.append(visit_services.approve_plan(actor=approver_user, visit=v, today=TODAY))
    if kind == "refresh":
        first = services.start_import(
            actor=admin_user,
            kind="enterprises",
            file_name="a.csv",
            data=csv_bytes([row(i) for i in range(1, ROWS + 1)]),
            enqueue=False,
        )
        assert services.run_import_job(first.pk).status == "done"
    # The monthly refresh (every row changes), or the same rows all new.
    data = csv_bytes([row(i, main_person="王五") for i in range(1, ROWS + 1)])
    job = services.start_import(
        actor=admin_user, kind="enterprises", file_name="b.csv", data=data, enqueue=False
    )

    # Gates, so that the officers' work provably overlaps each phase of the import.
    validating, main_done, writing, attempt_started = (threading.Event() for _ in range(4))
    real_beat, real_write = imports._Run.beat, imports.EnterpriseImporter.write

    def beat(self, done, phase, *, force=False):
        if phase == "validating" and done == 1000:
            validating.set()
            assert main_done.wait(60)
        return real_beat(self, done, phase, force=force)

    def write_when_they_come(self, result):  # inside the import's write transaction
        writing.set()
        assert attempt_started.wait(60)  # a login and a check-in are on their way
        time.sleep(0.5)  # they now wait for this transaction (on SQLite: for the database)
        return real_write(self, result)

    monkeypatch.setattr(imports._Run, "beat", beat)
    monkeypatch.setattr(imports.EnterpriseImporter, "write", write_when_they_come)
    outcomes, phases = [], []

    def officer_work(visit):
        try:
            out = visit_services.confirm_check_in(actor=u1, visit_id=visit.pk, nonce=nonce())
            outcomes.append(("check_in", out.visit.pk == visit.pk))
            resp = Client().post("/login/", {"username": u2.username, "password": PASSWORD})
            outcomes.append(("login", resp.status_code == 302))
        finally:
            connection.close()

    def importer():
        try:
            services.run_import_job(job.pk)
        finally:
            connection.close()

    t = threading.Thread(target=importer)
    t.start()
    assert validating.wait(60)
    phases.append(ImportJob.objects.values_list("status", flat=True).get(pk=job.pk))
    officer_work(visits[0])  # while the import validates
    officer_work(visits[1])
    main_done.set()
    assert writing.wait(60)
    phases.append(ImportJob.objects.values_list("status", flat=True).get(pk=job.pk))
    during_write = threading.Thread(target=officer_work, args=(visits[2],))
    during_write.start()
    attempt_started.set()
    during_write.join()
    t.join()
    job.refresh_from_db()
    assert job.status == "done", job.errors
    expected = (0, ROWS, 0) if kind == "refresh" else (ROWS, 0, 0)
    assert (job.created_count, job.updated_count, job.unchanged_count) == expected
    assert Enterprise.objects.filter(main_person="王五").count() == ROWS
    assert phases == ["validating", "writing"]
    assert len(outcomes) == 6 and all(ok for _, ok in outcomes), outcomes
