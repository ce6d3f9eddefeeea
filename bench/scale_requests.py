"""Benchmark: requests beside their floors (issue 13, item 2) — the 扫码 pre-check, the quota
endpoint and the enterprise search, each as a ratio to an empty Django view and to its own
bare SQL, on PostgreSQL, same run, same client.

Database `scale_requests` (its own; FI_SCALE_REQUESTS_PG_URL), loaded like
bench/visits_precheck.py (COPY + INSERT … SELECT: 100,000 enterprises, 10 visits each over
five years, items, two officers each, 5% with a hazard) (the loader also writes
each enterprise's search key, rules.search, which the search reads). Starts the bench server (gunicorn if
installed) and times:
  - /bench/empty (Django's request handling alone),
  - the pre-check /visits/q/<token>/ (officer, session cookie) over 200 sampled enterprises,
  - GET /api/v1/enterprises/{code}/quota (Bearer token),
  - GET /api/v1/enterprises?q=<name fragment> (Bearer token), a few fragments,
  - the bare SQL of each (captured from Django for one request and replayed with psycopg;
    the session, role and token look-ups left out, as in visits_precheck.py),
then prints p50/p99 and the ratios (p50 of the request / p50 of the empty view, and / p50 of
its SQL). The issue's targets: pre-check ≤ 8× empty and ≤ 3× SQL; quota and search ≤ 3× SQL.
Two floors: /bench/empty (nothing loaded) and /bench/empty-auth (the session, the user and
the roles read, as every page behind the login does; sent with the officer's cookie).

--baseline-src DIR (a checkout's src/, e.g. of main before a change) starts a second server
on the next port from that code and measures it in the same run, request kind by request
kind (baseline then current), each beside the SQL its own code issues (captured by a child
process of this script with --capture-json on that code). Also times /api/v1/openapi.json
(first request of a fresh worker, then p50: it must be cached). --profile N runs N pre-check
and N quota requests in-process under cProfile instead (no server).

    .venv/bin/python bench/scale_requests.py [--enterprises 100000] [--visits-per 10]
        [--requests 400] [--concurrency 1] [--reload] [--load-only] [--searches A,B]
        [--baseline-src DIR] [--capture-json] [--profile N [--sort tottime]]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _cpu
import _registry_common as common
import registry_search as rs
import visits_precheck as vp

PG_URL = os.environ.get(
    "FI_SCALE_REQUESTS_PG_URL", "postgres://postgres@127.0.0.1:5432/scale_requests"
)
rs.PORT = int(os.environ.get("FI_SCALE_REQUESTS_PORT", "8391"))
common.PG_URL = PG_URL
SEARCHES = ["企业4242", "企业77", "1号有限"]
SKIP = ("django_session", "auth_group", "registry_apitoken")  # left out of the replayed SQL


def captured(client, path: str, headers: dict, skip: tuple[str, ...]) -> tuple[int, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path, **headers)
    with CaptureQueriesContext(connection) as cq:
        r = client.get(path, **headers)
    assert r.status_code == 200, (path, r.status_code)
    sql = [q["sql"] for q in cq.captured_queries if not any(s in q["sql"] for s in skip)]
    return len(cq.captured_queries), sql


def run_sql_cpu(statements: list[str], n: int) -> tuple[list[float], float, float]:
    """The bare SQL replayed n times on one connection (as rs.run_sql at c=1), with the CPU it
    cost: the client thread's (psycopg) plus its backend's, in ms per replay."""
    import psycopg

    lat = []
    with psycopg.connect(PG_URL, autocommit=True) as conn, conn.cursor() as cur:
        backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
        c0, b0, t0 = time.thread_time_ns(), _cpu.task_ns(backend), time.perf_counter()
        for _ in range(n):
            t = time.perf_counter()
            for sql in statements:
                cur.execute(sql)
                cur.fetchall()
            lat.append(time.perf_counter() - t)
        wall = time.perf_counter() - t0
        cpu = time.thread_time_ns() - c0 + _cpu.task_ns(backend) - b0
    return lat, wall, cpu / n / 1e6


def p50(lat: list[float]) -> float:
    return rs.pct(lat, 50) * 1000


def capture_all(ents, searches: list[str]) -> dict:
    """The SQL one request of each kind issues, captured in-process (the server's code)."""
    from django.test import Client

    from fairinspect.registry.auth import issue_token
    from fairinspect.registry.models import User
    from fairinspect.visits import qr

    officer = User.objects.get(username="bench_officer")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(officer)
    bearer_h = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(officer)}"}
    n_page, page_sql = captured(client, f"/visits/q/{qr.token_for(ents[0])}/", {}, SKIP)
    n_api, api_sql = captured(
        client, f"/api/v1/enterprises/{ents[0].credit_code}/quota", bearer_h, SKIP
    )
    search = {
        q: captured(client, f"/api/v1/enterprises?q={quote(q)}", bearer_h, SKIP)[1]
        for q in searches
    }
    return {"n_page": n_page, "page": page_sql, "n_api": n_api, "api": api_sql, "search": search}


