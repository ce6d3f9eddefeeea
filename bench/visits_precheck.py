"""Benchmark: the 扫码入企 pre-check page and the quota endpoint over HTTP (issue 3, R6.1).

On PostgreSQL database `fi_bench_visits` (its own; FI_BENCH_VISITS_PG_URL), loads with COPY
and INSERT … SELECT: 100,000 enterprises, 1,000,000 visits (10 per enterprise over five
years, the current year included, with one item and two officers each), 5% of visits with a
hazard, and, for the sampled enterprises, today's approved plan of the benchmark officer (so
the page computes the 可以入企 verdict). Starts a server on 127.0.0.1:8357 (gunicorn if the
venv has it, else runserver), then times in the same run, with the same client:
  - the empty Django view /bench/empty,
  - the pre-check page /visits/q/<signed token>/ as the logged-in officer (session cookie),
    cycling over the sampled enterprises,
  - GET /api/v1/enterprises/{credit_code}/quota (Bearer token), same enterprises,
  - the bare SQL each request needs (captured from Django for one enterprise, replayed with
    psycopg),
at concurrency 1 and 2. Prints dataset size, database and machine, p50/p99 and req/s.

    .venv/bin/python bench/visits_precheck.py [--enterprises 100000] [--visits-per 10]
        [--requests 400] [--concurrency 1,2] [--reload]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _registry_common as common
import registry_search as rs

PG_URL = os.environ.get(
    "FI_BENCH_VISITS_PG_URL", "postgres://postgres@127.0.0.1:5432/fi_bench_visits"
)
rs.PORT = int(os.environ.get("FI_BENCH_VISITS_PORT", "8357"))
common.PG_URL = PG_URL  # run_sql replays against this database
SAMPLE = 200


def run_paths(
    paths: list[str], headers: dict[str, str], n: int, concurrency: int, port: int | None = None
):
    """n GETs cycling over paths, spread over threads (one keep-alive connection each), to
    the server on `port` (default registry_search.PORT)."""
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []
    per = [n // concurrency + (1 if i < n % concurrency else 0) for i in range(concurrency)]

    def worker(k: int, count: int) -> None:
        conn = http.client.HTTPConnection(rs.HOST, port or rs.PORT, timeout=60)
        mine = []
        for j in range(count):
            path = paths[(k * 7919 + j) % len(paths)]
            t = time.perf_counter()
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            mine.append(time.perf_counter() - t)
            if resp.status != 200:
                errors.append(f"{resp.status} {path}")
                break
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(k, c)) for k, c in enumerate(per)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise SystemExit(f"request failed: {errors[0]}")
    return latencies, time.perf_counter() - t0


def _count(url: str) -> tuple[int, int]:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            e = conn.execute("SELECT count(*) FROM registry_enterprise").fetchone()[0]
            v = conn.execute("SELECT count(*) FROM visits_visit").fetchone()[0]
            return e, v
    except psycopg.Error:
        return -1, -1


def load(n_ent: int, per: int, today: dt.date) -> None:
    """Bulk-load the dataset with COPY and INSERT … SELECT."""
    from django.contrib.auth.models import Group
    from django.db import connection

    from fairinspect.catalog.services import load_default_list
    from fairinspect.core.roles import Role
    from fairinspect.registry.models import Department, Industry, Officer, User
    from fairinspect.rules.credit_code import make_credit_code

    t0 = time.perf_counter()
    load_default_list()
    wh = Department.objects.get(code="650100-WH")
    groups = {r: Group.objects.get_or_create(name=r.value)[0] for r in Role}
    people = []
    for name, role in (("bench_officer", Role.OFFICER), ("bench_officer2", Role.OFFICER)):
        u = User(username=name, first_name=name, department=wh)
        u.set_password("bench-password-1")
        u.save()
        u.groups.set([groups[role]])
        o = Officer.objects.create(name=name, department=wh, post_domains=["general"], user=u)
        common.certify(o, f"B{o.pk:08d}")
        people.append(o)
    industries = list(
        Industry.objects.filter(level=4).order_by("code").values_list("code", "high_risk")
    )
    districts = ["650102", "650103", "650104", "650105", "650106", "650107", "650109", "650121"]
    rng = random.Random(2025)
    now = dt.datetime.now(dt.UTC)
    with connection.cursor() as c:
        cols = (
            "credit_code, name, address, district_code, industry_id, high_risk, "
            "high_risk_override_reason, standardization_grade, risk_level, credit_level, "
            "supervising_level, main_person, main_person_phone, contact_name, contact_phone, "
            "status, qr_generation, created_at, updated_at, business_scope, enterprise_type, "
            "former_identifiers, former_names, legal_representative, registered_capital, "
            "registration_authority, search_key, search_grams, source"
        )
        from fairinspect.rules.search import key_grams, search_key

        with c.cursor.copy(f"COPY registry_enterprise ({cols}) FROM STDIN") as cp:
            for i in range(n_ent):
                d = districts[i % len(districts)]
                code, hr = industries[rng.randrange(len(industries))]
                key = search_key(
                    name=f"基准测试企业{i}号有限公司",
                    credit_code=make_credit_code(f"91{d}{i:09d}"),
                    address="乌鲁木齐市测试路1号",
                )
                cp.write_row(
                    (
                        make_credit_code(f"91{d}{i:09d}"),
                        f"基准测试企业{i}号有限公司",
                        "乌鲁木齐市测试路1号",
                        d,
                        code,
                        hr,
                        "",
                        rng.choice([1, 2, 3, None, None]),
                        "general",
                        "B",
                        rng.choice(["city", "district", "district"]),
                        "",
                        "",
                        "",
                        "",
                        "active",
                        1,
                        now,
                        now,
                        "",
                        "",
                        "[]",
                        "[]",
                        "",
                        "",
                        "",
                        key,
                        key_grams(key),
                        "bench",
                    )
                )
        print(f"  enterprises: {n_ent:,} in {time.perf_counter() - t0:.1f}s")
        t1 = time.perf_counter()
        years = [today.year - k for k in range(5)]
        c.execute("SELECT min(id), max(id) FROM registry_enterprise")
        lo, hi = c.fetchone()
        # per visits per enterprise: planned on day (k * 37 + id) % 300 of years[k % 5].
        c.execute(
            f"""
            INSERT INTO visits_visit (enterprise_id, kind, trigger, status, planned_date,
                department_id, inspecting_level, justification_kind, justification_reference,
                justification_date, justification_summary, justification_attachment,
                merge_group, follow_up_result, follow_up_notes, checked_in_at, checked_out_at,
                missing_recording, summary, record_number, review_number, created_at, updated_at,
                entry_kind)
            SELECT e.id, 'on_site',
                CASE WHEN k % 4 = 3 THEN 'complaint' ELSE 'annual_plan' END, 'done', d.day,
                {wh.pk}, 'city',
                CASE WHEN k % 4 = 3 THEN 'complaint_record' ELSE '' END,
                CASE WHEN k % 4 = 3 THEN 'C-' || e.id || '-' || k ELSE '' END,
                CASE WHEN k % 4 = 3 THEN d.day - 3 END,
                CASE WHEN k % 4 = 3 THEN '举报' ELSE '' END, '',
                NULL, '', '', d.day + time '09:00', d.day + time '11:00',
                false, '', '', '', now(), now(), 'inspection'
            FROM registry_enterprise e
            CROSS JOIN generate_series(0, {per - 1}) AS k
            CROSS JOIN LATERAL (SELECT (make_date(
                (ARRAY{years})[1 + k % 5], 1, 1)
                + ((k * 37 + e.id) % LEAST(300, {today.timetuple().tm_yday - 1}))::int
            ) AS day) d
            WHERE e.id BETWEEN {lo} AND {hi}
            """
        )
        print(f"  visits: {c.rowcount:,} in {time.perf_counter() - t1:.1f}s")
        t2 = time.perf_counter()
        # The items and the teams are consistent by construction (each visit's id and date
        # read from the visits just written), so their foreign-key checks are skipped for
        # these two statements: replica mode fires no ordinary trigger, and neither relies on
        # one (the fill trigger would write the visit's date, which they give). Checked, they
        # cost ≈ 140 µs a row at COMMIT on PostgreSQL 15 (the two-column reference into the
        # partitioned visits, 2026-12-04): most of a large load. The visits themselves keep
        # their triggers (the justification claims).
        if connection.vendor == "postgresql":
            c.execute("SET session_replication_role = replica")
        items = list(
            __import__("fairinspect.catalog.models", fromlist=["InspectionItem"])
            .InspectionItem.objects.filter(version__status="published")
            .values_list("pk", flat=True)
        )
        c.execute(
            # visit_planned_date: the partition key of the children (visits 0010), which
            # the INSERT must carry on PostgreSQL (a BEFORE trigger may not route a row).
            f"INSERT INTO visits_visit_items (visit_id, inspectionitem_id, visit_planned_date) "
            f"SELECT id, (ARRAY{items})[1 + id % {len(items)}], planned_date FROM visits_visit"
        )
        c.execute(
            f"INSERT INTO visits_visitofficer (visit_id, officer_id, is_lead, "
            f"certificate_number, visit_planned_date) "
            f"SELECT v.id, o.id, o.id = {people[0].pk}, 'B', v.planned_date "
            f"FROM visits_visit v CROSS JOIN (VALUES ({people[0].pk}), ({people[1].pk})) o(id)"
        )
        if connection.vendor == "postgresql":
            c.execute("RESET session_replication_role")
        c.execute(
            "INSERT INTO visits_hazard (visit_id, enterprise_id, level, description, place, "
            "reported_by_enterprise, self_report_reference, status, created_at) "
            "SELECT id, enterprise_id, 'general', '消防通道堆放杂物', '仓库', false, '', "
            "'open', now() FROM visits_visit WHERE id % 20 = 0"
        )
        print(f"  items, teams, hazards in {time.perf_counter() - t2:.1f}s")
        c.execute("ANALYZE")


def sampled(today: dt.date):
    """SAMPLE enterprises with today's approved plan of the benchmark officers."""
    from fairinspect.registry.models import Enterprise, Officer
    from fairinspect.visits.models import InspectionPlan, Visit, VisitOfficer

    officers = list(Officer.objects.filter(name__startswith="bench_officer").order_by("name"))
    ents = list(Enterprise.objects.order_by("id")[:: max(1, Enterprise.objects.count() // SAMPLE)])
    ents = ents[:SAMPLE]
    if not Visit.objects.filter(status="approved", planned_date=today).exists():
        from fairinspect.catalog.models import InspectionItem

        item = InspectionItem.objects.filter(version__status="published").first()
        for e in ents:
            v = Visit.objects.create(
                enterprise=e,
                kind="on_site",
                trigger="annual_plan",
                status="approved",
                planned_date=today,
                department=officers[0].department,
                inspecting_level="city",
            )
            v.items.set([item])
            for n, o in enumerate(officers):
                VisitOfficer.objects.create(visit=v, officer=o, is_lead=n == 0)
            InspectionPlan.objects.create(visit=v, items=[])
    return ents


def ensure_loaded(
    enterprises: int, visits_per: int, today, *, reload: bool, url: str = PG_URL
) -> bool:
    """Set Django up on the benchmark database `url`, loading the dataset only when it is
    missing, of another size or `reload` is asked; True when it was (re)loaded.

    The caller's database, not this module's: the scale benchmark once loaded (and served)
    fi_bench_visits while replaying its bare SQL on its own, older database."""
    have = _count(url)
    fresh = reload or have[0] != enterprises or have[1] < enterprises * visits_per
    if fresh:
        common.fresh_database(url)
    os.environ["DATABASE_URL"], os.environ["DEBUG"] = url, "0"
    common.django_setup()
    if fresh:
        load(enterprises, visits_per, today)
    return fresh


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--enterprises", type=int, default=100_000)
    p.add_argument("--visits-per", type=int, default=10)
    p.add_argument("--requests", type=int, default=400)
    p.add_argument("--concurrency", default="1,2")
    p.add_argument("--reload", action="store_true")
    args = p.parse_args()
    concs = [int(c) for c in args.concurrency.split(",")]
    today = dt.date.today()
    print(
        f"== 扫码入企 pre-check and quota over HTTP: {args.enterprises:,} enterprises, "
        f"{args.enterprises * args.visits_per:,} visits on PostgreSQL =="
    )
    ensure_loaded(args.enterprises, args.visits_per, today, reload=args.reload)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from fairinspect.registry.models import Enterprise
    from fairinspect.visits import qr
    from fairinspect.visits.models import Visit

    ents = sampled(today)
    n_e, n_v = Enterprise.objects.count(), Visit.objects.count()
    common.print_machine(common.database_label())
    print(f"  dataset: {n_e:,} enterprises, {n_v:,} visits; {len(ents)} sampled enterprises")
    print("  load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))

    # The SQL one request needs, captured in-process (same code path as the server).
    from fairinspect.registry.models import User

    officer = User.objects.get(username="bench_officer")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(officer)
    page0 = f"/visits/q/{qr.token_for(ents[0])}/"
    client.get(page0)
    with CaptureQueriesContext(connection) as cq:
        assert client.get(page0).status_code == 200
    n_page = len(cq.captured_queries)
    page_sql = [
        q["sql"]
        for q in cq.captured_queries
        if "django_session" not in q["sql"] and "auth_group" not in q["sql"]
    ]
    api0 = f"/api/v1/enterprises/{ents[0].credit_code}/quota"
    from fairinspect.registry.auth import issue_token

    tok = issue_token(officer)
    with CaptureQueriesContext(connection) as cq:
        assert client.get(api0, HTTP_AUTHORIZATION=f"Bearer {tok}").status_code == 200
    api_sql = [q["sql"] for q in cq.captured_queries if "registry_apitoken" not in q["sql"]]
    print(
        f"  queries per request: pre-check {n_page} ({len(page_sql)} without session and "
        f"roles), quota {len(cq.captured_queries)} ({len(api_sql)} without the token)"
    )
    proc, server = rs.start_server(dict(os.environ))
    try:
        print(f"  server: {server} on {rs.HOST}:{rs.PORT}, DEBUG=0; {args.requests} requests each")
        cookie = {"Cookie": rs.session_cookie("bench_officer", "bench-password-1")}
        bearer = {"Authorization": f"Bearer {rs.bearer_token('bench_officer', 'bench-password-1')}"}
        pages = [f"/visits/q/{qr.token_for(e)}/" for e in ents]
        apis = [f"/api/v1/enterprises/{e.credit_code}/quota" for e in ents]
        run_paths(pages, cookie, 20, 1)
        run_paths(apis, bearer, 20, 1)
        run_paths(["/bench/empty"], {}, 20, 1)
        for conc in concs:
            lat, wall = run_paths(["/bench/empty"], {}, args.requests, conc)
            rs.report("visits", "empty", "Django empty view", conc, lat, wall)
            lat, wall = run_paths(pages, cookie, args.requests, conc)
            rs.report("visits", "page", "pre-check /visits/q/…", conc, lat, wall)
            lat, wall = rs.run_sql(page_sql, args.requests, conc)
            rs.report("visits", "sql(page)", "pre-check bare SQL", conc, lat, wall)
            lat, wall = run_paths(apis, bearer, args.requests, conc)
            rs.report("visits", "api", "quota endpoint", conc, lat, wall)
            lat, wall = rs.run_sql(api_sql, args.requests, conc)
            rs.report("visits", "sql(api)", "quota bare SQL", conc, lat, wall)
        year_sql = next(s for s in page_sql if "visits_visit" in s)
        print(f"  plan (visits of the year): {rs.explain(year_sql)}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print("  load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
