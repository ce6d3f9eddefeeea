"""Benchmark: import, re-import and search of enterprises (issue 15 items 1 and 4).

For each database (SQLite in /tmp, PostgreSQL `fi_registry_bench`) and each size (30,000
and 100,000 rows), on a fresh migrated database:
  1. import N new enterprises (the real pipeline: start_import + run_import_job),
  2. re-import the same N with every row changed (the monthly refresh: a new 主要负责人),
  3. re-import the same file again (nothing changes),
each in its own child process, printing rows/s, the seconds of the write transaction (how
long other writers may wait on SQLite) and the child's peak memory (ru_maxrss);
  4. after the 100,000-row import, search p50/p90 through the list page (Django test
     client, logged-in administrator) for a two-character query, a full name and a credit
     code typed with spaces, beside an empty Django view timed the same way.

    .venv/bin/python bench/registry_reimport.py [--db sqlite,postgres] [--sizes 30000,100000]
        [--phases new,changed,unchanged] [--no-probe] [--no-search]

--no-probe runs every import alone (create and update under the same conditions); without
it a probe process checks in and logs in during each re-import.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _registry_common as common

SQLITE_URL = os.environ.get("FI_REGISTRY_SQLITE_URL", "sqlite:////tmp/fi_registry_bench.sqlite3")
PG_URL = os.environ.get(
    "FI_REGISTRY_PG_URL", "postgres://postgres@127.0.0.1:5432/fi_registry_bench"
)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_import(path: str, label: str) -> None:
    common.django_setup()
    from fairinspect.registry import imports, services

    admin, _ = common.bench_admin()
    data = Path(path).read_bytes()
    t0 = time.perf_counter()
    job = services.start_import(
        actor=admin, kind="enterprises", file_name="bench.csv", data=data, enqueue=False
    )
    job = services.run_import_job(job.pk)
    total = time.perf_counter() - t0
    if job.status != "done":
        raise SystemExit(f"import failed: {job.status} {job.errors[:3]}")
    db = common.database_label()
    n = job.total_rows
    marks = {"write": imports.TIMINGS.get("write_transaction", 0)}
    at = imports.TIMINGS.get("write_started_at", 0)
    print(
        f"  write transaction from {at:.1f} to {at + marks['write']:.1f}; import ended {time.time():.1f}"
    )
    merge = imports.TIMINGS.get("index_merge", 0)
    cpu = imports.TIMINGS.get("write_cpu", 0)
    stage = imports.TIMINGS.get("stage", 0)
    after = imports.TIMINGS.get("checkpoint", 0)
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"  {db:16} {label:22} {n:>7,} rows: {total:6.1f} s = {n / total:7,.0f} rows/s; "
        f"write transaction {marks.get('write', 0):5.2f} s ({cpu:.2f} s CPU of the importing "
        f"thread; staging before it {stage:.1f} s; index merge / WAL checkpoint after it "
        f"{merge:.2f} / {after:.2f} s); peak {_peak_mb():6.0f} MB; "
        f"new {job.created_count:,} updated {job.updated_count:,} unchanged {job.unchanged_count:,}; "
        f"load average at the end {load} (1/5/15 min)"
    )
    print(
        f"RESULT|import|{db}|{label}|{n}|{total:.2f}|{n / total:.0f}|{marks.get('write', 0):.2f}|{_peak_mb():.0f}|{cpu:.2f}|{load}"
    )


def child_search(rounds: int) -> None:
    common.django_setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from fairinspect.registry.models import Enterprise

    admin, _ = common.bench_admin()
    client = Client()
    client.force_login(admin)
    count = Enterprise.objects.count()
    sample = Enterprise.objects.order_by("id")[count // 2]
    code = sample.credit_code
    spaced = " ".join([code[:6], code[6:12], code[12:]]).lower()
    shapes = [
        ("empty Django view", "/bench/empty", None),
        ("list page, no query", "/registry/enterprises/", None),
        ("2 characters", "/registry/enterprises/", sample.name[2:4]),
        ("full name", "/registry/enterprises/", sample.name),
        ("credit code, spaced", "/registry/enterprises/", spaced),
    ]
    db = common.database_label()
    n_ent = Enterprise.objects.count()
    for label, path, q in shapes:
        params = {"q": q} if q is not None else {}
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            resp = client.get(path, params)
            times.append(time.perf_counter() - t)
            assert resp.status_code == 200, (path, resp.status_code)
        p50 = statistics.median(times) * 1000
        p90 = statistics.quantiles(times, n=10)[-1] * 1000
        hits, bare = "", ""
        if q is not None:
            hits, bare_ms = _bare_sql(q, rounds)
            bare = f"bare SQL p50 {bare_ms:6.1f} ms"
        print(
            f"  {db:16} {n_ent:,} enterprises  {label:22} p50 {p50:7.1f} ms  p90 {p90:7.1f} ms "
            f"{bare} {hits}"
        )
        print(f"RESULT|search|{db}|{label}|{n_ent}|{p50:.1f}|{p90:.1f}|{bare}|{hits}")


def _bare_sql(q: str, rounds: int) -> tuple[str, float]:
    """The statements the search issues for page 1 (the capped count, the exact names, the
    page; captured from Django), replayed on one cursor: the database's share."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fairinspect.registry import queries
    from fairinspect.registry.models import Enterprise

    with CaptureQueriesContext(connection) as ctx:
        results = queries.search_results(
            Enterprise.objects.select_related("industry"), queries.EnterpriseFilter(q=q)
        )
        n = results.count()
        results[0:50]
    statements = [c["sql"] for c in ctx.captured_queries]
    times = []
    with connection.cursor() as cur:
        for _ in range(rounds):
            t = time.perf_counter()
            for sql in statements:
                cur.execute(sql)
                cur.fetchall()
            times.append(time.perf_counter() - t)
    more = "+" if results.capped else ""
    return f"({n:,}{more} matches, {len(statements)} statements)", statistics.median(times) * 1000