def print_floors(what: str, table: dict[str, float], versions, digits: int) -> None:
    """The empty-auth floor of each version, when more than one is measured."""
    if len(versions) > 1:
        each = (f"{v[0] or 'current '}{table[v[0] + 'empty-auth']:.{digits}f} ms" for v in versions)
        print(f"  empty-auth {what}: " + ", ".join(each))


def start_server(src: Path, port: int):
    """gunicorn (the venv's) on `port` serving the code under `src` with bench_settings."""
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    if gunicorn is None:
        raise SystemExit("gunicorn is not installed in the venv")
    # Two workers (the client sends one request at a time), the app loaded once before the
    # fork (--preload: on a loaded machine a worker importing Django outlived the timeout).
    workers = "2"
    cmd = [gunicorn, "fairinspect.config.wsgi:application", "-b", f"{rs.HOST}:{port}"]
    cmd += ["-w", workers, "--pythonpath", str(common.BENCH), "--log-level", "warning"]
    cmd += ["--preload", "--timeout", "300"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(common.BENCH), str(src)]),
    }
    proc = subprocess.Popen(cmd, cwd=common.ROOT, env=env, stdout=subprocess.DEVNULL)
    for _ in range(600):
        try:
            c = http.client.HTTPConnection(rs.HOST, port, timeout=2)
            c.request("GET", "/bench/empty")
            if c.getresponse().status == 200:
                return proc, f"gunicorn {workers} sync workers ({src})"
        except OSError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        time.sleep(0.1)
    proc.terminate()
    raise SystemExit("server did not start")


def openapi_times(port: int, n: int) -> tuple[float, float]:
    """(first request, p50 of the next n) of /api/v1/openapi.json, in ms."""
    lat, _ = vp.run_paths(["/api/v1/openapi.json"], {}, n + 1, 1, port=port)
    return lat[0] * 1000, rs.pct(lat[1:], 50) * 1000


