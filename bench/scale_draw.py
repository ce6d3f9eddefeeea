"""Benchmark: a 双随机 draw over a city with its visit history, and the public draw page
beside the empty view (issue 13, items 2–3), on PostgreSQL.

Uses the database of bench/scale_requests.py (`scale_requests`, FI_SCALE_REQUESTS_PG_URL;
run that first: 100,000 enterprises, 1,000,000 visits over five years, i.e. about 200,000
this year, two certified officers). In this process:
  1. a city task over every enterprise (one item, --count enterprises): publish_pools
     (territory, cap state from this year's visits, exclusions stored as rows, text hashed
     line by line), record_seed, run, publish_result (creates the visits) — time each, and
     the process's peak RSS;
  2. the public draw page /planning/public/draws/<id>/ (anonymous) and /bench/empty through
     the same in-process client, --requests each: p50, p99 and the ratio (target ≤ 5×);
  3. the SQL the page issues, and whether any reads the pool text (it must not);
then deletes the task, its pools and the visits it created (the dataset stays as loaded).

--district CODE (e.g. 650102) makes it a district bureau's own draw instead: the task of that
district's bureau over its territory (the enterprises of the district), drawn by two
certified officers of that bureau, which are created on first use (the loaded dataset has
only the city's); the pool, the cap state and the officers' past enterprises are then
bounded to the district, as for a district bureau in production.

    PYTHONPATH=src .venv/bin/python bench/scale_draw.py [--count 2000] [--requests 200]
        [--district CODE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _registry_common as common

PG_URL = os.environ.get(
    "FI_SCALE_REQUESTS_PG_URL", "postgres://postgres@127.0.0.1:5432/scale_requests"
)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(client, path: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        r = client.get(path)
        out.append(time.perf_counter() - t)
        assert r.status_code == 200, (path, r.status_code)
    return out


def district_planner(code: str):
    """A planner of the district's bureau and two certified officers of it (created once)."""
    from django.contrib.auth.models import Group

    from fairinspect.registry.models import Department, Officer, User

    bureau = Department.objects.get(kind="bureau", level="district", division_code=code)
    user, _ = User.objects.get_or_create(
        username=f"bench_planner_{code}", defaults={"department": bureau}
    )
    user.groups.add(Group.objects.get(name="officer"))
    for n in (1, 2):
        officer, made = Officer.objects.get_or_create(
            name=f"bench_district_officer_{code}_{n}",
            defaults={"department": bureau, "post_domains": ["general"]},
        )
        if made:
            common.certify(officer, f"BD{code}{n}")
    return user


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--count", type=int, default=2000)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--keep", action="store_true", help="keep the task (to profile the page)")
    p.add_argument("--district", default="", help="a district bureau's draw (division code)")
    args = p.parse_args()
    os.environ["DATABASE_URL"], os.environ["DEBUG"] = PG_URL, "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    common.django_setup()
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from fairinspect.planning import draws
    from fairinspect.planning.models import SamplingTask
    from fairinspect.registry.models import Department, Enterprise, User
    from fairinspect.visits.models import Visit

    n_e, n_v = Enterprise.objects.count(), Visit.objects.count()
    today = dt.date.today()
    this_year = Visit.objects.filter(planned_date__year=today.year).count()
    if n_e == 0:
        raise SystemExit("run bench/scale_requests.py first (it loads the dataset)")
    common.print_machine(common.database_label())
    where = f"district {args.district}" if args.district else "a city"
    print(
        f"== draw over {where} with history: {n_e:,} enterprises, {n_v:,} visits "
        f"({this_year:,} this year), count {args.count:,} =="
    )
    print("  load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if args.district:
        user = district_planner(args.district)
        n_t = Enterprise.objects.filter(district_code=args.district).count()
        print(f"  territory: {n_t:,} enterprises in district {args.district}")
    else:
        user, _ = User.objects.get_or_create(
            username="bench_planner",
            defaults={"department": Department.objects.get(code="650100-WH")},
        )
        user.groups.add(Group.objects.get(name="officer"))
    start = max(today, dt.date(today.year, 1, 1))
    end = min(start + dt.timedelta(days=20), dt.date(today.year, 12, 31))
    base = rss_mb()
    task = draws.create_task(
        actor=user,
        data={
            "title": "scale bench",
            "items": ["YJ-WH-004"],
            "window_start": start.isoformat(),
            "window_end": end.isoformat(),
            "count": str(args.count),
        },
    )
    t0 = time.perf_counter()
    task = draws.publish_pools(actor=user, task=task)
    t1 = time.perf_counter()
    rss_freeze = rss_mb()
    draw = draws.record_seed(
        actor=user, draw=draws.live_draw(task), seed="31415926535897", entered_by="bench"
    )
    t2 = time.perf_counter()
    draw = draws.run(actor=user, draw=draw)
    t3 = time.perf_counter()
    draw = draws.publish_result(actor=user, draw=draw, today=start)
    t4 = time.perf_counter()
    ent, _off = draws.pools_of(task, light=True)
    print(
        f"  pool {ent.size:,} enterprises, {ent.excluded_count:,} excluded (rows); "
        f"selected {len(draw.selected):,}; verified at publish: {draw.verification.get('ok')}"
    )
    print(
        f"  publish_pools {t1 - t0:.1f}s, run {t3 - t2:.1f}s, publish_result (visits + stored "
        f"verification) {t4 - t3:.1f}s; peak RSS {base:.0f} MB before, {rss_freeze:.0f} MB "
        f"after the freeze, {rss_mb():.0f} MB at the end"
    )
    print(
        f"RESULT|draw|freeze_s|{t1 - t0:.2f}|run_s|{t3 - t2:.2f}|rss_mb|{rss_mb():.0f}"
        f"|publish_s|{t4 - t3:.2f}|pool|{ent.size}|excluded|{ent.excluded_count}"
        f"|selected|{len(draw.selected)}"
    )

    client = Client(HTTP_HOST="127.0.0.1")
    url = f"/planning/public/draws/{draw.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as cq:
        body = client.get(url).content.decode()
    assert "验证通过" in body, "the public page did not verify"
    text_reads = [q for q in cq.captured_queries if '."text"' in q["sql"]]
    print(
        f"  public page: {len(cq.captured_queries)} queries, {len(body) / 1024:.0f} KiB, "
        f"reads the pool text: {bool(text_reads)}"
    )
    timed(client, "/bench/empty", 20)
    empty = timed(client, "/bench/empty", args.requests)
    page = timed(client, url, args.requests)
    e50, p50 = statistics.median(empty) * 1000, statistics.median(page) * 1000
    p99 = sorted(page)[int(len(page) * 0.99) - 1] * 1000
    print(
        f"  empty view p50 {e50:.2f} ms; public draw page p50 {p50:.2f} ms, p99 {p99:.2f} ms: "
        f"×{p50 / e50:.1f} the empty view (target ≤ 5×)"
    )
    print(f"RATIO|public_draw|{p50:.2f}|{p50 / e50:.2f}")
    if args.keep:
        print(f"  kept: draw {draw.pk} of task {task.pk}")
    else:
        Visit.objects.filter(pk__in=draw.visit_ids or []).delete()
        SamplingTask.objects.filter(pk=task.pk).delete()
    print("  load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
