"""Benchmark: visits 0010 (the team and the items partitioned by the visit's year) on the
pre-check's dataset (issue 13 item 4).

Loads bench/visits_precheck.py's dataset (100,000 enterprises, 1,000,000 visits with one item
and two officers each, 5% with a hazard) into its own database (FI_BENCH_VISITS_PG_URL) with
the children still plain tables (visits at 0009), then:
  - the pre-check's items and team statements for the sampled enterprises (EXPLAIN ANALYZE:
    execution and planning time, partitions read) and `visits.queries.precheck` itself,
  - `manage.py migrate visits 0010` forward, timed (a child process),
  - the same statements again, then the reverse `migrate visits 0009`, timed,
and drops the database unless --keep.

    FI_BENCH_VISITS_PG_URL=postgres://postgres@127.0.0.1:5432/<name>_bench \\
        .venv/bin/python bench/visits_children_partition.py [--enterprises 100000] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import time
from urllib.parse import urlparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _registry_common as common
import visits_precheck as vp


def migrate(url: str, target: str) -> float:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0"}
    t = time.perf_counter()
    subprocess.run(
        [common.PY, str(common.ROOT / "manage.py"), "migrate", "visits", target, "-v", "0"],
        check=True,
        env=env,
    )
    return time.perf_counter() - t


def settle() -> None:
    """VACUUM ANALYZE the children and CHECKPOINT, so that neither autovacuum nor the flush
    of the rows just written runs beside the measurement (2 cores)."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("VACUUM (ANALYZE) visits_visit, visits_visitofficer, visits_visit_items")
        c.execute("CHECKPOINT")


def measure(label: str, ents, officer, today: dt.date) -> None:
    from django.db import connection

    from fairinspect.visits import queries

    connection.close()  # a new session: nothing cached from before the migration
    start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    mine = {
        e.pk: [v.pk for v in queries._year_visits(e, today.year, officer) if v.pc_mine]
        for e in ents
    }
    statements = {
        "items": lambda e: queries._YEAR_ITEMS.build(e=e.pk, start=start, end=end),
        "team": lambda e: queries._teams_qs(start, end, *(mine[e.pk] or [0])),
        "visits+mine": lambda e: queries._year_visits_qs(e.pk, start, end, officer.pk),
    }
    print(f"-- {label}")
    for name, build in statements.items():
        exe, plan_ms, parts = [], [], set()
        for e in ents:
            text = build(e).explain(analyze=True)
            exe.append(float(re.search(r"Execution Time: ([\d.]+)", text).group(1)))
            plan_ms.append(float(re.search(r"Planning Time: ([\d.]+)", text).group(1)))
            parts |= {
                m.group(1)
                for line in text.splitlines()
                if "never executed" not in line
                for m in [re.search(r"on (visits_(?:visitofficer|visit_items)_\w+)", line)]
                if m
            }
        print(
            f"  {name:12s} execution p50 {statistics.median(exe):.3f} ms, "
            f"max {max(exe):.3f}; planning p50 {statistics.median(plan_ms):.3f} ms; "
            f"child partitions read: {', '.join(sorted(parts)) or '-'}"
        )
    from django.test.utils import CaptureQueriesContext

    times = []
    per: dict[str, list[float]] = {}
    for e in ents:
        with CaptureQueriesContext(connection) as cq:
            t = time.perf_counter()
            queries.precheck(e, officer=officer, today=today)
            times.append((time.perf_counter() - t) * 1000)
        for q in cq.captured_queries:
            key = re.sub(r"\s+", " ", q["sql"])[:60]
            per.setdefault(key, []).append(float(q["time"]) * 1000)
    print(f"  precheck()   p50 {statistics.median(times):.2f} ms, max {max(times):.2f} ms")
    for key, ms in per.items():
        print(f"    {statistics.median(ms):7.2f} ms p50 ({len(ms)}x) {key}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--enterprises", type=int, default=100_000)
    p.add_argument("--visits-per", type=int, default=10)
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()
    url = vp.PG_URL
    today = dt.date.today()
    t = time.perf_counter()
    common.fresh_database(url)
    back = migrate(url, "0009_partition_by_year")
    print(f"fresh database, migrated ({time.perf_counter() - t:.0f}s; 0010 undone {back:.1f}s)")
    os.environ["DATABASE_URL"], os.environ["DEBUG"] = url, "0"
    common.django_setup()
    from django.db import connection

    from fairinspect.registry.models import Officer

    t = time.perf_counter()
    vp.load(args.enterprises, args.visits_per, today)
    ents = vp.sampled(today)[:50]
    settle()
    with connection.cursor() as c:
        counts = {}
        for table in ("visits_visit", "visits_visitofficer", "visits_visit_items"):
            c.execute(f"SELECT count(*) FROM {table}")
            counts[table] = c.fetchone()[0]
    print(
        f"loaded in {time.perf_counter() - t:.0f}s: "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items())
    )
    common.print_machine(common.database_label())
    officer = Officer.objects.get(name="bench_officer")
    measure("children plain (visits 0009)", ents, officer, today)
    measure("children plain, again", ents, officer, today)
    connection.close()
    fwd = migrate(url, "0010_partition_children_by_year")
    print(f"migrate visits 0010 forward: {fwd:.1f}s")
    settle()
    measure("children partitioned (visits 0010)", ents, officer, today)
    measure("children partitioned, again", ents, officer, today)
    connection.close()
    rev = migrate(url, "0009_partition_by_year")
    print(f"migrate visits 0009 (reverse): {rev:.1f}s")
    if not args.keep:
        name = urlparse(url).path.lstrip("/")
        subprocess.run(["dropdb", *common.pg_cli_args(url), "--force", name], check=True)
        print("benchmark database dropped")


if __name__ == "__main__":
    main()
