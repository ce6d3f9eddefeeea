"""Benchmark: the audit trail (issue 8 item 6, R8.5) on PostgreSQL.

Database `fi_audit_bench` on 127.0.0.1 (recreated each run; FI_BENCH_AUDIT_PG_URL overrides).
1. Audited writes per second with 1, 4 and 8 concurrent writers (processes, one
   connection each). Each write is what a service does: inside one transaction, UPDATE one enterprise
   row and `trail.record(...)` (state read back, chain head row locked, event inserted, head
   updated). Two layouts in the same run:
     - "one chain": every writer in the same bureau, so every write takes the same chain
       lock: the old single global lock, the baseline;
     - "per bureau": each writer in its own bureau (the partitioned trail).
   The floor: the same UPDATE without the audit event.
2. `fairinspect audit-verify --no-checkpoint` over 1,000,000 events (1,000 chains: 20
   bureaus x 50 days, over 10,000 enterprises whose rows match their latest event), run as
   a child process: wall time and the child's peak RSS.
    .venv/bin/python bench/audit_bench.py [--seconds 6] [--events 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _registry_common as common

PG_URL = os.environ.get(
    "FI_BENCH_AUDIT_PG_URL", "postgres://postgres@127.0.0.1:5432/fi_audit_bench"
)
BUREAUS = ["650102", "650103", "650104", "650105", "650106", "650107", "650109", "650121"]


def _writer(user_pk: int, ent_pk: int, start_at: float, stop_at: float, audited: bool, q):
    """One writer process (forked; its own connection)."""
    from django.db import connections, transaction

    from fairinspect.audit import trail
    from fairinspect.registry.models import Enterprise, User

    connections.close_all()
    user, ent = User.objects.get(pk=user_pk), Enterprise.objects.get(pk=ent_pk)
    while time.time() < start_at:
        time.sleep(0.001)
    n = 0
    while time.time() < stop_at:
        with transaction.atomic():
            Enterprise.objects.filter(pk=ent.pk).update(contact_name=f"联系人{n}")
            if audited:
                trail.record(actor=user, action="update", obj=ent, summary=f"第{n}次")
        n += 1
    connections.close_all()
    q.put(n)


def _writers(users, enterprises, seconds: float, *, audited: bool) -> float:
    """Writes per second of len(users) processes writing at once for `seconds`."""
    import multiprocessing

    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    start_at = time.time() + 1.5
    procs = [
        ctx.Process(target=_writer, args=(u.pk, e.pk, start_at, start_at + seconds, audited, q))
        for u, e in zip(users, enterprises, strict=True)
    ]
    for p in procs:
        p.start()
    total = sum(q.get() for _ in procs)
    for p in procs:
        p.join()
    return total / seconds


def bench_writes(seconds: float) -> None:
    from fairinspect.registry.models import Department, Enterprise, User

    enterprises = list(Enterprise.objects.order_by("pk")[:8])
    codes = [c for c in BUREAUS if Department.objects.filter(code=c).exists()]
    one = [
        User.objects.create(username=f"same{n}", department=Department.objects.get(code=codes[0]))
        for n in range(8)
    ]
    own = [
        User.objects.create(
            username=f"own{n}", department=Department.objects.get(code=codes[n % len(codes)])
        )
        for n in range(8)
    ]
    print(f"\n1. audited writes per second ({seconds:.0f} s each; bureaus {len(codes)})")
    print("writers | floor (UPDATE only) | one chain (old global lock) | per bureau | ratio")
    for w in (1, 4, 8):
        floor = _writers(one[:w], enterprises[:w], seconds, audited=False)
        single = _writers(one[:w], enterprises[:w], seconds, audited=True)
        parted = _writers(own[:w], enterprises[:w], seconds, audited=True)
        print(
            f"{w:7d} | {floor:19.0f} | {single:27.0f} | {parted:10.0f} | "
            f"{parted / single:.2f}x the one chain, {parted / floor:.2f}x the floor"
        )


def load_events(n_events: int) -> float:
    """1,000 gapless chains with valid hashes, over 10,000 enterprises."""
    from django.db import connection

    from fairinspect.audit.models import AuditEvent, Chain
    from fairinspect.audit.state import states_of
    from fairinspect.registry.models import Enterprise
    from fairinspect.rules.audit_hashing import (
        GENESIS,
        EventContent,
        canonical_dict,
        event_hash,
        state_digest,
    )

    t0 = time.perf_counter()
    AuditEvent.objects.all().delete()
    Chain.objects.all().delete()
    ents = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True)[:10_000])
    states = {int(pk): canonical_dict(row) for pk, row in states_of(Enterprise, ents)}
    digests = {pk: state_digest(s) for pk, s in states.items()}
    bureaus = [f"6501{n:02d}" for n in range(20)]
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=d) for d in range(50)]
    chains = [
        Chain(key=f"{b}/{d.isoformat()}", bureau=b, day=d, updated_at=dt.datetime.now(dt.UTC))
        for b in bureaus
        for d in days
    ]
    Chain.objects.bulk_create(chains, batch_size=1000)
    chains = list(Chain.objects.order_by("pk"))
    per_chain = n_events // len(chains)
    state_text = {pk: json.dumps(st, ensure_ascii=False) for pk, st in states.items()}
    columns = (
        "chain_id, seq, at, actor_id, actor_name, action, object_type, object_id, summary, "
        "data, state, state_digest, prev_hash, hash"
    )
    k = 0
    # COPY, not bulk_create: the rows are what trail.record writes, loaded at disk speed.
    with connection.cursor() as cur:
        raw = cur.cursor
        with raw.copy(f"COPY audit_auditevent ({columns}) FROM STDIN") as copy:
            for chain in chains:
                prev = GENESIS
                base = dt.datetime.combine(chain.day, dt.time(2), tzinfo=dt.UTC)
                for seq in range(1, per_chain + 1):
                    pk = ents[k % len(ents)]
                    k += 1
                    at = base + dt.timedelta(seconds=seq)
                    data = {"n": seq}
                    content = EventContent(
                        chain=chain.key,
                        seq=seq,
                        at=at,
                        actor_id=None,
                        actor_name="系统",
                        action="update",
                        object_type="registry.enterprise",
                        object_id=str(pk),
                        summary=f"修改企业 {pk}",
                        data=data,
                        state_digest=digests[pk],
                    )
                    h = event_hash(prev, content)
                    copy.write_row(
                        (
                            chain.pk,
                            seq,
                            at,
                            None,
                            "系统",
                            "update",
                            "registry.enterprise",
                            str(pk),
                            content.summary,
                            json.dumps(data),
                            state_text[pk],
                            digests[pk],
                            prev,
                            h,
                        )
                    )
                    prev = h
                chain.length, chain.head = per_chain, prev
    Chain.objects.bulk_update(chains, ["length", "head"], batch_size=1000)
    with connection.cursor() as c:
        c.execute("ANALYZE audit_auditevent")
    return time.perf_counter() - t0


def bench_verify(n_events: int) -> None:
    took = load_events(n_events)
    from fairinspect.audit.models import AuditEvent

    total = AuditEvent.objects.count()
    print(f"\n2. audit-verify over {total:,} events (loaded in {took:.0f} s)")
    env = {**os.environ, "DATABASE_URL": PG_URL, "DEBUG": "0"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    out = subprocess.run(
        [common.PY, str(common.ROOT / "manage.py"), "audit_verify", "--no-checkpoint"],
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"exit {out.returncode}: {out.stdout.strip().splitlines()[-1]}")
    print(
        f"wall {wall:.1f} s ({total / wall:,.0f} events/s), peak RSS of the child "
        f"{peak / 1024:.0f} MiB" + ("" if peak > before else " (not above an earlier child)")
    )
    # The floor: reading the same rows and nothing else.
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as c:
        c.execute("SELECT count(*), max(length(hash)) FROM audit_auditevent")
        c.fetchone()
    print(f"floor: one SELECT count(*) over the table {time.perf_counter() - t0:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["writes", "verify"])
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = PG_URL
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("AUDIT_HMAC_KEY", "bench-only-audit-key")
    common.fresh_database(PG_URL)
    common.django_setup()
    common.print_machine(common.database_label())
    common.bulk_load_enterprises(10_000)
    if args.only != "verify":
        bench_writes(args.seconds)
    if args.only != "writes":
        bench_verify(args.events)


if __name__ == "__main__":
    main()
