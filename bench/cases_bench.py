"""Benchmark: penalty cases (issue 5, R7.2, R7.4) over HTTP against a running server.

On PostgreSQL (its own database `fi_bench_cases`, recreated each run) with 1,000 enterprises
and 100,000 cases in every state (bulk_create; deadlines spread over two years so that a
realistic share is overdue), starts a server on 127.0.0.1:8310 (gunicorn if installed, else
runserver) with bench_settings (the real URLs plus an empty view) and times in the same run:
  - the empty Django view (/bench/empty): what Django itself costs,
  - POST /api/v1/discretion (Bearer token), three fact shapes,
  - the overdue list page /cases/overdue/ (pages 1 and 50, logged-in approver),
  - the bare SQL of the overdue page (the COUNT and the page SELECT, replayed with psycopg),
at concurrency 1 and 4; p50/p99 and requests per second.
    .venv/bin/python bench/cases_bench.py [--requests 400] [--cases 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("FI_BENCH_PORT", "8310")
import _registry_common as common
import registry_search as rs

PG_URL = os.environ.get(
    "FI_BENCH_CASES_PG_URL", "postgres://postgres@127.0.0.1:5432/fi_bench_cases"
)
TODAY = dt.date.today()  # the server reads the real date too
PASSWORD = "bench-only-password-2025"
FACT_SHAPES = [
    (
        "tiered, ordinary",
        {
            "violation_code": "AQSCF2021-97-4",
            "party": "unit",
            "facts": {"staff_affected_share": 0.2, "headcount": 80},
        },
    ),
    (
        "no-penalty list",
        {
            "violation_code": "AQSCF2021-97-4",
            "party": "unit",
            "facts": {
                "first_offence": True,
                "harm": "slight",
                "corrected_in_time": True,
                "people_affected": 4,
            },
        },
    ),
    (
        "aggravated person",
        {
            "violation_code": "AQSCF2021-94",
            "party": "person",
            "facts": {"overdue_uncorrected": True, "aggravations": ["refused_inspection"]},
        },
    ),
]


def post_load(path: str, body: dict, headers: dict, n: int, concurrency: int):
    data = json.dumps(body).encode()
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []
    per = [n // concurrency + (1 if i < n % concurrency else 0) for i in range(concurrency)]

    def worker(count: int) -> None:
        conn = http.client.HTTPConnection(rs.HOST, rs.PORT, timeout=60)
        mine = []
        for _ in range(count):
            t = time.perf_counter()
            conn.request(
                "POST", path, body=data, headers={**headers, "Content-Type": "application/json"}
            )
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
    if errors:
        raise SystemExit(f"request failed: {errors[0]}")
    return latencies, time.perf_counter() - t0


def load(n_cases: int) -> float:
    from django.contrib.auth.models import Group

    from fairinspect.cases import services
    from fairinspect.cases.models import Case
    from fairinspect.core.roles import Role
    from fairinspect.registry.models import Department, Enterprise, User

    t = time.perf_counter()
    common.bulk_load_enterprises(1000)
    dept = Department.objects.get(code="650100-WH")
    users = {}
    for name, role in (
        ("bench_officer", Role.OFFICER),
        ("bench_approver", Role.APPROVER),
        ("bench_admin", Role.ADMIN),
    ):
        u = User.objects.create(username=name, first_name=name, department=dept)
        u.set_password(PASSWORD)
        u.save()
        u.groups.add(Group.objects.get(name=role.value))
        users[name] = u
    version = services.load_no_penalty_list(actor=users["bench_admin"])
    services.publish_no_penalty_list(actor=users["bench_admin"], version=version, on=TODAY)
    rng = random.Random(5)
    ents = list(Enterprise.objects.values_list("id", flat=True))
    statuses = [
        "pending_filing",
        "investigating",
        "notified",
        "reviewed",
        "decided",
        "served",
        "executed",
        "closed",
        "closed",
        "closed",
    ]
    kinds = {
        "investigating": "decision",
        "notified": "decision",
        "reviewed": "decision",
        "decided": "service",
        "served": "payment",
    }
    batch = []
    for i in range(n_cases):
        status = rng.choice(statuses)
        filed = TODAY - dt.timedelta(days=rng.randint(0, 720))
        decided = status in ("decided", "served", "executed", "closed")
        kind = kinds.get(status, "")
        due = filed + dt.timedelta(days=90 if kind == "decision" else 100) if kind else None
        batch.append(
            Case(
                enterprise_id=rng.choice(ents),
                party="unit",
                cause=f"压测案件{i}",
                violation_code="AQSCF2021-97-4",
                violation_title="未如实记录安全生产教育和培训情况",
                legal_basis="《安全生产法》第二十八条第四款",
                penalty_basis="《安全生产法》第九十七条第四项",
                procedure_rule="SAWS-15",
                status=status,
                created_by=users["bench_officer"],
                created_on=filed,
                filed_on=None if status == "pending_filing" else filed,
                number=f"乌应急立〔{filed.year}〕{i}号",
                decided_on=filed + dt.timedelta(days=60) if decided else None,
                decision_due=filed + dt.timedelta(days=90),
                next_due=due,
                next_due_kind=kind,
            )
        )
        if len(batch) == 5000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)
    from django.db import connection

    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE cases_case")  # what autovacuum does after a bulk load
    return time.perf_counter() - t


def overdue_sql(user, page: int) -> list[str]:
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fairinspect.cases import access, queries

    qs = queries.overdue(access.cases_visible_to(user), today=TODAY)
    with CaptureQueriesContext(connection) as cq:
        p = Paginator(qs, 50).get_page(page)
        list(p)
    return [q["sql"] for q in cq.captured_queries]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--cases", type=int, default=100_000)
    args = ap.parse_args()
    common.PG_URL = PG_URL
    common.fresh_database(PG_URL)
    os.environ["DATABASE_URL"] = PG_URL
    common.django_setup()
    secs = load(args.cases)
    from fairinspect.cases.models import Case
    from fairinspect.registry.models import User

    overdue = Case.objects.filter(next_due__lt=TODAY).count()
    common.print_machine(common.database_label())
    print(
        f"dataset: {Case.objects.count():,} cases ({overdue:,} overdue on {TODAY}), "
        f"1,000 enterprises; loaded in {secs:.1f}s"
    )
    env = {**os.environ, "DATABASE_URL": PG_URL, "DEBUG": "0", "FI_TODAY": TODAY.isoformat()}
    proc, label = rs.start_server(env)
    try:
        print(f"server: {label}")
        token = {"Authorization": f"Bearer {rs.bearer_token('bench_officer', PASSWORD)}"}
        cookie = {"Cookie": rs.session_cookie("bench_approver", PASSWORD)}
        approver = User.objects.get(username="bench_approver")
        for conc in (1, 4):
            n = args.requests
            rs.run_load("/bench/empty", {}, 20, 1)  # warm up
            lat, wall = rs.run_load("/bench/empty", {}, n, conc)
            rs.report("cases", "empty", "Django empty view", conc, lat, wall)
            for shape, body in FACT_SHAPES:
                post_load("/api/v1/discretion", body, token, 10, 1)
                lat, wall = post_load("/api/v1/discretion", body, token, n, conc)
                rs.report("cases", "discretion", shape, conc, lat, wall)
            for page in (1, 50):
                path = f"/cases/overdue/?page={page}"
                rs.run_load(path, cookie, 5, 1)
                lat, wall = rs.run_load(path, cookie, n // 2, conc)
                rs.report("cases", "overdue", f"page {page} (HTML)", conc, lat, wall)
                lat, wall = rs.run_sql(overdue_sql(approver, page), n // 2, conc)
                rs.report("cases", "bare SQL", f"overdue page {page}", conc, lat, wall)
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
