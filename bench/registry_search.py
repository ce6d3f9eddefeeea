"""Benchmark: enterprise search over HTTP against a running server (issue 2, R3.1).

With 100,000 enterprises on PostgreSQL (`fi_bench`, loaded by registry_import.py or, when
missing, here with bulk_create), starts a server on 127.0.0.1:8300 (gunicorn if installed,
else `manage.py runserver --noreload`) with bench_settings (the real URLs plus an empty
view), then times, in the same run and with the same client:
  - an empty Django view (/bench/empty) — the cost of Django itself,
  - the list page /registry/enterprises/?… (logged-in administrator, session cookie),
  - the API GET /api/v1/enterprises?… (Bearer token from POST /api/v1/auth/token),
  - the bare SQL of each search (the COUNT and the page SELECT Django issues, captured from
    Django and replayed with psycopg directly),
for several query shapes, at concurrency 1 and 4 (threads, one keep-alive connection each),
a bounded number of requests per shape. Prints p50/p99 latency and requests per second.

If src/fairinspect/registry/migrations/0003_enterprise_name_trgm.py exists, the name and
code searches are measured without and then with its pg_trgm index (dropped and recreated
with the migration's own SQL; the index is left in place as the migration wants it).

    .venv/bin/python bench/registry_search.py [--requests 500] [--reload]
"""

from __future__ import annotations

import argparse
import http.client
import importlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _registry_common as common

HOST, PORT = "127.0.0.1", int(os.environ.get("FI_BENCH_PORT", "8300"))
ROWS = 100_000
NAME4, NAME2, CODE_PREFIX = "澄源化工", "澄源", "916501020001"
# (label, page query, API query, EnterpriseFilter arguments, offset)
SHAPES = [
    ("name substring, 4 chars", {"q": NAME4}, {"q": NAME4}, {"q": NAME4}, 0),
    ("name substring, 2 chars", {"q": NAME2}, {"q": NAME2}, {"q": NAME2}, 0),
    ("credit-code prefix", {"q": CODE_PREFIX}, {"q": CODE_PREFIX}, {"q": CODE_PREFIX}, 0),
    # district + industry would be the natural filter, but the industry filter fails
    # (FieldError: startswith on the industry foreign key, queries.filter_enterprises):
    # reported, not measured. District + high-risk uses the same district index.
    (
        "district + high-risk",
        {"district": "650102", "high_risk": "1"},
        {"district_code": "650102", "high_risk": "true"},
        {"district": "650102", "high_risk": True},
        0,
    ),
    ("no filter, page 1", {}, {}, {}, 0),
    ("no filter, page 200", {"page": "200"}, {"offset": "9950"}, {}, 9950),
]
TRGM_SHAPES = {"name substring, 4 chars", "name substring, 2 chars", "credit-code prefix"}
MIGRATION = "fairinspect.registry.migrations.0003_enterprise_name_trgm"


# ---- the HTTP client --------------------------------------------------------------------


def run_load(path: str, headers: dict[str, str], n: int, concurrency: int):
    """n GET requests spread over `concurrency` threads; (latencies in s, wall time in s)."""
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []
    per = [n // concurrency + (1 if i < n % concurrency else 0) for i in range(concurrency)]

    def worker(count: int) -> None:
        conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
        mine = []
        for _ in range(count):
            t = time.perf_counter()
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            mine.append(time.perf_counter() - t)
            if resp.status != 200:
                errors.append(f"{resp.status} {path}")
                break
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(c,)) for c in per]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    if errors:
        raise SystemExit(f"request failed: {errors[0]}")
    return latencies, wall


def run_sql(statements: list[str], n: int, concurrency: int):
    """The same statements replayed with psycopg, one connection per thread."""
    import psycopg

    latencies: list[float] = []
    lock = threading.Lock()
    per = [n // concurrency + (1 if i < n % concurrency else 0) for i in range(concurrency)]

    def worker(count: int) -> None:
        mine = []
        with psycopg.connect(common.PG_URL, autocommit=True) as conn, conn.cursor() as cur:
            for _ in range(count):
                t = time.perf_counter()
                for sql in statements:
                    cur.execute(sql)
                    cur.fetchall()
                mine.append(time.perf_counter() - t)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(c,)) for c in per]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return latencies, time.perf_counter() - t0


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def report(phase: str, target: str, shape: str, conc: int, lat: list[float], wall: float):
    p50, p99 = pct(lat, 50) * 1000, pct(lat, 99) * 1000
    rps = len(lat) / wall
    print(
        f"  {target:10} {shape:26} c={conc}  n={len(lat):4}  p50 {p50:7.2f} ms  "
        f"p99 {p99:7.2f} ms  {rps:8.1f} req/s"
    )
    print(f"RESULT|{phase}|{target}|{shape}|{conc}|{len(lat)}|{p50:.2f}|{p99:.2f}|{rps:.1f}")