def child_probe(stop_path: str, every: float) -> None:
    """What an officer and a user do while the import runs, timed: the check-in's
    transaction (visits/services/checkin.py locks the enterprise row FOR UPDATE, then
    records an audit event in the officer's bureau chain) at an enterprise the import is
    changing, and a login through the real login page. Repeats until `stop_path` exists."""
    common.django_setup()
    import random

    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from fairinspect.audit import trail
    from fairinspect.registry.models import Department, Enterprise, User

    admin, password = common.bench_admin("bench_probe")
    officer, _ = User.objects.get_or_create(
        username="bench_officer",
        defaults={"department": Department.objects.filter(code="650102").first()},
    )
    ids = list(Enterprise.objects.order_by("id").values_list("id", flat=True))
    rng = random.Random(7)
    checkins: list[float] = []
    logins: list[float] = []
    # The first request of a process imports every URLconf and view (20–30 s on a loaded
    # machine): done once before timing, as a running server has done it long before.
    Client().post("/login/", {"username": admin.username, "password": password})
    while not Path(stop_path).exists():
        pk = rng.choice(ids)
        t = time.perf_counter()
        with transaction.atomic():
            ent = Enterprise.objects.select_for_update().get(pk=pk)
            trail.record(actor=officer, action="bench_probe", obj=ent, summary="probe")
        checkins.append(time.perf_counter() - t)
        t = time.perf_counter()
        resp = Client().post("/login/", {"username": admin.username, "password": password})
        logins.append(time.perf_counter() - t)
        if logins[-1] > 5:
            print(f"  probe: a login took {logins[-1]:.1f} s, ending at {time.time():.1f}")
        assert resp.status_code == 302, resp.status_code
        connection.close()
        time.sleep(every)
    for label, xs in (("check-in", checkins), ("login", logins)):
        xs.sort()
        print(
            f"  probe {label:9} n={len(xs)} p50 {statistics.median(xs) * 1000:7.1f} ms  "
            f"longest {xs[-1] * 1000:7.1f} ms"
        )
        print(
            f"RESULT|probe|{common.database_label()}|{label}|{len(xs)}|{statistics.median(xs) * 1000:.1f}|{xs[-1] * 1000:.1f}"
        )


