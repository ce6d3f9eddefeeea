"""Monitoring ingestion benchmark (issue 11): 10,000 points at one reading a second.

Three measurements on a database made for the benchmark (never the project's own):
1. HTTP: every enterprise's gateway POSTs one JSON batch a second (100 points each) to a
   running server (`manage.py runserver --noreload`, DEBUG=0), from 4 client threads, as fast
   as the server answers: readings/s.
2. MQTT: the same batches published with QoS 1 to Mosquitto (127.0.0.1:1883) and consumed
   by `fairinspect monitor` in its own process: readings/s, and the time from publish to the
   consumer's ack (published after the batch and its warnings are committed), p50/p99, for
   all messages and for those that opened a warning.
3. Memory: the consumer (in this process, no broker) fed an hour of simulated readings of
   `--memory-points` points at 1 Hz; its resident memory every five simulated minutes.

Usage: .venv/bin/python bench/monitoring_ingest.py [--db sqlite|postgres] [--seconds 10]
       [--memory-points 100] [--skip-http] [--skip-mqtt] [--skip-memory]
Prints numbers; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _registry_common as common

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
URLS = {
    "sqlite": os.environ.get(
        "FI_MON_BENCH_SQLITE_URL", "sqlite:////tmp/fi_monitoring_bench.sqlite3"
    ),
    "postgres": os.environ.get(
        "FI_MON_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/monitoring_bench"
    ),
}
ENTERPRISES = 100
POINTS_PER_ENTERPRISE = 100
PORT = int(os.environ.get("FI_MON_BENCH_PORT", "8311"))
HTTP_WORKERS = int(os.environ.get("FI_MON_BENCH_WORKERS", "3"))
HTTP_CLIENTS = int(os.environ.get("FI_MON_BENCH_CLIENTS", "8"))
PACED = True


def fresh_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = urlparse(url).path
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
    else:
        u = urlparse(url)
        name = u.path.lstrip("/")
        if "bench" not in name:
            raise SystemExit(f"refusing to drop {name!r}")
        args = common.pg_cli_args(url)
        subprocess.run(["dropdb", *args, "--if-exists", "--force", name], check=True)
        subprocess.run(["createdb", *args, name], check=True)
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0"}
    subprocess.run(
        [PY, str(ROOT / "manage.py"), "migrate", "--no-input", "-v", "0"], check=True, env=env
    )


def setup_world() -> list[tuple[int, str]]:
    """100 enterprises × 100 points, one gateway key each. Returns [(enterprise_id, key)]."""
    from fairinspect.monitoring.models import IngestCredential, MonitoringPoint
    from fairinspect.monitoring.services import hash_key
    from fairinspect.registry.models import Enterprise
    from fairinspect.rules.credit_code import make_credit_code

    ents = Enterprise.objects.bulk_create(
        [
            Enterprise(
                credit_code=make_credit_code(f"91650102{n:09d}"),
                name=f"监测基准企业{n:03d}号",
                address="天山区基准路",
                district_code="650102",
                industry_id="2614",
                high_risk=True,
                supervising_level="district",
            )
            for n in range(ENTERPRISES)
        ]
    )
    ents = list(Enterprise.objects.order_by("id"))
    MonitoringPoint.objects.bulk_create(
        [
            MonitoringPoint(
                enterprise=e,
                code=f"P{j:03d}",
                name=f"点位{j}",
                kind="gas" if j % 2 else "pressure",
                unit="u",
                range_low=0,
                range_high=100,
                high=60,
                high_high=80,
                rate_per_minute=600,
            )
            for e in ents
            for j in range(POINTS_PER_ENTERPRISE)
        ],
        batch_size=2000,
    )
    keys = []
    for e in ents:
        key = f"gw_bench_{e.pk}_{uuid.uuid4().hex}"
        IngestCredential.objects.create(enterprise=e, gateway="bench", key_hash=hash_key(key))
        keys.append((e.pk, key))
    return keys


def batch(t0: dt.datetime, second: int, eid: int, *, alarm: bool) -> tuple[str, list[dict]]:
    at = (t0 + dt.timedelta(seconds=second)).isoformat()
    readings = [
        {"point": f"P{j:03d}", "at": at, "value": 20.0 + (j % 7)}
        for j in range(POINTS_PER_ENTERPRISE)
    ]
    if alarm:
        readings[0]["value"] = 85.0  # above high-high: opens warnings
    return f"b-{eid}-{second}", readings


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


def run_http(url: str, keys, seconds: int) -> dict:
    import httpx

    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1"}
    load0 = os.getloadavg()
    server = subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), "fairinspect.config.wsgi:application",
         "--bind", f"127.0.0.1:{PORT}", "--workers", str(HTTP_WORKERS), "--chdir", str(ROOT / "src"), "--timeout", "120"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{PORT}/login/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        t0 = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(seconds=seconds + 5)
        client = httpx.Client(timeout=60)
        lat: list[float] = []
        accepted = 0

        warn_lat: list[float] = []

        def post(job):
            second, eid, key = job
            mid, readings = batch(t0, second, eid, alarm=(second == seconds // 2 and eid % 10 == 0))
            if PACED:  # each simulated second's batches are sent in that real second
                wait = start + second - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
            s = time.perf_counter()
            r = client.post(
                f"http://127.0.0.1:{PORT}/api/v1/monitoring/ingest",
                json={"message_id": "h" + mid, "readings": readings},
                headers={"X-Gateway-Key": key},
            )
            took = time.perf_counter() - s
            lat.append(took)
            r.raise_for_status()
            if r.json()["warnings_opened"]:
                warn_lat.append(took)
            return r.json()["accepted"]

        jobs = [(s, eid, key) for s in range(seconds) for eid, key in keys]
        start = time.perf_counter()
        with ThreadPoolExecutor(HTTP_CLIENTS) as pool:
            for n in pool.map(post, jobs):
                accepted += n
        elapsed = time.perf_counter() - start
        return {
            "load_average_before_after": [round(load0[0], 1), round(os.getloadavg()[0], 1)],
            "readings": accepted,
            "seconds": round(elapsed, 1),
            "readings_per_s": round(accepted / elapsed),
            "batch_p50_ms": round(pct(lat, 0.5) * 1000, 1),
            "batch_p99_ms": round(pct(lat, 0.99) * 1000, 1),
            "publish_to_warning_p99_ms": round(pct(warn_lat, 0.99) * 1000, 1),
            "warning_batches": len(warn_lat),
            "paced": PACED,
            "server": f"gunicorn, {HTTP_WORKERS} sync workers; {HTTP_CLIENTS} client threads",
            "keeps_up_with_10000_per_s": accepted / elapsed >= 10_000 * 0.98,
        }
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)


def run_mqtt(url: str, keys, seconds: int, consumers: int = 1) -> dict:
    import paho.mqtt.client as mqtt

    run = uuid.uuid4().hex[:8]
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0"}
    load0 = os.getloadavg()
    consumer = subprocess.Popen(
        [PY, str(ROOT / "manage.py"), "monitor", "--topic", f"fibench-{run}/+/readings", "--client-id", f"fibench-{run}",
         "--consumers", str(consumers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    sent: dict[str, float] = {}
    acks: dict[str, tuple[float, int, int]] = {}
    done = threading.Event()
    total = seconds * len(keys)

    def on_message(c, u, msg):
        ack = json.loads(msg.payload)
        mid = ack.get("message_id")
        if mid in sent and mid not in acks and (mid.startswith("probe-") or ack.get("ok")):
            acks[mid] = (
                time.perf_counter(),
                ack.get("accepted", 0),
                len(ack.get("warnings_opened", [])),
            )
            if len(acks) >= total:
                done.set()

    sub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"fibench-ack-{run}")
    sub.on_message = on_message
    sub.connect("127.0.0.1", 1883)
    sub.subscribe("fairinspect/ack/#", qos=0)
    sub.loop_start()
    pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"fibench-pub-{run}")
    pub.max_inflight_messages_set(1000)
    pub.max_queued_messages_set(0)
    pub.connect("127.0.0.1", 1883)
    pub.loop_start()
    # Wait until the consumer answers (its start imports river and scipy): a probe with an
    # unknown key is refused, and the refusal is acked with the probe's message id.
    probe_deadline = time.monotonic() + 120
    n = 0
    while not any(m.startswith("probe-") for m in acks) and time.monotonic() < probe_deadline:
        mid = f"probe-{n}"
        sent[mid] = time.perf_counter()
        pub.publish(
            f"fibench-{run}/probe/readings",
            json.dumps({"key": "gw_probe_key", "message_id": mid, "readings": []}),
            qos=1,
        )
        n += 1
        time.sleep(0.5)
    for m in [m for m in acks if m.startswith("probe-")]:
        del acks[m]
    for m in [m for m in sent if m.startswith("probe-")]:
        del sent[m]
    t0 = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(seconds=seconds + 5)
    start = time.perf_counter()
    for second in range(seconds):
        if PACED:
            wait = start + second - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
        for eid, key in keys:
            mid, readings = batch(t0, second, eid, alarm=(second == seconds // 2 and eid % 10 == 0))
            mid = f"m{run}-{mid}"
            sent[mid] = time.perf_counter()
            pub.publish(
                f"fibench-{run}/gw{eid}/readings",
                json.dumps({"key": key, "message_id": mid, "readings": readings}),
                qos=1,
            )
    publish_s = time.perf_counter() - start
    done.wait(timeout=max(120, seconds * 60))
    elapsed = max(t for t, _a, _w in acks.values()) - start if acks else float("nan")
    consumer.terminate()
    try:
        consumer.wait(60)
    except subprocess.TimeoutExpired:
        consumer.kill()
        consumer.wait(10)
    sub.loop_stop()
    pub.loop_stop()
    lat = [(acks[m][0] - sent[m]) for m in acks]
    warn_lat = [(acks[m][0] - sent[m]) for m in acks if acks[m][2]]
    readings = sum(a for _t, a, _w in acks.values())
    return {
        "consumers": consumers,
        "load_average_before_after": [round(load0[0], 1), round(os.getloadavg()[0], 1)],
        "messages_acked": len(acks),
        "messages_sent": total,
        "readings": readings,
        "publish_seconds": round(publish_s, 1),
        "seconds": round(elapsed, 1),
        "readings_per_s": round(readings / elapsed) if acks else 0,
        "publish_to_ack_p50_s": round(pct(lat, 0.5), 2),
        "publish_to_ack_p99_s": round(pct(lat, 0.99), 2),
        "publish_to_warning_p50_s": round(pct(warn_lat, 0.5), 2),
        "publish_to_warning_p99_s": round(pct(warn_lat, 0.99), 2),
        "warning_messages": len(warn_lat),
        "paced": PACED,
        "keeps_up_with_10000_per_s": bool(acks) and readings / elapsed >= 10_000 * 0.98,
    }


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_memory(keys, points: int, step: int = 1) -> dict:
    """An hour of simulated readings through the consumer's message handler: every point
    one reading each `step` simulated seconds (accelerated: step 60 is one a minute)."""
    from fairinspect.monitoring.consumer import Consumer
    from fairinspect.monitoring.models import IngestCredential, MonitoringPoint
    from fairinspect.monitoring.services import hash_key
    from fairinspect.registry.models import Enterprise
    from fairinspect.rules.credit_code import make_credit_code

    c = Consumer(host="127.0.0.1", port=1883, topic="unused")
    per_ent = POINTS_PER_ENTERPRISE
    # Enterprises of their own: the HTTP and MQTT phases left their points' last readings
    # near now, which would make this hour's readings out of order.
    ents = []
    for n in range(max(1, points // per_ent)):
        e = Enterprise.objects.create(
            credit_code=make_credit_code(f"91650102{900_000_000 + n:09d}"), name=f"内存基准企业{n}",
            address="天山区基准路", district_code="650102", industry_id="2614", high_risk=True,
            supervising_level="district",
        )  # fmt: skip
        MonitoringPoint.objects.bulk_create(
            [
                MonitoringPoint(
                    enterprise=e,
                    code=f"P{j:03d}",
                    name=f"点位{j}",
                    kind="gas" if j % 2 else "pressure",
                    unit="u",
                    range_low=0,
                    range_high=100,
                    high=60,
                    high_high=80,
                    rate_per_minute=600,
                )
                for j in range(per_ent)
            ]
        )
        key = f"gw_mem_{e.pk}_{uuid.uuid4().hex}"
        IngestCredential.objects.create(enterprise=e, gateway="bench-mem", key_hash=hash_key(key))
        ents.append((e.pk, key))
    t0 = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=2)
    samples = []
    start = time.perf_counter()
    load0 = os.getloadavg()
    for second in range(0, 3600, step):
        payloads = []
        for eid, key in ents:
            mid, readings = batch(t0, second, eid, alarm=(second % 600 == 300))
            payloads.append(
                json.dumps(
                    {"key": key, "message_id": f"mem-{mid}", "readings": readings[:points]}
                ).encode()
            )
        for n in range(0, len(payloads), 20):  # the worker's micro-batches
            c.handle_many(payloads[n : n + 20])
        if second % 300 < step or second + step >= 3600:
            samples.append((second // 60, round(rss_mib(), 1)))
    return {
        "step_seconds": step,
        "load_average_before_after": [round(load0[0], 1), round(os.getloadavg()[0], 1)],
        "points": len(ents) * min(points, per_ent),
        "readings": c.stats.accepted,
        "wall_seconds": round(time.perf_counter() - start),
        "rss_mib_by_simulated_minute": samples,
        "drift_detectors": len(
            __import__("fairinspect.monitoring.engine", fromlist=["x"]).drift_bank()
        ),
        "credential_cache": len(c.credentials),
    }


def run_profile(keys, rounds: int, messages: int = 20) -> dict:
    """In-process: the consumer's handler over `rounds` micro-batches of `messages` messages
    (100 readings each), cProfile'd; readings/s of the handler alone (no broker)."""
    import cProfile
    import io
    import pstats

    from fairinspect.monitoring.consumer import Handler

    h = Handler()
    t0 = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=3)
    payloads = []
    for second in range(rounds):
        chunk = []
        for eid, key in keys[:messages]:
            mid, readings = batch(t0, second, eid, alarm=(second == rounds // 2 and eid % 10 == 0))
            chunk.append(
                json.dumps({"key": key, "message_id": f"prof-{mid}", "readings": readings}).encode()
            )
        payloads.append(chunk)
    h.handle_many(payloads[0])  # warm the caches (credentials, point configuration)
    half = len(payloads) // 2
    plain = payloads[1:half]
    payloads = payloads[half - 1 :]
    # Without the profiler first: the handler's own rate and its CPU time per reading.
    start = time.perf_counter()
    cpu0 = time.process_time()
    for chunk in plain:
        h.handle_many(chunk)
    plain_n = len(plain) * messages * POINTS_PER_ENTERPRISE
    plain_wall = time.perf_counter() - start
    plain_cpu = time.process_time() - cpu0
    prof = cProfile.Profile()
    start = time.perf_counter()
    cpu0 = time.process_time()
    prof.enable()
    for chunk in payloads[1:]:
        h.handle_many(chunk)
    prof.disable()
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(25)
    print(out.getvalue(), file=sys.stderr)
    n = (len(payloads) - 1) * messages * POINTS_PER_ENTERPRISE
    return {
        "unprofiled_readings": plain_n,
        "unprofiled_readings_per_s_wall": round(plain_n / plain_wall) if plain_n else None,
        "unprofiled_consumer_cpu_ms_per_reading": round(plain_cpu / plain_n * 1000, 4)
        if plain_n
        else None,
        "load_average": round(os.getloadavg()[0], 1),
        "readings": n,
        "wall_s": round(wall, 2),
        "readings_per_s_wall": round(n / wall),
        "python_cpu_ms_per_reading": round(cpu / n * 1000, 4),
        "note": "cProfile on: real rates are higher",
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=list(URLS), default="sqlite")
    ap.add_argument("--seconds", type=int, default=10, help="simulated seconds of 10,000 readings")
    ap.add_argument("--memory-points", type=int, default=100)
    ap.add_argument("--memory-step", type=int, default=1, help="simulated seconds per reading")
    ap.add_argument("--consumers", default="1", help="MQTT runs, e.g. 1,2,4 (monitor --consumers)")
    ap.add_argument("--skip-http", action="store_true")
    ap.add_argument("--skip-mqtt", action="store_true")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--profile", type=int, default=0, help="N micro-batches in-process, cProfile'd")
    ap.add_argument(
        "--flood", action="store_true", help="send as fast as possible instead of at 1 Hz"
    )
    a = ap.parse_args()
    global PACED
    PACED = not a.flood
    url = URLS[a.db]
    fresh_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairinspect.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    keys = setup_world()
    out: dict = {
        "database": a.db,
        "points": ENTERPRISES * POINTS_PER_ENTERPRISE,
        "simulated_seconds": a.seconds,
        "cpus": os.cpu_count(),
    }
    if a.profile:
        out["profile"] = run_profile(keys, a.profile)
        print(json.dumps({"profile": out["profile"]}), flush=True)

    def fresh_world() -> list[tuple[int, str]]:
        # Each run on a new database: the warnings a run opens are still live afterwards,
        # so a second run on the same points would open none and measure no warning latency.
        from django.db import connections

        connections.close_all()
        fresh_database(url)
        return setup_world()

    if not a.skip_http:
        out["http"] = run_http(url, keys, a.seconds)
        print(json.dumps({"http": out["http"]}, ensure_ascii=False), flush=True)
    if not a.skip_mqtt:
        out["mqtt"] = []
        for n, k in enumerate(int(x) for x in a.consumers.split(",")):
            if n or not a.skip_http:
                keys = fresh_world()
            out["mqtt"].append(run_mqtt(url, keys, a.seconds, k))
            print(json.dumps({"mqtt": out["mqtt"][-1]}, ensure_ascii=False), flush=True)
    if not a.skip_memory and not (a.skip_http and a.skip_mqtt):
        keys = fresh_world()
    if not a.skip_memory:
        out["memory"] = run_memory(keys, a.memory_points, a.memory_step)
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
