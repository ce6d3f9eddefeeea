"""Benchmark: a province on one partitioned PostgreSQL, one command (issue 13 item 5).

Loads one dataset into its own database (`fi_province`, FI_PROVINCE_PG_URL; never another
benchmark's) with the visits benchmark's loader (bench/visits_precheck.py `ensure_loaded`,
COPY + INSERT … SELECT into the migrated, partitioned schema, run through
bench/scale_requests.py --load-only): --enterprises N (default 1,000,000) and --visits-per
(10) visits each over five years, items, two officers each, 5% with a hazard. Loaded once:
a later run on the same size reuses it (--reload to load again). Then runs the existing
benchmarks against it as child processes, each printing its own output, and collects their
RESULT/RATIO lines:

  1. bench/scale_requests.py: the 扫码 pre-check, the quota endpoint and three searches
     over HTTP, each beside the empty view and its own bare SQL (wall and CPU);
  2. bench/scale_draw.py --district D: a district bureau's own draw over its territory
     (freeze, run, publish) and the public draw page beside the empty view;
  3. bench/supervision_breaches.py --shape-existing --once: the dataset reshaped in place
     into a bureau's year (this year's visits: confirmed teams, plans, 1% district, 2%
     without a recording, 0.5% at 22:00), detection.run of every rule, the dashboard;
  4. bench/registry_import.py --db postgres: importing --import-rows (default N) enterprises
     through the real import path (one all-or-nothing transaction) into a second database
     of its own (`fi_province_import`, FI_PROVINCE_IMPORT_PG_URL: the import benchmark
     drops and migrates its database), dropped afterwards;
and measures the floors the children do not print (plain psycopg, same database): one
GROUP BY of this year's visits (what every detection rule reads at least once), the
district's enterprises joined with their visits of the year (what the freeze reads at
least), COPY of the imported rows into an unindexed copy of the enterprise table.

Prints one summary table (measure, value, floor, ratio, the issue's target, met), the dataset
(rows, pg_database_size, per-partition sizes), the load time, the machine and load averages,
then an extrapolation to 10,000,000 / 100,000,000 and to a country (≈ 30 provinces) with its
assumptions. --skip requests,draw,breaches,import leaves steps out; --drop drops the
database at the end. Never asserts on time.

    .venv/bin/python bench/province.py [--enterprises 1000000] [--visits-per 10] [--reload]
        [--requests 300] [--district 650102] [--import-rows N] [--skip STEPS] [--drop]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _registry_common as common

PG_URL = os.environ.get("FI_PROVINCE_PG_URL", "postgres://postgres@127.0.0.1:5432/fi_province")
STEPS = ("requests", "draw", "breaches", "import")
# The database names of others (the lead's, other benchmarks', the test runs'): refused.
OTHERS = ("scale_requests", "fairinspect", "postgres", "template0", "template1", "test")
OTHER_PREFIXES = ("lead", "test_")
# The province the extrapolation aims at, and a country of about 30 such provinces.
PROVINCE_E, PROVINCE_V = 10_000_000, 100_000_000
PROVINCES = 30
DISTRICT_E = 100_000  # enterprises of a district in a province of 10,000,000 (~100 districts)


def db_name(url: str) -> str:
    return urlparse(url).path.lstrip("/")


def with_db(url: str, name: str) -> str:
    return urlparse(url)._replace(path=f"/{name}").geturl()


def guard(url: str) -> None:
    name = db_name(url)
    if name in OTHERS or name.startswith(OTHER_PREFIXES):
        raise SystemExit(f"refusing database {name!r}: give the province benchmark its own")


def load_avg() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def child(script: str, args: list[str], env: dict[str, str]) -> tuple[list[str], float]:
    """Run bench/<script> with `args`, echo its output as it comes, return its lines and
    its wall time; a failing child stops the benchmark (its output says why)."""
    cmd = [sys.executable, "-u", str(common.BENCH / script), *args]
    path = os.pathsep.join([str(common.ROOT / "src"), str(common.BENCH)])
    full = {**os.environ, **env, "PYTHONPATH": path, "PYTHONUNBUFFERED": "1"}
    print(f"\n--- {script} {' '.join(args)}  (load {load_avg()}, {utc()})", flush=True)
    t = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=common.ROOT,
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: an interrupt stops its children too
    )
    lines = []
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            line = line.rstrip("\n")
            print(f"  | {line}", flush=True)
            lines.append(line)
        rc = proc.wait()
    except KeyboardInterrupt:  # stop the child and its own children, then report what is done
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=120)
        raise
    wall = time.perf_counter() - t
    print(f"--- {script}: exit {rc} after {wall:.0f}s (load {load_avg()})", flush=True)
    if rc:
        raise SystemExit(f"{script} failed (exit {rc})")
    return lines, wall


def fields(lines: list[str], *prefix: str) -> list[list[str]]:
    """The |-separated fields of every line starting with `prefix` (joined by |)."""
    head = "|".join(prefix) + "|"
    return [line.split("|") for line in lines if line.startswith(head)]


def pairs(row: list[str], start: int) -> dict[str, float]:
    """key|value|key|value… from position `start` on."""
    return {row[i]: float(row[i + 1]) for i in range(start, len(row) - 1, 2)}


def utc() -> str:
    return dt.datetime.now(dt.UTC).strftime("%H:%M UTC")


# ---- measured here: sizes and the floors the children do not print --------------------------


def connect(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def dataset(url: str) -> dict:
    """Rows, the database's size and the size of each table (partitioned ones summed, with
    their partitions)."""
    with connect(url) as conn:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        out = {
            "enterprises": one("SELECT count(*) FROM registry_enterprise"),
            "visits": one("SELECT count(*) FROM visits_visit"),
            "db_bytes": one("SELECT pg_database_size(current_database())"),
        }
        rows = conn.execute(
            """SELECT coalesce(p.relname, c.relname), c.relname, pg_total_relation_size(c.oid),
                      CASE WHEN c.relkind = 'r' THEN c.reltuples::bigint ELSE 0 END
               FROM pg_class c
               LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
               LEFT JOIN pg_class p ON p.oid = i.inhparent
               JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"""
        ).fetchall()
    tables: dict[str, dict] = {}
    for parent, rel, size, tuples in rows:
        t = tables.setdefault(parent, {"bytes": 0, "rows": 0, "parts": {}})
        t["bytes"] += size
        t["rows"] += max(tuples, 0)
        if parent != rel:
            t["parts"][rel] = (size, max(tuples, 0))
    out["tables"] = tables
    return out


def best_of(url: str, sql: str, params=(), n: int = 2) -> tuple[float, int]:
    """The statement run n times (every row fetched): the best wall time and its row count."""
    best, count = float("inf"), 0
    with connect(url) as conn:
        conn.execute("SET jit = off")  # as the application's settings do
        for _ in range(n):
            t = time.perf_counter()
            count = len(conn.execute(sql, params).fetchall())
            best = min(best, time.perf_counter() - t)
    return best, count


def year_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    return dt.date(today.year, 1, 1), dt.date(today.year + 1, 1, 1)


def detection_floor(url: str, today: dt.date) -> tuple[float, int]:
    lo, hi = year_bounds(today)
    return best_of(
        url,
        "SELECT enterprise_id, count(*) FROM visits_visit WHERE kind = 'on_site' "
        "AND planned_date >= %s AND planned_date < %s GROUP BY enterprise_id",
        (lo, hi),
    )


def freeze_floor(url: str, today: dt.date, district: str) -> tuple[float, int]:
    lo, hi = year_bounds(today)
    return best_of(
        url,
        "SELECT e.id, e.credit_code, count(v.id) FROM registry_enterprise e "
        "LEFT JOIN visits_visit v ON v.enterprise_id = e.id AND v.planned_date >= %s "
        "AND v.planned_date < %s WHERE e.district_code = %s GROUP BY e.id "
        "ORDER BY e.credit_code",
        (lo, hi, district),
    )


def copy_floor(url: str) -> tuple[float, int]:
    """COPY of every enterprise row out of the table and into an unindexed copy of it
    (one transaction, as the import's): the database's floor for writing these rows."""
    with connect(url) as src, connect(url) as dst:
        dst.execute("CREATE TEMP TABLE copy_floor (LIKE registry_enterprise INCLUDING DEFAULTS)")
        n = src.execute("SELECT count(*) FROM registry_enterprise").fetchone()[0]
        t = time.perf_counter()
        with (
            dst.transaction(),
            dst.cursor().copy("COPY copy_floor FROM STDIN") as into,
            src.cursor().copy("COPY registry_enterprise TO STDOUT") as out,
        ):
            for block in out:
                into.write(block)
        wall = time.perf_counter() - t
    return wall, n


def drop(url: str) -> None:
    args = common.pg_cli_args(url)
    subprocess.run(["dropdb", *args, "--if-exists", "--force", db_name(url)], check=True)


# ---- the report -------------------------------------------------------------------------------


def gb(b: float) -> str:
    return f"{b / 1e9:.2f} GB"


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "NOT met")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--enterprises", type=int, default=1_000_000)
    p.add_argument("--visits-per", type=int, default=10)
    p.add_argument("--reload", action="store_true")
    p.add_argument("--requests", type=int, default=300)
    p.add_argument("--district", default="650102", help="the district of the draw")
    p.add_argument("--count", type=int, default=0, help="the draw's count (default N / 500)")
    p.add_argument("--import-rows", type=int, default=0, help="default: --enterprises")
    p.add_argument("--dashboard-requests", type=int, default=10)
    p.add_argument("--skip", default="", help=f"comma-separated, of {','.join(STEPS)}")
    p.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = p.parse_args()
    # SIGINT or SIGTERM (even when started in the background, which ignores SIGINT) stops
    # the running step and prints the summary of the steps done.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    skip = {s for s in args.skip.split(",") if s}
    if skip - set(STEPS):
        raise SystemExit(f"unknown step in --skip: {', '.join(sorted(skip - set(STEPS)))}")
    guard(PG_URL)
    imp_url = os.environ.get(
        "FI_PROVINCE_IMPORT_PG_URL", with_db(PG_URL, f"{db_name(PG_URL)}_import")
    )
    guard(imp_url)
    n, per = args.enterprises, args.visits_per
    import_rows = args.import_rows or n
    count = args.count or max(10, n // 500)
    today = dt.date.today()
    size = ["--enterprises", str(n), "--visits-per", str(per)]
    print(f"== a province on one PostgreSQL: {n:,} enterprises, {n * per:,} visits ==")
    common.print_machine()
    started = utc()
    print(f"  database {db_name(PG_URL)}; started {started}, load average {load_avg()}")

    load_env = {"FI_SCALE_REQUESTS_PG_URL": PG_URL, "FI_SCALE_REQUESTS_PORT": "8471"}
    lines, load_s = child(
        "scale_requests.py",
        [*size, "--load-only", *(["--reload"] if args.reload else [])],
        load_env,
    )
    loaded = any(line.strip().startswith("loaded in") for line in lines)
    data = dataset(PG_URL)
    print(
        f"  dataset: {data['enterprises']:,} enterprises, {data['visits']:,} visits, "
        f"{gb(data['db_bytes'])} ({'loaded' if loaded else 'already loaded, reused'} in "
        f"{load_s:.0f}s)"
    )
    results: dict = {}

    def requests() -> None:
        lines, _ = child("scale_requests.py", [*size, "--requests", str(args.requests)], load_env)
        res = {r[2]: r for r in fields(lines, "RESULT", "scale")}
        results["empty"] = float(res["empty"][6])
        results["ratio"] = {r[1]: r for r in fields(lines, "RATIO") if r[2] == "1"}
        results["cpu"] = {r[1]: r for r in fields(lines, "CPU") if r[2] == "1"}

    def draw() -> None:
        draw_args = ["--district", args.district, "--count", str(count), "--requests", "200"]
        lines, _ = child("scale_draw.py", draw_args, load_env)
        results["draw"] = pairs(fields(lines, "RESULT", "draw")[0], 2)
        page = fields(lines, "RATIO", "public_draw")[0]
        results["public"] = (float(page[2]), float(page[3]))
        results["freeze_floor"] = freeze_floor(PG_URL, today, args.district)

    def breaches() -> None:
        env = {"FI_BENCH_SUPERVISION_PG_URL": PG_URL, "FI_BENCH_SUPERVISION_PORT": "8473"}
        more = ["--shape-existing", "--once", "--requests", str(args.dashboard_requests)]
        lines, _ = child("supervision_breaches.py", [*size, *more], env)
        results["detection"] = pairs(fields(lines, "RESULT", "detection")[0], 2)
        sup = {r[2]: r for r in fields(lines, "RESULT", "supervision")}
        results["dashboard"] = (float(sup["page"][6]), float(sup["empty"][6]))
        results["detection_floor"] = detection_floor(PG_URL, today)

    def import_() -> None:
        env = {"FI_BENCH_PG_URL": imp_url}
        imp = ["--db", "postgres", "--rows", str(import_rows), "--xlsx-rows", "0"]
        try:
            lines, _ = child("registry_import.py", imp, env)
            r = fields(lines, "RESULT")[-1]
            results["import"] = {
                "rows": int(r[3]),
                "validate_rps": float(r[7]),
                "write_rps": float(r[9]),
                "total_s": float(r[10]),
                "rps": float(r[11]),
            }
            results["copy_floor"] = copy_floor(imp_url)
        finally:
            drop(imp_url)
            print(f"  dropped {db_name(imp_url)}")

    not_done = []
    steps = {"requests": requests, "draw": draw, "breaches": breaches, "import": import_}
    for name, step in steps.items():
        if name in skip:
            not_done.append(f"{name} (skipped)")
            continue
        try:
            step()
        except KeyboardInterrupt:
            print(f"\n  interrupted at {utc()} in {name}: the summary holds the steps done")
            not_done += [f"{k} (interrupted)" for k in list(steps)[list(steps).index(name) :]]
            break
        except SystemExit as e:  # a child failed: the others still run
            print(f"  {name} not measured: {e}")
            not_done.append(f"{name} (failed: {e})")

    data = dataset(PG_URL)  # after the runs (the reshaping added plans)
    summary(args, data, load_s, loaded, results, started, count)
    if not_done:
        print(f"  not measured: {', '.join(not_done)}")
    extrapolate(args, data, load_s, loaded, results)
    if args.drop:
        drop(PG_URL)
        print(f"  dropped {db_name(PG_URL)}")


def ratio_row(
    label: str, p50: float, floor: float, ratio: float, limit: float, note: str = ""
) -> tuple[str, str, str, str, str, str]:
    """A summary row of a request beside its floor, against the issue's ≤ limit× target."""
    return (
        label,
        f"{p50:.2f} ms",
        f"{floor:.2f} ms",
        f"×{ratio:.1f}{note}",
        f"≤ {limit:g}×",
        verdict(ratio <= limit),
    )


def summary(args, data, load_s, loaded, results, started, count) -> None:
    n_e, n_v = data["enterprises"], data["visits"]
    rows: list[tuple[str, str, str, str, str, str]] = []
    ratio, cpu = results.get("ratio", {}), results.get("cpu", {})
    if ratio:
        empty = results["empty"]
        for key, label in [("precheck", "扫码 pre-check"), ("quota", "quota endpoint")]:
            r, c = ratio[key], cpu.get(key)
            p50, to_empty, to_sql = float(r[3]), float(r[4]), float(r[5])
            sql = p50 / to_sql
            cpu_note = f" (CPU ×{float(c[5]):.1f})" if c else ""
            if key == "precheck":
                empty_cpu = f" (CPU ×{float(c[4]):.1f})" if c else ""
                rows.append(
                    ratio_row(f"{label} p50 ÷ empty view", p50, empty, to_empty, 8, empty_cpu)
                )
            rows.append(ratio_row(f"{label} p50 ÷ its bare SQL", p50, sql, to_sql, 3, cpu_note))
        for key, r in ratio.items():
            if key.startswith("search "):
                p50, to_sql = float(r[3]), float(r[5])
                rows.append(
                    ratio_row(f"search q={key[7:]} ÷ its bare SQL", p50, p50 / to_sql, to_sql, 3)
                )
    if "draw" in results:
        d = results["draw"]
        fr, fr_rows = results["freeze_floor"]
        total = d["freeze_s"] + d["run_s"]
        rows.append(
            (
                f"district {args.district} draw: freeze + run (pool {int(d['pool']):,}, "
                f"{int(d['excluded']):,} excluded, count {count:,}); peak RSS",
                f"{d['freeze_s']:.1f} + {d['run_s']:.1f} s; {d['rss_mb']:.0f} MB",
                f"{fr:.2f} s (the territory's {fr_rows:,} enterprises with their visits)",
                f"×{d['freeze_s'] / fr:.1f} (freeze)",
                "≤ 60 s, ≤ 500 MB",
                verdict(total <= 60 and d["rss_mb"] <= 500),
            )
        )
        rows.append(
            (
                "  its publish_result (the visits created)",
                f"{d['publish_s']:.1f} s",
                "",
                "",
                "",
                "—",
            )
        )
        p50, to_empty = results["public"]
        rows.append(
            ratio_row(
                "public draw page p50 ÷ empty view (in-process)", p50, p50 / to_empty, to_empty, 5
            )
        )
    if "detection" in results:
        det = results["detection"]
        fl, fl_rows = results["detection_floor"]
        rows.append(
            (
                f"breach detection, every rule, this year ({int(det['breaches']):,} breaches); "
                "peak RSS",
                f"{det['first_s']:.1f} s; {det['rss_mb']:.0f} MB",
                f"{fl:.2f} s (one GROUP BY of the year's visits, {fl_rows:,} enterprises)",
                f"×{det['first_s'] / fl:.1f}",
                "none stated",
                "—",
            )
        )
        page, empty = results["dashboard"]
        rows.append(
            (
                "supervision dashboard p50 ÷ empty view",
                f"{page:.1f} ms",
                f"{empty:.2f} ms",
                f"×{page / empty:.0f}",
                "none stated",
                "—",
            )
        )
    if "import" in results:
        imp = results["import"]
        cf, cf_rows = results["copy_floor"]
        rows.append(
            (
                f"import of {imp['rows']:,} enterprises, end to end (one transaction)",
                f"{imp['rps']:,.0f} rows/s ({imp['total_s']:.0f} s)",
                f"{cf_rows / cf:,.0f} rows/s (COPY into an unindexed copy, {cf:.1f} s)",
                f"÷{(cf_rows / cf) / imp['rps']:.1f}",
                "≥ 20,000 rows/s",
                verdict(imp["rps"] >= 20_000),
            )
        )
        rows.append(
            (
                "  its validation / its write phase",
                f"{imp['validate_rps']:,.0f} / {imp['write_rps']:,.0f} rows/s",
                "",
                "",
                "",
                "—",
            )
        )
    print(f"\n== summary: {n_e:,} enterprises, {n_v:,} visits ({started} – {utc()}) ==")
    print("| measure | value | floor | ratio | issue's target | |")
    print("|---|---:|---|---:|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    m = common.machine()
    print(
        f"\n  dataset: {n_e:,} enterprises, {n_v:,} visits, pg_database_size "
        f"{gb(data['db_bytes'])}; load {'took' if loaded else '(reused; earlier run)'} "
        f"{load_s:.0f} s; machine {m['cpus']} CPUs, {m['memory']}, {m['cpu']}; "
        f"load average now {load_avg()} (shared machine)"
    )
    print("  largest tables (table + indexes + TOAST, over their partitions):")
    big = sorted(data["tables"].items(), key=lambda kv: -kv[1]["bytes"])[:8]
    year = f"_p{dt.date.today().year}"
    for name, t in big:
        part = next(((k, v) for k, v in t["parts"].items() if k.endswith(year)), None)
        extra = f"; {part[0]} {gb(part[1][0])}, {part[1][1]:,} rows" if part else ""
        print(f"    {name:28} {gb(t['bytes']):>9}  ≈{t['rows']:>12,} rows{extra}")


def extrapolate(args, data, load_s, loaded, results) -> None:
    """Linear where the work is linear, constant where it is bounded; says which."""
    n_e, n_v = data["enterprises"], data["visits"]
    t = data["tables"]
    e_bytes = sum(t.get(k, {}).get("bytes", 0) for k in ("registry_enterprise",))
    v_tables = [k for k in t if k.startswith("visits_")]
    v_bytes = sum(t[k]["bytes"] for k in v_tables)
    rest = data["db_bytes"] - e_bytes - v_bytes
    fe, fv = PROVINCE_E / n_e, PROVINCE_V / n_v
    prov = e_bytes * fe + v_bytes * fv + rest
    print(f"\n== extrapolation to a province ({PROVINCE_E:,} / {PROVINCE_V:,}) and a country ==")
    print(
        f"  sizes: {e_bytes / n_e:,.0f} bytes an enterprise (registry_enterprise with its "
        f"indexes), {v_bytes / n_v:,.0f} bytes a visit (every visits_* table: the visit, its "
        f"team, items, plan, hazards), {gb(rest)} the rest (constant)."
    )
    print(
        f"| measure | this run | province (×{fe:.0f} enterprises, ×{fv:.0f} visits) "
        f"| country (≈ {PROVINCES} provinces) | assumption |"
    )
    print("|---|---|---|---|---|")
    print(
        f"| disk (pg_database_size) | {gb(data['db_bytes'])} | {gb(prov)} | "
        f"{gb(prov * PROVINCES)} on one server, or per Citus worker ÷ workers | linear in rows; "
        "one year's visits partition is a fifth of the visits (five years kept) |"
    )
    if loaded:
        print(
            f"| load (COPY + INSERT … SELECT) | {load_s / 60:.0f} min | ≈ {load_s * fv / 3600:.1f} h | "
            f"≈ {load_s * fv * PROVINCES / 3600:.0f} h on one server | linear in visits (the "
            "team and items are most of it); indexes outgrowing RAM make it worse |"
        )
    ratio = results.get("ratio", {})
    if ratio:
        pc, q = float(ratio["precheck"][3]), float(ratio["quota"][3])
        print(
            f"| 扫码 pre-check / quota p50 | {pc:.1f} / {q:.1f} ms | same | same (one Citus "
            "shard per enterprise) | constant in history: 8 / 4 statements on one enterprise's "
            "rows of one year partition, by index (a B-tree one level deeper at ×10) |"
        )
        search = ", ".join(
            f"{k[7:]} {float(r[3]):.1f} ms" for k, r in ratio.items() if k.startswith("search ")
        )
        print(
            f"| search p50 | {search} | selective: same; broad: up to ×{fe:.0f} | a fan-out "
            "to every shard | the GIN bigram probe is proportional to the fragment's hits "
            "(the count capped at 1,001, the page by keyset) |"
        )
    if "draw" in results:
        d = results["draw"]
        fr_rows = results["freeze_floor"][1]
        k = DISTRICT_E / max(fr_rows, 1)
        print(
            f"| district draw freeze + run | {d['freeze_s'] + d['run_s']:.1f} s over "
            f"{fr_rows:,} enterprises | ≈ {(d['freeze_s'] + d['run_s']) * k:.1f} s for a "
            f"district of {DISTRICT_E:,} | same per district (each bureau draws its own) | "
            "linear in the territory (its enterprises and their visits of the year), "
            "independent of the province's size |"
        )
    if "detection" in results:
        det = results["detection"]
        page, _empty = results["dashboard"]
        print(
            f"| breach detection (every rule) | {det['first_s']:.0f} s | ≈ "
            f"{det['first_s'] * fv / 60:.0f} min | ≈ {det['first_s'] * fv * PROVINCES / 3600:.1f} h "
            "on one server; ÷ workers on Citus | linear in the year's visits (each rule scans "
            "them once) |"
        )
        print(
            f"| supervision dashboard | {page:.0f} ms | ≈ {page * fv / 1000:.1f} s (province-"
            "wide) | a city's scope stays a city's | linear in the year's visits of the "
            "viewer's scope |"
        )
    if "import" in results:
        imp = results["import"]
        print(
            f"| import of {imp['rows']:,} rows | {imp['rps']:,.0f} rows/s | ≤ {imp['rps']:,.0f}"
            " rows/s | same per province | per-row cost roughly constant in the file's size; "
            "index maintenance grows with the table (measured 2× a row from 100,000 to "
            "1,000,000), so into a table of 10,000,000 it is slower |"
        )


if __name__ == "__main__":
    main()
