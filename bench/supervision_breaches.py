"""Benchmark: rule-breach detection (R8.4) and the supervisor's dashboard page (issue 9).

On PostgreSQL database `fi_supervision_bench` (its own; FI_BENCH_SUPERVISION_PG_URL), loads
with COPY and INSERT … SELECT (the visits benchmark's loader, bench/visits_precheck.py):
100,000 enterprises and 1,000,000 visits (10 per enterprise over five years), then makes the
data look like a bureau's: every visit gets its two officers confirmed with valid
certificates and an approved plan; 1% of visits go to a district bureau (multi-unit and
district-after-city candidates), 2% have no recording, 0.5% check in at 22:00.

Measures, in this process:
  - `detection.run` (all sixteen rules) for the current year: wall time, peak RSS of the
    process (ru_maxrss) before and after, breaches found per rule; then a second run (the
    idempotent nightly re-run);
and over HTTP (server on 127.0.0.1:8359, gunicorn if present, else runserver):
  - the empty Django view /bench/empty beside GET /supervision/dashboard/ as a supervisor.

    .venv/bin/python bench/supervision_breaches.py [--enterprises 100000] [--visits-per 10]
        [--requests 20] [--reload]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _registry_common as common
import registry_search as rs
import visits_precheck as vp

PG_URL = os.environ.get(
    "FI_BENCH_SUPERVISION_PG_URL", "postgres://postgres@127.0.0.1:5432/fi_supervision_bench"
)
rs.PORT = int(os.environ.get("FI_BENCH_SUPERVISION_PORT", "8359"))
common.PG_URL = PG_URL


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def shape(today: dt.date) -> None:
    """Turn the visits benchmark's rows into a realistic year (set-based UPDATE/INSERT)."""
    from django.db import connection

    from fairinspect.registry.models import Department, Officer, User

    t0 = time.perf_counter()
    district = Department.objects.get(code="650102")
    approver = User.objects.filter(username="bench_officer").first()
    with connection.cursor() as c:
        c.execute(
            """UPDATE visits_visitofficer vo SET certificate_number = cert.number,
                   confirmed_at = v.checked_in_at
               FROM visits_visit v,
                    (SELECT DISTINCT ON (officer_id) officer_id, number FROM registry_certificate
                     ORDER BY officer_id, id) cert
               WHERE vo.visit_id = v.id AND cert.officer_id = vo.officer_id"""
        )
        c.execute(
            f"""INSERT INTO visits_inspectionplan (visit_id, number, items, key_points, methods,
                   steps, drafted_from, approved_by_id, approved_at, rejection_reason, updated_at)
               SELECT id, '', '[]', '', '', '', '{{}}', {approver.pk},
                   checked_in_at - interval '2 days', '', now() FROM visits_visit"""
        )
        c.execute(
            f"UPDATE visits_visit SET department_id = {district.pk}, "
            "inspecting_level = 'district' WHERE id % 100 = 7"
        )
        c.execute("UPDATE visits_visit SET missing_recording = true WHERE id % 50 = 3")
        c.execute(
            "UPDATE visits_visit SET checked_in_at = date_trunc('day', checked_in_at) "
            "+ interval '14 hours', checked_out_at = date_trunc('day', checked_in_at) "
            "+ interval '15 hours' WHERE id % 200 = 11"
        )
        c.execute("ANALYZE")
    n_off = Officer.objects.count()
    print(
        f"  shaped: confirmed teams, approved plans, 1% district, 2% no recording, 0.5% at "
        f"22:00 local ({n_off} officers) in {time.perf_counter() - t0:.1f}s"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--enterprises", type=int, default=100_000)
    p.add_argument("--visits-per", type=int, default=10)
    p.add_argument("--requests", type=int, default=20)
    p.add_argument("--reload", action="store_true")
    args = p.parse_args()
    today = dt.date.today()
    print(
        f"== Breach detection and the dashboard: {args.enterprises:,} enterprises, "
        f"{args.enterprises * args.visits_per:,} visits on PostgreSQL =="
    )
    have = vp._count(PG_URL)
    fresh = (
        args.reload or have[0] != args.enterprises or have[1] < args.enterprises * args.visits_per
    )
    if fresh:
        common.fresh_database(PG_URL)
    os.environ["DATABASE_URL"], os.environ["DEBUG"] = PG_URL, "0"
    common.django_setup()
    from django.contrib.auth.models import Group

    from fairinspect.core.roles import Role
    from fairinspect.registry.models import Department, Enterprise, User
    from fairinspect.supervision import detection
    from fairinspect.supervision.models import Breach
    from fairinspect.visits.models import Visit

    if fresh:
        vp.load(args.enterprises, args.visits_per, today)
        shape(today)
    Breach.objects.all().delete()
    n_e, n_v = Enterprise.objects.count(), Visit.objects.count()
    common.print_machine(common.database_label())
    print(f"  dataset: {n_e:,} enterprises, {n_v:,} visits")
    print("  load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))

    before = rss_mb()
    t = time.perf_counter()
    run = detection.run(today=today, by="bench")
    first = time.perf_counter() - t
    after = rss_mb()
    found = {k: v for k, v in run.counts.items() if v}
    print(f"  detection (first run): {first:.1f}s, {sum(found.values()):,} breaches {found}")
    print(f"  peak RSS: {before:.0f} MB before, {after:.0f} MB after (+{after - before:.0f} MB)")
    t = time.perf_counter()
    run2 = detection.run(today=today, by="bench")
    second = time.perf_counter() - t
    print(
        f"  detection (second run, idempotent): {second:.1f}s, rows {Breach.objects.count():,}"
        f" (same counts: {run2.counts == run.counts}); peak RSS {rss_mb():.0f} MB"
    )

    sup = User.objects.filter(username="bench_supervisor").first()
    if sup is None:
        sup = User(
            username="bench_supervisor",
            first_name="监督",
            department=Department.objects.get(code="650100-ZH"),
        )
        sup.set_password("bench-password-1")
        sup.save()
        sup.groups.set([Group.objects.get_or_create(name=Role.SUPERVISOR.value)[0]])
    proc, server = rs.start_server(dict(os.environ))
    try:
        cookie = {"Cookie": rs.session_cookie("bench_supervisor", "bench-password-1")}
        print(f"  server: {server} on {rs.HOST}:{rs.PORT}, DEBUG=0; {args.requests} requests each")
        vp.run_paths(["/bench/empty"], {}, 5, 1)
        vp.run_paths(["/supervision/dashboard/"], cookie, 2, 1)
        lat, wall = vp.run_paths(["/bench/empty"], {}, args.requests, 1)
        rs.report("supervision", "empty", "Django empty view", 1, lat, wall)
        lat, wall = vp.run_paths(["/supervision/dashboard/"], cookie, args.requests, 1)
        rs.report("supervision", "page", "dashboard /supervision/dashboard/", 1, lat, wall)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print("  load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
