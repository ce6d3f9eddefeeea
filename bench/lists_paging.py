"""Benchmark: the big lists by page (issue 13, item 4) — page 1, a deep page and a broad
search, in-process (Django test client, one process), on PostgreSQL.

Database `lists_bench` (FI_LISTS_PG_URL), loaded by bench/visits_precheck.py's loader
(100,000 enterprises; `--visits-per 1`: 100,000 visits). Times the median of `--requests`
requests for:
  - GET /api/v1/enterprises?limit=50             (page 1)
  - the 1,000th page of 50 enterprises            (offset 49,950 before issue 13; after, the
    cursor of row 49,950, which the page before would have handed out)
  - GET /api/v1/enterprises?q=1号有限              (~100,000 hits: the total)
  - the same three for the HTML list /registry/enterprises/ and the bureau's visit list
    /visits/?scope=all (the visits' 1,000th page: the 2,000th of 30 does not exist at
    100,000 visits, so the deep page is row 29,970).
Runs against whichever code is on PYTHONPATH: without fairinspect.core.paging it uses the
old `offset`/`page` parameters.

    PYTHONPATH=src .venv/bin/python bench/lists_paging.py [--requests 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault(
    "FI_BENCH_VISITS_PG_URL",
    os.environ.get("FI_LISTS_PG_URL", "postgres://postgres@127.0.0.1:5432/lists_bench"),
)

import _registry_common as common
import visits_precheck as vp


def timed(client, path: str, n: int, **headers) -> tuple[float, int]:
    r = client.get(path, **headers)
    assert r.status_code == 200, (path, r.status_code, r.content[:300])
    lat = []
    for _ in range(n):
        t = time.perf_counter()
        r = client.get(path, **headers)
        lat.append(time.perf_counter() - t)
    return statistics.median(lat) * 1000, len(r.content)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=20)
    args = p.parse_args()
    vp.ensure_loaded(100_000, 1, dt.date.today(), reload=False)
    from django.test import Client

    from fairinspect.registry.auth import issue_token
    from fairinspect.registry.models import Enterprise, User
    from fairinspect.visits.models import Visit

    try:
        from fairinspect.core import paging
    except ImportError:
        paging = None
    common.print_machine(common.database_label())
    print(f"  code: {'keyset (core/paging.py)' if paging else 'offset (before)'}")
    print(
        f"  dataset: {Enterprise.objects.count():,} enterprises, {Visit.objects.count():,} visits"
    )
    officer = User.objects.get(username="bench_officer")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(officer)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(officer)}"}

    def deep_enterprise(base: str, html: bool) -> str:
        if paging is None:
            return f"{base}?page=1000" if html else f"{base}?limit=50&offset=49950"
        from fairinspect.registry import access, queries

        res = queries.search_results(
            access.enterprises_visible_to(officer), queries.EnterpriseFilter()
        )
        row = res.keyset().ordered()[49949]
        cur = quote(res.keyset().cursor(row))
        return f"{base}?cursor={cur}" if html else f"{base}?limit=50&cursor={cur}"

    def deep_visits() -> str:
        if paging is None:
            return "/visits/?scope=all&page=1000"
        from fairinspect.visits import access
        from fairinspect.visits.views.arrange import ORDER, SCOPE

        ks = paging.Keyset(access.visits_visible_to(officer), ORDER, scope=SCOPE)
        return f"/visits/?scope=all&cursor={quote(ks.cursor(ks.ordered()[29969]))}"

    q = quote("1号有限")
    rows = [
        ("API enterprises page 1", "/api/v1/enterprises?limit=50", bearer),
        ("API enterprises 1,000th page", deep_enterprise("/api/v1/enterprises", False), bearer),
        ("API search q=1号有限", f"/api/v1/enterprises?q={q}&limit=50", bearer),
        ("page enterprises page 1", "/registry/enterprises/", {}),
        ("page enterprises 1,000th page", deep_enterprise("/registry/enterprises/", True), {}),
        ("page search q=1号有限", f"/registry/enterprises/?q={q}", {}),
        ("page visits (bureau) page 1", "/visits/?scope=all", {}),
        ("page visits (bureau) 1,000th page", deep_visits(), {}),
    ]
    print("  load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    for label, path, h in rows:
        ms, size = timed(client, path, args.requests, **h)
        print(f"  {label:36s} p50 {ms:8.1f} ms  ({size:,} bytes)")
    print("  load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
