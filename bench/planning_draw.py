"""Benchmark of the 双随机 draw (R9.2) and the annual-plan page (R9.1), on PostgreSQL.

1. The whole draw through the services, on PostgreSQL, at 10,000 → 100,000 → 1,000,000
   enterprises (topped up with COPY between sizes) and 2,000 officers: ``publish_pools``
   (filter the territory, exclusion reasons, freeze in canonical order, SHA-256, store both
   pools) and ``run`` (select 5% with Rivest's sampler, pair two officers with each). Time
   and the child process's peak RSS; each size runs in a fresh process.
2. The pure part alone (rules.sampling on generated candidates, no database): time, and the
   peak of Python allocations (tracemalloc, a second run, since tracing slows it down).
3. The annual-plan page of a district bureau supervising 50,000 enterprises: drafting the
   plan (one GROUP BY over them) and GET of the plan page, median of 20.

    python bench/planning_draw.py                      # sizes 10000,100000,1000000
    FI_PLANNING_BENCH_SIZES=10000,100000 python bench/planning_draw.py
The database is FI_PLANNING_BENCH_PG_URL (default postgres://…/fi_planning_bench), dropped
and recreated; never the project's own. Prints numbers, asserts nothing about time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from _registry_common import fresh_database, machine  # noqa: E402

PG_URL = os.environ.get(
    "FI_PLANNING_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/fi_planning_bench"
)
SIZES = [
    int(s) for s in os.environ.get("FI_PLANNING_BENCH_SIZES", "10000,100000,1000000").split(",")
]
OFFICERS = 2000
RATIO = "0.05"
PLAN_PAGE_ENTERPRISES = 50_000
START = dt.date(2025, 6, 2)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(*args: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": PG_URL,
        "DJANGO_SETTINGS_MODULE": "fairinspect.config.settings",
    }
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], env=env, capture_output=True, text=True
    )
    if out.returncode:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"child {args} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- children ---------------------------------------------------------------------------


def _setup():
    import django

    django.setup()


def load_enterprises(total: int, *, district: str = "", prefix: str = "91650100") -> dict:
    """Top the city's enterprises up to ``total`` with COPY (10% supervised by a district)."""
    _setup()
    from django.db import connection

    from fairinspect.registry.models import Enterprise
    from fairinspect.rules.credit_code import make_credit_code

    qs = Enterprise.objects.filter(credit_code__startswith=prefix[:8])
    have = qs.count()
    rng = random.Random(have)
    districts = ["650102", "650103", "650104", "650105", "650106", "650107", "650109"]
    industries = [("2614", True), ("3311", False), ("5212", False), ("1019", True), ("3441", False)]
    now = "2025-01-01 00:00:00+00"
    cols = (
        "credit_code, name, address, district_code, industry_id, high_risk, "
        "high_risk_override_reason, standardization_grade, risk_level, credit_level, "
        "supervising_level, main_person, main_person_phone, contact_name, contact_phone, "
        "status, qr_generation, created_at, updated_at"
    )
    t = time.perf_counter()
    with (
        connection.cursor() as c,
        c.cursor.copy(f"COPY registry_enterprise ({cols}) FROM STDIN") as cp,
    ):
        for n in range(have, total):
            industry, high_risk = industries[n % len(industries)]
            level = "district" if (district or n % 10 == 0) else "city"
            cp.write_row(
                (
                    make_credit_code(f"{prefix}{n:09d}"[:17]),
                    f"基准企业{n}号有限公司",
                    "乌鲁木齐市测试路1号",
                    district or districts[n % len(districts)],
                    industry,
                    high_risk,
                    "",
                    rng.choice([1, 2, 3, None]),
                    rng.choice(["major", "high", "general", "low"]),
                    "B",
                    level,
                    "",
                    "",
                    "",
                    "",
                    "active",
                    1,
                    now,
                    now,
                )
            )
    with connection.cursor() as c:
        c.execute("ANALYZE registry_enterprise")
    return {"loaded": total - have, "seconds": time.perf_counter() - t}


