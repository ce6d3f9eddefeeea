"""Benchmark: importing enterprises through the real import path (issue 2, R3.1).

`services.start_import` (read the header, count rows, store the upload) then
`services.run_import_job` (validate every row with the shared cleaner, then write all in
one transaction with the audit record) — exactly what an administrator's upload does, minus
the task queue. Prints rows per second for the validation and the writing separately.

Each run starts from a freshly created and migrated benchmark database (never the project's
own): SQLite in /tmp and PostgreSQL `fi_bench` (see _registry_common.py). The PostgreSQL
database is left holding the CSV's 100,000 enterprises, which registry_search.py reuses.

    .venv/bin/python bench/registry_import.py                  # both databases
    .venv/bin/python bench/registry_import.py --db postgres --rows 10000 --xlsx-rows 0

The upload limit (IMPORT_MAX_BYTES, 50 MB by default: about 280,000 rows of this CSV) is
raised for the benchmark's own run when its file needs it (1,000,000 rows: 182 MB).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _registry_common as common


def child(fmt: str, rows: int) -> None:
    common.django_setup()
    from fairinspect.registry import services
    from fairinspect.registry.models import Enterprise, ImportJob

    db = common.database_label()
    admin, _ = common.bench_admin()
    t = time.perf_counter()
    data = common.enterprise_csv(rows) if fmt == "csv" else common.enterprise_xlsx(rows)
    gen = time.perf_counter() - t

    load_before = common.loadavg()
    t0 = time.perf_counter()
    job = services.start_import(
        actor=admin, kind="enterprises", file_name=f"bench.{fmt}", data=data
    )
    t1 = time.perf_counter()
    marks: dict[str, float] = {}

    def progress(done: int, total: int, phase: str) -> None:
        if phase == "writing" and "writing" not in marks:
            marks["writing"] = time.perf_counter()

    job = services.run_import_job(job.pk, progress=progress)
    t2 = time.perf_counter()
    if job.status != ImportJob.Status.DONE or job.created_count != rows:
        raise SystemExit(f"import did not succeed: {job.status} {job.errors[:3]}")
    count = Enterprise.objects.count()
    validate = marks["writing"] - t1
    write = t2 - marks["writing"]
    total = t2 - t0
    print(
        f"  {db:16} {fmt.upper():4} {rows:>7,} rows ({len(data) / 1e6:.1f} MB, "
        f"generated in {gen:.1f}s): start_import {t1 - t0:.2f}s; "
        f"validate {validate:.1f}s = {rows / validate:,.0f} rows/s; "
        f"write {write:.1f}s = {rows / write:,.0f} rows/s; "
        f"total {total:.1f}s = {rows / total:,.0f} rows/s; enterprises in db {count:,}"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the importer's own
    print(
        f"  peak RSS {rss:,.0f} MB (the importing process; workers apart); "
        f"load before {load_before}, after {common.loadavg()}"
    )
    print(
        f"RESULT|{db}|{fmt.upper()}|{rows}|{len(data)}|{t1 - t0:.3f}|{validate:.3f}|"
        f"{rows / validate:.0f}|{write:.3f}|{rows / write:.0f}|{total:.3f}|{rows / total:.0f}"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", default="sqlite,postgres", help="sqlite, postgres or both")
    p.add_argument("--rows", type=int, default=100_000, help="CSV rows")
    p.add_argument("--xlsx-rows", type=int, default=20_000, help="XLSX rows (0: skip)")
    p.add_argument("--child", choices=["csv", "xlsx"], help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args.child, args.rows)
        return
    urls = {"sqlite": common.SQLITE_URL, "postgres": common.PG_URL}
    print(f"== registry import: {args.rows:,} enterprises (CSV), {args.xlsx_rows:,} (XLSX) ==")
    common.print_machine()
    for name in args.db.split(","):
        url = urls[name.strip()]
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0"}
        env.setdefault("IMPORT_MAX_BYTES", str(max(50, args.rows // 4000) * 1024 * 1024))
        # XLSX first, CSV last, each on a fresh database: the CSV's rows stay for the search.
        for fmt, n in (("xlsx", args.xlsx_rows), ("csv", args.rows)):
            if n <= 0:
                continue
            common.fresh_database(url)
            subprocess.run(
                [sys.executable, __file__, "--child", fmt, "--rows", str(n)], check=True, env=env
            )


if __name__ == "__main__":
    main()