def profile(ents, n: int, sort: str = "cumulative") -> None:
    import cProfile
    import pstats

    from django.test import Client

    from fairinspect.registry.auth import issue_token
    from fairinspect.registry.models import User
    from fairinspect.visits import qr

    officer = User.objects.get(username="bench_officer")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(officer)
    bearer_h = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(officer)}"}
    kinds = [
        ("empty", ["/bench/empty"], {}),
        ("empty-auth", ["/bench/empty-auth"], {}),
        ("precheck", [f"/visits/q/{qr.token_for(e)}/" for e in ents], {}),
        ("quota", [f"/api/v1/enterprises/{e.credit_code}/quota" for e in ents], bearer_h),
    ]
    for key, paths, h in kinds:
        for path in paths[:20]:
            client.get(path, **h)
        t = time.process_time()
        for i in range(n):
            client.get(paths[i % len(paths)], **h)
        print(f"  in-process {key:10} {(time.process_time() - t) / n * 1000:6.2f} ms CPU")
    for key, paths, h in kinds[2:]:
        pr = cProfile.Profile()
        pr.enable()
        for i in range(n):
            client.get(paths[i % len(paths)], **h)
        pr.disable()
        print(f"  -- {key}: cProfile, {n} requests --")
        pstats.Stats(pr, stream=sys.stdout).sort_stats(sort).print_stats(30)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--enterprises", type=int, default=100_000)
    p.add_argument("--visits-per", type=int, default=10)
    p.add_argument("--requests", type=int, default=400)
    p.add_argument("--concurrency", default="1")
    p.add_argument("--reload", action="store_true")
    p.add_argument("--load-only", action="store_true", help="load the dataset and stop")
    p.add_argument("--searches", default=",".join(SEARCHES), help="comma-separated fragments")
    p.add_argument("--baseline-src", type=Path, help="also serve and measure this src/")
    p.add_argument("--capture-json", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--profile", type=int, default=0, help="N in-process requests, cProfile")
    p.add_argument("--sort", default="cumulative", help="the profile's order (e.g. tottime)")
    args = p.parse_args()
    concs = [int(c) for c in args.concurrency.split(",")]
    searches = [q for q in args.searches.split(",") if q]
    today = dt.date.today()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench_settings")  # /bench/empty…
    if args.capture_json:  # a child: the SQL of the code on PYTHONPATH, as JSON
        vp.ensure_loaded(args.enterprises, args.visits_per, today, reload=False, url=PG_URL)
        print(json.dumps(capture_all(vp.sampled(today), searches)))
        return
    print(
        f"== requests beside their floors: {args.enterprises:,} enterprises, "
        f"{args.enterprises * args.visits_per:,} visits on PostgreSQL =="
    )
    t = time.perf_counter()
    if vp.ensure_loaded(args.enterprises, args.visits_per, today, reload=args.reload, url=PG_URL):
        print(f"  loaded in {time.perf_counter() - t:.0f}s")
    if args.load_only:
        return
    from fairinspect.registry.models import Enterprise
    from fairinspect.visits import qr
    from fairinspect.visits.models import Visit

    ents = vp.sampled(today)
    n_e, n_v = Enterprise.objects.count(), Visit.objects.count()
    common.print_machine(common.database_label())
    print(f"  dataset: {n_e:,} enterprises, {n_v:,} visits; {len(ents)} sampled enterprises")
    print("  load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if args.profile:
        profile(ents, args.profile, args.sort)
        return
    # (label, src, port, captured SQL): the current code, and the baseline's when asked.
    versions = [("", common.ROOT / "src", rs.PORT, capture_all(ents, searches))]
    if args.baseline_src:
        child = subprocess.run(
            [sys.executable, __file__, "--capture-json", "--searches", ",".join(searches)],
            env={
                **os.environ,
                "PYTHONPATH": os.pathsep.join([str(args.baseline_src), str(common.BENCH)]),
            },
            check=True,
            capture_output=True,
            text=True,
        )
        base_sql = json.loads(child.stdout.strip().splitlines()[-1])
        versions.insert(0, ("before ", args.baseline_src, rs.PORT + 1, base_sql))
    for label, _src, _port, sql in versions:
        print(
            f"  {label or 'current '}queries per request: pre-check {sql['n_page']} "
            f"({len(sql['page'])} replayed), quota {sql['n_api']} ({len(sql['api'])} replayed)"
        )
    procs = []
    try:
        for label, src, port, _sql in versions:
            proc, server = start_server(src, port)
            procs.append(proc)
            print(f"  {label or 'current '}server: {server} on {rs.HOST}:{port}, DEBUG=0")
        print(f"  {args.requests} requests each, same client")
        # A session per server: each version logs in through its own login backend.
        cookies = {}
        for _label, _src, port, _sql in versions:
            rs.PORT, default_port = port, rs.PORT
            cookies[port] = {"Cookie": rs.session_cookie("bench_officer", "bench-password-1")}
            rs.PORT = default_port
        cookie = cookies[versions[-1][2]]
        bearer = {"Authorization": f"Bearer {rs.bearer_token('bench_officer', 'bench-password-1')}"}
        pages = [f"/visits/q/{qr.token_for(e)}/" for e in ents]
        apis = [f"/api/v1/enterprises/{e.credit_code}/quota" for e in ents]
        search_paths = [f"/api/v1/enterprises?q={quote(q)}" for q in searches]
        for _label, _src, port, _sql in versions:
            first, later = openapi_times(port, 50)
            print(f"  {_label or 'current '}openapi.json: first {first:.1f} ms, p50 {later:.2f} ms")
            for paths, h in (
                (pages, cookies[port]),
                (apis, bearer),
                (["/bench/empty"], {}),
                (["/bench/empty-auth"], cookies[port]),
                (search_paths, bearer),
            ):
                vp.run_paths(paths, h, 20, 1, port=port)
        # CPU of the servers' workers and of every backend of the database (the servers'
        # persistent connections), per request: what the request costs on a quiet machine.
        meters = {
            port: _cpu.Meter(lambda p=proc: _cpu.children(p.pid) + _cpu.backends(PG_URL))
            for (_l, _s, port, _q), proc in zip(versions, procs, strict=True)
        }
        cpu: dict[str, float] = {}

        def timed(key, paths, h, conc, port):
            meters[port].start()
            lat, wall = vp.run_paths(paths, h, args.requests, conc, port=port)
            cpu[key] = meters[port].stop() / args.requests / 1e6
            return lat, wall

        for conc in concs:
            res: dict[str, float] = {}
            port0 = versions[-1][2]
            lat, wall = timed("empty", ["/bench/empty"], {}, conc, port0)
            rs.report("scale", "empty", "Django empty view", conc, lat, wall)
            res["empty"] = p50(lat)
            for vlabel, _src, port, _sql in versions:  # the floor behind the login, each
                k = f"{vlabel}empty-auth"
                lat, wall = timed(k, ["/bench/empty-auth"], cookies[port], conc, port)
                rs.report("scale", k, f"{vlabel}Django empty-auth view", conc, lat, wall)
                res[k] = p50(lat)
            kinds = [
                ("precheck", "pre-check /visits/q/…", pages, cookie, "page"),
                ("quota", "quota endpoint", apis, bearer, "api"),
            ]
            for key, label, paths, h, sql_key in kinds:
                for vlabel, _src, port, sql in versions:
                    k = f"{vlabel}{key}"
                    h = cookies[port] if h is cookie else h
                    lat, wall = timed(k, paths, h, conc, port)
                    rs.report("scale", k, f"{vlabel}{label}", conc, lat, wall)
                    res[k] = p50(lat)
                    lat, wall, cpu[f"sql({k})"] = run_sql_cpu(sql[sql_key], args.requests)
                    rs.report("scale", f"sql({k})", f"{vlabel}{label} bare SQL", 1, lat, wall)
                    res[f"sql({k})"] = p50(lat)
            for q, path in zip(searches, search_paths, strict=True):
                for vlabel, _src, port, sql in versions:
                    k = f"{vlabel}search {q}"
                    lat, wall = timed(k, [path], bearer, conc, port)
                    rs.report("scale", "search", f"{vlabel}search q={q}", conc, lat, wall)
                    res[k] = p50(lat)
                    lat, wall, cpu[f"sql({k})"] = run_sql_cpu(sql["search"][q], args.requests)
                    rs.report("scale", "sql(search)", f"{vlabel}q={q} bare SQL", 1, lat, wall)
                    res[f"sql({k})"] = p50(lat)
            print(
                f"  ratios at c={conc} (p50 / p50 of the empty view {res['empty']:.2f} ms, of the "
                f"empty-auth view {res['empty-auth']:.2f} ms, of its own SQL):"
            )
            keys = ["precheck", "quota", *[f"search {q}" for q in searches]]
            pairs = [(v[0], f"{v[0]}{k}") for k in keys for v in versions]
            print_floors("view", res, versions, 2)
            for vlabel, key in pairs:
                to_empty = res[key] / res["empty"]
                to_auth = res[key] / res[f"{vlabel}empty-auth"]
                to_sql = res[key] / res[f"sql({key})"]
                print(
                    f"    {key:28} {res[key]:7.2f} ms  ×{to_empty:5.1f} empty  "
                    f"×{to_auth:5.1f} empty-auth  ×{to_sql:5.1f} SQL"
                )
                print(
                    f"RATIO|{key}|{conc}|{res[key]:.2f}|{to_empty:.2f}|{to_sql:.2f}|{to_auth:.2f}"
                )
            print(
                f"  CPU per request at c={conc} (server workers + database backends; the bare "
                f"SQL: client + backend), empty {cpu['empty']:.3f} ms, empty-auth "
                f"{cpu['empty-auth']:.3f} ms:"
            )
            print_floors("CPU", cpu, versions, 3)
            for vlabel, key in pairs:
                c_empty = cpu[key] / cpu["empty"]
                c_auth = cpu[key] / cpu[f"{vlabel}empty-auth"]
                c_sql = cpu[key] / cpu[f"sql({key})"]
                print(
                    f"    {key:28} {cpu[key]:7.3f} ms  ×{c_empty:5.1f} empty  "
                    f"×{c_auth:5.1f} empty-auth  ×{c_sql:5.1f} SQL ({cpu[f'sql({key})']:.3f} ms)"
                )
                print(f"CPU|{key}|{conc}|{cpu[key]:.3f}|{c_empty:.2f}|{c_sql:.2f}|{c_auth:.2f}")
        year_sql = next(s for s in versions[-1][3]["page"] if "visits_visit" in s)
        print(f"  plan (visits of the year): {rs.explain(year_sql)}")
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
    print("  load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