# ---- the server ---------------------------------------------------------------------------


def start_server(env: dict[str, str]):
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which(
        "gunicorn"
    )
    workers = str(max(2, 2 * (os.cpu_count() or 1)))
    if gunicorn:
        cmd = [gunicorn, "fairinspect.config.wsgi:application", "-b", f"{HOST}:{PORT}"]
        cmd += ["-w", workers, "--pythonpath", str(common.BENCH), "--log-level", "warning"]
        cmd += ["--timeout", "300"]  # a dashboard over millions of visits outlasts the 30 s
        label = f"gunicorn {workers} sync workers"
    else:
        cmd = [sys.executable, str(common.ROOT / "manage.py"), "runserver", f"{HOST}:{PORT}"]
        cmd += ["--noreload"]
        label = "manage.py runserver (threaded)"
    env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(common.BENCH), str(common.ROOT / "src")]),
    }
    proc = subprocess.Popen(cmd, cwd=common.ROOT, env=env, stdout=subprocess.DEVNULL)
    for _ in range(300):
        try:
            c = http.client.HTTPConnection(HOST, PORT, timeout=2)
            c.request("GET", "/bench/empty")
            if c.getresponse().status == 200:
                return proc, label
        except OSError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        time.sleep(0.1)
    proc.terminate()
    raise SystemExit("server did not start")


def session_cookie(username: str, password: str) -> str:
    """Log in through the real login page; the Cookie header of the session."""
    import requests

    base = f"http://{HOST}:{PORT}"
    s = requests.Session()
    s.get(f"{base}/login/", timeout=30)
    r = s.post(
        f"{base}/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": s.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=30,
    )
    if r.status_code != 302 or "sessionid" not in s.cookies:
        raise SystemExit(f"login failed: {r.status_code}")
    return "; ".join(f"{k}={v}" for k, v in s.cookies.items())


def bearer_token(username: str, password: str) -> str:
    c = http.client.HTTPConnection(HOST, PORT, timeout=30)
    c.request(
        "POST",
        "/api/v1/auth/token",
        body=json.dumps({"username": username, "password": password}),
        headers={"Content-Type": "application/json"},
    )
    r = c.getresponse()
    body = json.loads(r.read())
    if r.status != 200:
        raise SystemExit(f"token refused: {body}")
    return body["token"]


# ---- the SQL Django issues --------------------------------------------------------------


def search_sql(admin, filter_args: dict, offset: int, *, page: bool) -> list[str]:
    """The COUNT and the page SELECT the list page (page=True) or the API issues."""
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fairinspect.registry import access, queries

    f = queries.EnterpriseFilter(**filter_args)
    qs = queries.filter_enterprises(access.enterprises_visible_to(admin), f)
    with CaptureQueriesContext(connection) as cq:
        if page:
            p = Paginator(qs.select_related("industry"), 50).get_page(offset // 50 + 1)
            list(p.object_list)
        else:
            qs.count()
            list(qs[offset : offset + 50])
    return [q["sql"] for q in cq.captured_queries if "registry_enterprise" in q["sql"]]


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + sql)
        lines = [r[0] for r in c.fetchall()]
    scans = [ln.strip() for ln in lines if "Scan" in ln]
    total = next((ln for ln in lines if ln.startswith("Execution Time")), "")
    return "; ".join(scans[:3]) + f" [{total}]"


# ---- the run ----------------------------------------------------------------------------


def ensure_data(url: str, reload: bool) -> None:
    import psycopg

    count = -1
    if not reload:
        try:
            with psycopg.connect(url, connect_timeout=5) as conn:
                count = conn.execute("SELECT count(*) FROM registry_enterprise").fetchone()[0]
        except psycopg.Error:
            count = -1
    if count != ROWS:
        print(f"  loading {ROWS:,} enterprises into a fresh database (had {count})")
        common.fresh_database(url)
        os.environ["FI_BENCH_NEEDS_LOAD"] = "1"


