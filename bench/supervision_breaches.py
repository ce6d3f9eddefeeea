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

--shape-existing: the dataset is already loaded (by bench/scale_requests.py's loader, e.g. for
bench/province.py on its database): reshape it in place, this year's visits only (the
detection and the dashboard read no other year), idempotently (a visit that has a plan keeps
it); what it changes: the teams' certificate numbers and confirmation times, a plan for every
visit of the year, 1% of them moved to district 650102's bureau, 2% without a recording,
0.5% checked in at 22:00 local time. --once skips the second (idempotent) detection run.

    .venv/bin/python bench/supervision_breaches.py [--enterprises 100000] [--visits-per 10]
        [--requests 20] [--reload] [--shape-existing] [--once]
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


def shape(today: dt.date, *, year_only: bool = False) -> None:
    """Turn the visits benchmark's rows into a realistic year (set-based UPDATE/INSERT);
    `year_only`: this year's visits only (their partitions), which is all detection reads."""
    from django.db import connection

    from fairinspect.registry.models import Department, Officer, User

    t0 = time.perf_counter()
    year = ""
    if year_only:
        lo, hi = dt.date(today.year, 1, 1), dt.date(today.year + 1, 1, 1)
        year = f" AND planned_date >= '{lo}' AND planned_date < '{hi}'"
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
            + year.replace("planned_date", "vo.visit_planned_date")
            + year.replace("planned_date", "v.planned_date")
        )
        # With visits partitioned (visits 0009) the plan carries the visit's date, here given
        # (consistent by construction), so the foreign-key checks (≈ 140 µs a row into the
        # partitioned visits) and the trigger that would fill it are skipped (replica mode).
        c.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = "
            "'visits_inspectionplan' AND column_name = 'visit_planned_date'"
        )
        dated = c.fetchone() is not None
        if dated:
            c.execute("SET session_replication_role = replica")
        c.execute(
            f"""INSERT INTO visits_inspectionplan (visit_id, number, items, key_points, methods,
                   steps, drafted_from, approved_by_id, approved_at, rejection_reason, updated_at
                   {", visit_planned_date" if dated else ""})
               SELECT id, '', '[]', '', '', '', '{{}}', {approver.pk},
                   checked_in_at - interval '2 days', '', now()
                   {", planned_date" if dated else ""} FROM visits_visit v
               WHERE NOT EXISTS (SELECT 1 FROM visits_inspectionplan p WHERE p.visit_id = v.id)"""
            + year
        )
        if dated:
            c.execute("RESET session_replication_role")
        c.execute(
            f"UPDATE visits_visit SET department_id = {district.pk}, "
            "inspecting_level = 'district' WHERE id % 100 = 7" + year
        )
        c.execute("UPDATE visits_visit SET missing_recording = true WHERE id % 50 = 3" + year)
        c.execute(
            "UPDATE visits_visit SET checked_in_at = date_trunc('day', checked_in_at) "
            "+ interval '14 hours', checked_out_at = date_trunc('day', checked_in_at) "
            "+ interval '15 hours' WHERE id % 200 = 11" + year
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
    p.add_argument("--shape-existing", action="store_true", help="reshape a loaded dataset")
    p.add_argument("--once", action="store_true", help="one detection run, not two")
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
    elif args.shape_existing:
        shape(today, year_only=True)
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
    second = 0.0
    if not args.once:
        t = time.perf_counter()
        run2 = detection.run(today=today, by="bench")
        second = time.perf_counter() - t
        print(
            f"  detection (second run, idempotent): {second:.1f}s, rows "
            f"{Breach.objects.count():,} (same counts: {run2.counts == run.counts}); "
            f"peak RSS {rss_mb():.0f} MB"
        )
    print(
        f"RESULT|detection|first_s|{first:.2f}|second_s|{second:.2f}|breaches|"
        f"{sum(found.values())}|rss_mb|{after:.0f}"
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
        proc.wait(timeout=60)  # gunicorn lets its workers finish (graceful stop)
    print("  load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