def make_file(n: int, changed: bool) -> str:
    """The bench CSV (English headers); `changed` gives every row a new 主要负责人."""
    common.django_setup()
    data = common.enterprise_csv(n)
    if changed:
        import csv
        import io

        rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
        col = rows[0].index("main_person")
        for r in rows[1:]:
            r[col] = "换届" + r[col]
        buf = io.StringIO()
        csv.writer(buf).writerows(rows)
        data = buf.getvalue().encode("utf-8")
    fd, path = tempfile.mkstemp(suffix=".csv", prefix="fi_registry_")
    os.write(fd, data)
    os.close(fd)
    return path


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", default="sqlite,postgres")
    p.add_argument("--sizes", default="30000,100000")
    p.add_argument("--search-rounds", type=int, default=30)
    p.add_argument("--child", choices=["import", "search", "file", "probe"], help=argparse.SUPPRESS)
    p.add_argument("--path", default="")
    p.add_argument("--label", default="")
    p.add_argument("--rows", type=int, default=0)
    p.add_argument("--changed", action="store_true")
    p.add_argument("--stop", default="")
    p.add_argument("--no-search", action="store_true")
    p.add_argument(
        "--phases",
        default="new,changed,unchanged",
        help="which imports to run: new (all new), changed (all changed), unchanged",
    )
    p.add_argument(
        "--no-probe", action="store_true", help="no check-ins and logins during re-imports"
    )
    args = p.parse_args()
    if args.child == "import":
        child_import(args.path, args.label)
        return
    if args.child == "search":
        child_search(args.search_rounds)
        return
    if args.child == "probe":
        child_probe(args.stop, 0.1)
        return
    if args.child == "file":
        print(make_file(args.rows, args.changed))
        return
    print("== registry import / re-import / search ==")
    common.print_machine()
    urls = {"sqlite": SQLITE_URL, "postgres": PG_URL}
    me = [sys.executable, __file__]
    for name in args.db.split(","):
        url = urls[name.strip()]
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            # This tree's code first (not an installed copy of the project).
            "PYTHONPATH": os.pathsep.join(
                [os.path.dirname(os.path.abspath(__file__)), str(common.ROOT / "src")]
            ),
        }
        for n in (int(s) for s in args.sizes.split(",")):
            common.fresh_database(url)
            out = subprocess.run(
                [*me, "--child", "file", "--rows", str(n)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            first = out.stdout.strip().splitlines()[-1]
            out = subprocess.run(
                [*me, "--child", "file", "--rows", str(n), "--changed"],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            changed = out.stdout.strip().splitlines()[-1]
            try:
                phases = {
                    "new": (first, "import (all new)"),
                    "changed": (changed, "re-import (all changed)"),
                    "unchanged": (changed, "re-import (unchanged)"),
                }
                for path, label in (phases[ph.strip()] for ph in args.phases.split(",")):
                    # Officers check in and users log in during each re-import.
                    stop = Path(tempfile.mkdtemp(prefix="fi_probe_")) / "stop"
                    probe = None
                    if label != "import (all new)" and not args.no_probe:
                        probe = subprocess.Popen(
                            [*me, "--child", "probe", "--stop", str(stop)], env=env
                        )
                        time.sleep(3)
                    try:
                        subprocess.run(
                            [*me, "--child", "import", "--path", path, "--label", label],
                            env=env,
                            check=True,
                        )
                    finally:
                        stop.touch()
                        if probe is not None:
                            probe.wait(120)
            finally:
                Path(first).unlink(missing_ok=True)
                Path(changed).unlink(missing_ok=True)
            if n == max(int(s) for s in args.sizes.split(",")) and not args.no_search:
                subprocess.run(
                    [*me, "--child", "search", "--search-rounds", str(args.search_rounds)],
                    env=env,
                    check=True,
                )


if __name__ == "__main__":
    main()