def measure(phase, shapes, admin, headers_page, headers_api, n, concs):
    for label, page_q, api_q, fargs, offset in shapes:
        targets = [
            ("page", "/registry/enterprises/?" + urlencode(page_q), headers_page),
            ("api", "/api/v1/enterprises?" + urlencode(api_q), headers_api),
        ]
        page_sql = search_sql(admin, fargs, offset, page=True)
        api_sql = search_sql(admin, fargs, offset, page=False)
        for _, path, h in targets:  # warm-up
            run_load(path, h, 10, 1)
        for conc in concs:
            for target, path, h in targets:
                lat, wall = run_load(path, h, n, conc)
                report(phase, target, label, conc, lat, wall)
            lat, wall = run_sql(page_sql, n, conc)
            report(phase, "sql(page)", label, conc, lat, wall)
            lat, wall = run_sql(api_sql, n, conc)
            report(phase, "sql(api)", label, conc, lat, wall)
        print(f"    plan ({label}): {explain(page_sql[0])}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=500, help="requests per shape and target")
    p.add_argument("--concurrency", default="1,4")
    p.add_argument("--reload", action="store_true", help="recreate the database and data")
    args = p.parse_args()
    concs = [int(c) for c in args.concurrency.split(",")]
    url = common.PG_URL
    print(f"== registry search over HTTP: {ROWS:,} enterprises on PostgreSQL ==")
    ensure_data(url, args.reload)
    os.environ["DATABASE_URL"], os.environ["DEBUG"] = url, "0"
    common.django_setup()
    from django.db import connection

    from fairinspect.registry.models import Enterprise

    if os.environ.pop("FI_BENCH_NEEDS_LOAD", ""):
        print(f"  bulk-loaded in {common.bulk_load_enterprises(ROWS):.1f}s")
    with connection.cursor() as c:
        c.execute("ANALYZE registry_enterprise")
    admin, password = common.bench_admin()
    common.print_machine(common.database_label())
    print("  load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    proc, server = start_server(dict(os.environ))
    try:
        print(
            f"  server: {server} on {HOST}:{PORT}, DEBUG=0; client: Python threads, "
            f"{args.requests} requests per target and shape; enterprises "
            f"{Enterprise.objects.count():,}"
        )
        headers_page = {"Cookie": session_cookie(admin.username, password)}
        headers_api = {"Authorization": f"Bearer {bearer_token(admin.username, password)}"}
        for path in ("/bench/empty",):
            run_load(path, {}, 20, 1)
            for conc in concs:
                lat, wall = run_load(path, headers_page, args.requests, conc)
                report("base", "empty", "empty Django view", conc, lat, wall)

        trgm = None
        if (
            (common.ROOT / "src" / Path(*MIGRATION.split(".")[:-1]))
            .joinpath(MIGRATION.split(".")[-1] + ".py")
            .exists()
        ):
            trgm = importlib.import_module(MIGRATION)
        if trgm is None:
            measure("base", SHAPES, admin, headers_page, headers_api, args.requests, concs)
            return
        with connection.cursor() as c:
            for sql in trgm.DROP_SQL:
                c.execute(sql)
        print("  -- without the pg_trgm index --")
        measure("base", SHAPES, admin, headers_page, headers_api, args.requests, concs)
        with connection.cursor() as c:
            t = time.perf_counter()
            for sql in trgm.CREATE_SQL:
                c.execute(sql)
            c.execute("ANALYZE registry_enterprise")
            built = time.perf_counter() - t
            c.execute("SELECT pg_size_pretty(pg_relation_size(%s))", [trgm.INDEX_NAME])
            size = c.fetchone()[0]
        print(f"  -- with the pg_trgm index (built in {built:.1f}s, {size}) --")
        shapes = [s for s in SHAPES if s[0] in TRGM_SHAPES]
        measure("trgm", shapes, admin, headers_page, headers_api, args.requests, concs)
        for conc in concs:
            lat, wall = run_load("/bench/empty", headers_page, args.requests, conc)
            report("trgm", "empty", "empty Django view", conc, lat, wall)
    finally:
        print("  load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