def load_officers() -> dict:
    _setup()
    from fairinspect.catalog.services import load_default_list
    from fairinspect.planning.models import OfficerConflict
    from fairinspect.registry.models import Certificate, Department, Enterprise, Officer

    load_default_list()
    rng = random.Random(7)
    sections = list(Department.objects.filter(level="city", kind="section"))
    officers = Officer.objects.bulk_create(
        Officer(
            name=f"执法员{i}",
            department=sections[i % len(sections)],
            status="on_duty" if i % 20 else "off_post",
        )
        for i in range(OFFICERS)
    )
    Certificate.objects.bulk_create(
        Certificate(
            officer=o,
            number=f"B{i:07d}",
            issuer="乌鲁木齐市人民政府",
            valid_from=dt.date(2023, 1, 1),
            valid_to=dt.date(2024, 12, 31) if i % 25 == 0 else dt.date(2028, 12, 31),
            scopes=["general"] if i % 3 == 0 else ["hazchem", "industry_trade"],
        )
        for i, o in enumerate(officers)
    )
    ids = list(Enterprise.objects.values_list("pk", flat=True)[:50_000])
    OfficerConflict.objects.bulk_create(
        OfficerConflict(
            officer=rng.choice(officers), enterprise_id=rng.choice(ids), kind="relative"
        )
        for _ in range(1000)
    )
    return {"officers": OFFICERS}


def measure_draw(total: int) -> dict:
    _setup()
    from django.contrib.auth.models import Group
    from django.db import connection

    from fairinspect.planning import draws
    from fairinspect.planning.models import SamplingTask
    from fairinspect.registry.models import Department, Enterprise, User

    user, _ = User.objects.get_or_create(
        username="bench_planner", defaults={"department": Department.objects.get(code="650100-WH")}
    )
    user.groups.add(Group.objects.get(name="officer"))
    base = rss_mb()
    task = draws.create_task(
        actor=user,
        data={
            "title": f"bench {total}",
            "items": ["YJ-WH-004"],
            "window_start": START,
            "window_end": START + dt.timedelta(days=20),
            "ratio": RATIO,
        },
    )
    t0 = time.perf_counter()
    task = draws.publish_pools(actor=user, task=task)
    t1 = time.perf_counter()
    draw = draws.live_draw(task)
    draw = draws.record_seed(actor=user, draw=draw, seed="31415926535897", entered_by="bench")
    t2 = time.perf_counter()
    draw = draws.run(actor=user, draw=draw)
    t3 = time.perf_counter()
    check = draws.verify(draw)
    t4 = time.perf_counter()
    pools = {p.kind: p for p in task.pools.all()}
    with connection.cursor() as c:
        c.execute("SELECT pg_size_pretty(pg_total_relation_size('planning_pool'))")
        pool_table = c.fetchone()[0]
    SamplingTask.objects.filter(pk=task.pk).delete()
    return {
        "enterprises": Enterprise.objects.filter(credit_code__startswith="91650100").count(),
        "pool": pools["enterprises"].size,
        "excluded": len(pools["enterprises"].excluded),
        "officer_pool": pools["officers"].size,
        "selected": len(draw.selected),
        "paired": sum(1 for p in draw.pairings if p["officers"]),
        "publish_pools_s": t1 - t0,
        "run_s": t3 - t2,
        "verify_s": t4 - t3,
        "verified": check.ok,
        "rss_base_mb": base,
        "rss_peak_mb": rss_mb(),
        "pool_table": pool_table,
    }


def measure_pure(total: int) -> dict:
    from decimal import Decimal

    from fairinspect.rules import sampling
    from fairinspect.rules.credit_code import make_credit_code

    def candidates():
        ids = [make_credit_code(f"91650100{n:09d}") for n in range(total)]
        ents = [
            sampling.EnterpriseCandidate(
                i, at_cap=n % 50 == 0, supervising_level="city" if n % 10 else "district"
            )
            for n, i in enumerate(ids)
        ]
        offs = [
            sampling.OfficerCandidate(
                f"B{n:07d}",
                on_duty=n % 20 != 0,
                certificate_valid_from=dt.date(2023, 1, 1),
                certificate_valid_to=dt.date(2028, 12, 31),
                certificate_scopes=frozenset({"hazchem"}),
                conflicts=frozenset(
                    {sampling.Conflict(ids[n * 7 % total], sampling.ConflictKind.RELATIVE)}
                ),
            )
            for n in range(OFFICERS)
        ]
        return ents, offs

    def work(ents, offs):
        pool = sampling.build_enterprise_pool(ents, items=["YJ-WH-004"], inspecting_level="city")
        officers = sampling.build_officer_pool(offs, required_scopes=["hazchem"], on_date=START)
        count = sampling.count_from_ratio(len(pool.included), Decimal(RATIO))
        return sampling.run_draw(
            seed="31415926535897",
            enterprise_pool=pool.included,
            officer_pool=officers.officers,
            count=count,
        )

    ents, offs = candidates()
    t = time.perf_counter()
    result = work(ents, offs)
    seconds = time.perf_counter() - t
    tracemalloc.start()
    work(ents, offs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"selected": len(result.selected), "seconds": seconds, "peak_mb": peak / 2**20}


