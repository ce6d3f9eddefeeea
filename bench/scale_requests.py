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

    .venv/bin/python bench/scale_requests.py [--enterprises 100000] [--visits-per 10]
        [--requests 400] [--concurrency 1] [--reload]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _registry_common as common
import registry_search as rs
import visits_precheck as vp

PG_URL = os.environ.get(
    "FI_SCALE_REQUESTS_PG_URL", "postgres://postgres@127.0.0.1:5432/scale_requests"
)
rs.PORT = int(os.environ.get("FI_SCALE_REQUESTS_PORT", "8391"))
common.PG_URL = PG_URL
SEARCHES = ["企业4242", "企业77", "1号有限"]


def captured(client, path: str, headers: dict, skip: tuple[str, ...]) -> tuple[int, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path, **headers)
    with CaptureQueriesContext(connection) as cq:
        r = client.get(path, **headers)
    assert r.status_code == 200, (path, r.status_code)
    sql = [q["sql"] for q in cq.captured_queries if not any(s in q["sql"] for s in skip)]
    return len(cq.captured_queries), sql


def p50(lat: list[float]) -> float:
    return rs.pct(lat, 50) * 1000


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--enterprises", type=int, default=100_000)
    p.add_argument("--visits-per", type=int, default=10)
    p.add_argument("--requests", type=int, default=400)
    p.add_argument("--concurrency", default="1")
    p.add_argument("--reload", action="store_true")
    args = p.parse_args()
    concs = [int(c) for c in args.concurrency.split(",")]
    today = dt.date.today()
    print(
        f"== requests beside their floors: {args.enterprises:,} enterprises, "
        f"{args.enterprises * args.visits_per:,} visits on PostgreSQL =="
    )
    t = time.perf_counter()
    if vp.ensure_loaded(args.enterprises, args.visits_per, today, reload=args.reload):
        print(f"  loaded in {time.perf_counter() - t:.0f}s")
    from django.test import Client

    from fairinspect.registry.auth import issue_token
    from fairinspect.registry.models import Enterprise, User
    from fairinspect.visits import qr
    from fairinspect.visits.models import Visit

    ents = vp.sampled(today)
    n_e, n_v = Enterprise.objects.count(), Visit.objects.count()
    common.print_machine(common.database_label())
    print(f"  dataset: {n_e:,} enterprises, {n_v:,} visits; {len(ents)} sampled enterprises")
    print("  load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))

    officer = User.objects.get(username="bench_officer")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(officer)
    tok = issue_token(officer)
    bearer_h = {"HTTP_AUTHORIZATION": f"Bearer {tok}"}
    auth = ("django_session", "auth_group", "registry_apitoken")
    n_page, page_sql = captured(client, f"/visits/q/{qr.token_for(ents[0])}/", {}, auth)
    n_api, api_sql = captured(
        client, f"/api/v1/enterprises/{ents[0].credit_code}/quota", bearer_h, auth
    )
    search_paths = [f"/api/v1/enterprises?q={quote(q)}" for q in SEARCHES]
    search_sql = {
        q: captured(client, path, bearer_h, auth)[1]
        for q, path in zip(SEARCHES, search_paths, strict=True)
    }
    print(
        f"  queries per request: pre-check {n_page} ({len(page_sql)} replayed), "
        f"quota {n_api} ({len(api_sql)} replayed)"
    )
    proc, server = rs.start_server(dict(os.environ))
    try:
        print(f"  server: {server} on {rs.HOST}:{rs.PORT}, DEBUG=0; {args.requests} requests each")
        cookie = {"Cookie": rs.session_cookie("bench_officer", "bench-password-1")}
        bearer = {"Authorization": f"Bearer {rs.bearer_token('bench_officer', 'bench-password-1')}"}
        pages = [f"/visits/q/{qr.token_for(e)}/" for e in ents]
        apis = [f"/api/v1/enterprises/{e.credit_code}/quota" for e in ents]
        for paths, h in (
            (pages, cookie),
            (apis, bearer),
            (["/bench/empty"], {}),
            (search_paths, bearer),
        ):
            vp.run_paths(paths, h, 20, 1)
        for conc in concs:
            res: dict[str, float] = {}
            lat, wall = vp.run_paths(["/bench/empty"], {}, args.requests, conc)
            rs.report("scale", "empty", "Django empty view", conc, lat, wall)
            res["empty"] = p50(lat)
            for key, label, paths, h, sql in (
                ("precheck", "pre-check /visits/q/…", pages, cookie, page_sql),
                ("quota", "quota endpoint", apis, bearer, api_sql),
            ):
                lat, wall = vp.run_paths(paths, h, args.requests, conc)
                rs.report("scale", key, label, conc, lat, wall)
                res[key] = p50(lat)
                lat, wall = rs.run_sql(sql, args.requests, conc)
                rs.report("scale", f"sql({key})", f"{label} bare SQL", conc, lat, wall)
                res[f"sql({key})"] = p50(lat)
            for q, path in zip(SEARCHES, search_paths, strict=True):
                lat, wall = vp.run_paths([path], bearer, args.requests, conc)
                rs.report("scale", "search", f"search q={q}", conc, lat, wall)
                res[f"search {q}"] = p50(lat)
                lat, wall = rs.run_sql(search_sql[q], args.requests, conc)
                rs.report("scale", "sql(search)", f"search q={q} bare SQL", conc, lat, wall)
                res[f"sql(search {q})"] = p50(lat)
            print(f"  ratios at c={conc} (p50 / p50 of the empty view, p50 / p50 of its own SQL):")
            for key in ["precheck", "quota", *[f"search {q}" for q in SEARCHES]]:
                to_empty = res[key] / res["empty"]
                to_sql = res[key] / res[f"sql({key})"]
                print(
                    f"    {key:22} {res[key]:7.2f} ms  ×{to_empty:5.1f} empty  ×{to_sql:5.1f} SQL"
                )
                print(f"RATIO|{key}|{conc}|{res[key]:.2f}|{to_empty:.2f}|{to_sql:.2f}")
        year_sql = next(s for s in page_sql if "visits_visit" in s)
        print(f"  plan (visits of the year): {rs.explain(year_sql)}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print("  load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