def measure_plan_page() -> dict:
    _setup()
    from django.contrib.auth.models import Group
    from django.test import Client

    from fairinspect.planning import services
    from fairinspect.registry.models import Department, User

    user, _ = User.objects.get_or_create(
        username="bench_district", defaults={"department": Department.objects.get(code="650109")}
    )
    user.groups.add(Group.objects.get(name="officer"))
    t = time.perf_counter()
    plan = services.create_plan(actor=user, data={"year": 2025}, today=START)
    create_s = time.perf_counter() - t
    enterprises = sum(li.enterprises for li in plan.lines.all())
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    url = f"/planning/plans/{plan.pk}/"
    assert client.get(url).status_code == 200
    times = []
    for _ in range(20):
        t = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - t)
    return {
        "enterprises": enterprises,
        "create_plan_s": create_s,
        "page_median_ms": statistics.median(times) * 1000,
        "page_max_ms": max(times) * 1000,
    }


CHILDREN = {
    "load": lambda a: load_enterprises(int(a[0])),
    "load_district": lambda a: load_enterprises(int(a[0]), district="650109", prefix="91650109"),
    "officers": lambda a: load_officers(),
    "draw": lambda a: measure_draw(int(a[0])),
    "pure": lambda a: measure_pure(int(a[0])),
    "plan_page": lambda a: measure_plan_page(),
}


def main() -> None:
    m = machine()
    print(f"machine: {m}")
    print(f"database: PostgreSQL {PG_URL.rsplit('/', 1)[-1]}; officers {OFFICERS}; ratio {RATIO}")
    os.environ["DEBUG"] = "0"
    fresh_database(PG_URL)
    print("\n## pure part (rules.sampling on generated candidates, no database)")
    print("| enterprises | selected | time s | peak Python MB (tracemalloc) |")
    print("|---:|---:|---:|---:|")
    for size in SIZES:
        r = child("pure", str(size))
        print(
            f"| {size:,} | {r['selected']:,} | {r['seconds']:.2f} | {r['peak_mb']:.0f} |",
            flush=True,
        )
    print("\n## whole draw through the services on PostgreSQL")
    print(
        "| enterprises | pool | excluded | selected (paired) | load s | publish_pools s | run s "
        "| verify s | peak RSS MB | planning_pool size |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    officers_loaded = False
    for size in SIZES:
        load = child("load", str(size))
        if not officers_loaded:
            child("officers")
            officers_loaded = True
        r = child("draw", str(size))
        print(
            f"| {r['enterprises']:,} | {r['pool']:,} | {r['excluded']:,} | {r['selected']:,} "
            f"({r['paired']:,}) | {load['seconds']:.1f} | {r['publish_pools_s']:.2f} | "
            f"{r['run_s']:.2f} | {r['verify_s']:.2f} | {r['rss_peak_mb']:.0f} | {r['pool_table']} |",
            flush=True,
        )
    print("\n## annual-plan page of a district bureau supervising 50,000 enterprises")
    child("load_district", str(PLAN_PAGE_ENTERPRISES))
    r = child("plan_page")
    print(
        f"enterprises {r['enterprises']:,}; create_plan {r['create_plan_s'] * 1000:.0f} ms; "
        f"GET plan page median {r['page_median_ms']:.1f} ms, max {r['page_max_ms']:.1f} ms"
    )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        result = CHILDREN[sys.argv[2]](sys.argv[3:])
        print(json.dumps(result, default=str))
    else:
        main()
