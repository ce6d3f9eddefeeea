"""Taking readings in (R4.3): one batch (an HTTP request or an MQTT message) at a time.

Idempotent on the message id: the batch row is created first under a unique constraint, so a
message seen again changes nothing and is answered with the first result (`repeated=True`).
Inside a batch each reading stands alone: a bad one is refused with its reason and counted,
the good ones are stored. A reading already stored (same point, same instant) is a duplicate
and counted as such; a reading older than the point's last one is stored and evaluated for
the level rules only (it may open a warning, never clear one).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from fairinspect.audit import trail
from fairinspect.rules import monitoring as rules

from ..engine import PointConfig, config, drift_bank, point_cache, standardise
from ..models import EarlyWarning, IngestBatch, IngestCredential, MonitoringPoint, Reading
from .warnings import apply_conditions, live_warnings


class RawReading(NamedTuple):
    """One reading as sent (a tuple: at 10,000 a second, a frozen dataclass's __init__ is
    a measurable share of the consumer's time)."""

    point: str
    at: dt.datetime
    value: float
    row: int = -1  # its row in the batch as sent (for the refusal report)


@dataclass(frozen=True, slots=True)
class Problem:
    row: int
    field: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "code": self.code, "message": self.message}


@dataclass(slots=True)
class IngestResult:
    message_id: str
    accepted: int = 0
    duplicates: int = 0
    refused: int = 0
    problems: list[dict] = field(default_factory=list)
    warnings_opened: list[str] = field(default_factory=list)
    repeated: bool = False


_PROBLEM_TEXT = {
    rules.ReadingProblem.NOT_FINITE: "数值不是有限数",
    rules.ReadingProblem.OUT_OF_RANGE: "数值超出仪表量程",
}


@dataclass(slots=True)
class Message:
    """One batch as it came in (an HTTP request or an MQTT message)."""

    credential: IngestCredential
    message_id: str
    readings: list[RawReading]
    refused: list[Problem] = field(default_factory=list)


def ingest(
    *,
    credential: IngestCredential,
    message_id: str,
    readings: list[RawReading],
    refused: list[Problem] = (),  # type: ignore[assignment]
    source: str,
    now: dt.datetime | None = None,
) -> IngestResult:
    """Store one batch and evaluate it. `refused` are rows the entry point already refused
    while typing them (wrong type, missing field); they are counted with the rest."""
    return ingest_many(
        [Message(credential, message_id, readings, list(refused))], source=source, now=now
    )[0]


def ingest_many(
    messages: list[Message], *, source: str, now: dt.datetime | None = None
) -> list[IngestResult]:
    """Store and evaluate several batches in one transaction (the consumer's micro-batch;
    an HTTP request is a list of one). Per transaction, whatever the number of readings:
    one query for the messages already seen, one to lock the points' engine state, one
    INSERT of the readings (duplicates skipped by the unique (point, at) constraint), one
    for the live warnings, one UPDATE of the points' state and one INSERT of the batch rows.
    Point configuration comes from a cache (engine.point_cache); rules run per point over
    all its readings of the transaction. If another process stores one of the same
    messages at the same moment, the transaction is retried one message at a time."""
    now = now or timezone.now()
    if not messages:
        return []
    try:
        with transaction.atomic():
            return _ingest_many(messages, source=source, now=now)
    except IntegrityError:
        if len(messages) == 1:
            # The same message stored concurrently: now it is a repeat.
            with transaction.atomic():
                return _ingest_many(messages, source=source, now=now)
        return [r for m in messages for r in ingest_many([m], source=source, now=now)]


@dataclass(slots=True)
class PointRow:
    """A point's engine state as ingestion reads and writes it (what `apply_conditions`
    needs of a point: its id, enterprise and code)."""

    pk: int
    enterprise_id: int
    code: str
    last_at: dt.datetime | None
    last_value: float | None
    above_since: dt.datetime | None


_CONFIG_COLUMNS = (
    "id", "code", "kind", "low_low", "low", "high", "high_high", "rate_per_minute",
    "range_low", "range_high",
)  # fmt: skip


def _load_points(enterprise_id: int) -> dict[str, PointConfig]:
    out = {}
    for pid, code, kind, ll, lo, hi, hh, rate, rlo, rhi in MonitoringPoint.objects.filter(
        enterprise_id=enterprise_id, active=True
    ).values_list(*_CONFIG_COLUMNS):
        out[code] = PointConfig(
            pid, enterprise_id, code, kind, rules.Limits(ll, lo, hi, hh, rate, rlo, rhi)
        )
    return out


def _ingest_many(messages: list[Message], *, source: str, now: dt.datetime) -> list[IngestResult]:
    results: list[IngestResult | None] = [None] * len(messages)
    # 1. Messages seen before (idempotence), and a message repeated within this micro-batch.
    seen = {(b.credential_id, b.message_id): b for b in _seen_batches(messages)}
    fresh: list[int] = []
    first_of: dict[tuple[int, str], int] = {}
    repeats_of: dict[tuple[int, str], list[int]] = defaultdict(list)
    for i, m in enumerate(messages):
        mk = (m.credential.pk, m.message_id)
        if mk in seen:
            b = seen[mk]
            results[i] = IngestResult(
                message_id=m.message_id,
                accepted=b.accepted,
                duplicates=b.duplicates,
                refused=b.refused,
                problems=list(b.problems),
                repeated=True,
            )
            repeats_of[mk].append(i)
        elif mk in first_of:
            repeats_of[mk].append(i)
        else:
            first_of[mk] = i
            fresh.append(i)

    # 2. Each reading checked against its point's (cached) configuration.
    cache = point_cache()
    problems: dict[int, list[Problem]] = {i: list(messages[i].refused) for i in fresh}
    duplicates: dict[int, int] = dict.fromkeys(fresh, 0)
    wanted: dict[tuple[int, dt.datetime], tuple[int, float]] = {}  # (point, at) -> (msg, value)
    configs: dict[int, PointConfig] = {}
    future = now + dt.timedelta(minutes=5)
    for i in fresh:
        m = messages[i]
        points = cache.get(m.credential.enterprise_id, _load_points)
        for n, r in enumerate(m.readings):
            row = r.row if r.row >= 0 else n
            p = points.get(r.point)
            if p is None:
                problems[i].append(
                    Problem(row, "point", "unknown_point", f"点位 {r.point} 不存在或未启用")
                )
                continue
            bad = rules.check_reading(r.value, p.limits)
            if bad is not None:
                problems[i].append(
                    Problem(row, "value", bad.value, f"{_PROBLEM_TEXT[bad]}：{r.value}")
                )
                continue
            if r.at > future:
                problems[i].append(Problem(row, "at", "in_future", "采集时间晚于接收时间"))
                continue
            k = (p.id, r.at)
            if k in wanted:
                duplicates[i] += 1
                continue
            wanted[k] = (i, r.value)
            configs[p.id] = p

    # 3. The points' engine state, locked (ordered by id: no deadlock between writers).
    # Plain rows, not model instances: at 10,000 points a second building the instances
    # costs more than the query.
    locked = {
        pid: PointRow(pid, configs[pid].enterprise_id, configs[pid].code, a, v, s)
        for pid, a, v, s in _lock_states(configs)
    }
    # A point deleted since it was cached: its readings are refused, not lost silently.
    for (pid, _at), (i, _v) in list(wanted.items()):
        if pid not in locked:
            problems[i].append(Problem(-1, "point", "unknown_point", "点位已删除"))
            del wanted[(pid, _at)]

    # 4. The readings, duplicates of stored ones skipped.
    already = _insert_readings(wanted, configs, source)
    accepted: dict[int, int] = dict.fromkeys(fresh, 0)
    new_rows: list[tuple[int, dt.datetime, float, int]] = []
    for k, (i, v) in wanted.items():
        if k in already:
            duplicates[i] += 1
        else:
            accepted[i] += 1
            new_rows.append((k[0], k[1], v, i))

    # 5. The rules, per point over all its new readings in time order.
    opened = _evaluate(locked, configs, new_rows, now)
    opened_by_msg: dict[int, list[str]] = defaultdict(list)
    for i, w in opened:
        opened_by_msg[i].append(w.number)

    # 6. The batch rows, with their counts (the unique constraint makes a concurrent
    # duplicate of a message fail here, and the caller retries it as a repeat).
    batches = []
    for i in fresh:
        m = messages[i]
        probs = [p.as_dict() for p in sorted(problems[i], key=lambda p: p.row)][:200]
        batches.append(
            IngestBatch(
                enterprise_id=m.credential.enterprise_id,
                credential=m.credential,
                message_id=m.message_id,
                source=source,
                accepted=accepted[i],
                duplicates=duplicates[i],
                refused=len(problems[i]),
                problems=probs,
                warnings_opened=len(opened_by_msg[i]),
            )
        )
        results[i] = IngestResult(
            message_id=m.message_id,
            accepted=accepted[i],
            duplicates=duplicates[i],
            refused=len(problems[i]),
            problems=probs,
            warnings_opened=opened_by_msg[i],
        )
    IngestBatch.objects.bulk_create(batches)
    for mk, idxs in repeats_of.items():
        first = results[first_of[mk]] if mk in first_of else None
        for i in idxs:
            if results[i] is None and first is not None:
                results[i] = IngestResult(
                    message_id=first.message_id,
                    accepted=first.accepted,
                    duplicates=first.duplicates,
                    refused=first.refused,
                    problems=list(first.problems),
                    repeated=True,
                )
        seen_batch = seen.get(mk)
        if seen_batch is not None:
            IngestBatch.objects.filter(pk=seen_batch.pk).update(repeats=F("repeats") + len(idxs))
        elif mk in first_of:
            IngestBatch.objects.filter(credential_id=mk[0], message_id=mk[1]).update(
                repeats=F("repeats") + len(idxs)
            )
    creds = {m.credential.pk: m.credential for m in messages}
    for cred in creds.values():
        audit_receipts(cred)
    return [r for r in results if r is not None]


def _int_array(xs) -> str:
    """A PostgreSQL array literal of integers: one string parameter instead of a list that
    psycopg adapts element by element (at 2,000 readings a transaction that adaptation,
    and Django's `IN (%s, …)` with one placeholder per id, were a fifth of the time)."""
    return "{" + ",".join(map(str, xs)) + "}"


def _float_array(xs) -> str:
    return "{" + ",".join("NULL" if x is None else repr(float(x)) for x in xs) + "}"


def _time_array(xs) -> str:
    """Timestamps repeat within a transaction (a gateway's readings share their instant):
    each distinct one formatted once."""
    memo: dict[dt.datetime, str] = {}
    out = []
    for x in xs:
        if x is None:
            out.append("NULL")
            continue
        text = memo.get(x)
        if text is None:
            text = memo[x] = f'"{x.isoformat()}"'
        out.append(text)
    return "{" + ",".join(out) + "}"


def _seen_batches(messages: list[Message]) -> list[IngestBatch]:
    """The batch rows of the messages already stored, locked."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT b.id FROM {IngestBatch._meta.db_table} b JOIN unnest(%s::bigint[], "
                "%s::text[]) AS t(c, m) ON b.credential_id = t.c AND b.message_id = t.m "
                "FOR UPDATE OF b",
                [[m.credential.pk for m in messages], [m.message_id for m in messages]],
            )
            ids = [r[0] for r in cur.fetchall()]
        return list(IngestBatch.objects.filter(pk__in=ids)) if ids else []
    seen_q = Q()
    for m in messages:
        seen_q |= Q(credential_id=m.credential.pk, message_id=m.message_id)
    return list(IngestBatch.objects.select_for_update().filter(seen_q))


def _lock_states(configs: dict[int, PointConfig]) -> list[tuple]:
    """(id, last_at, last_value, above_since) of the points, locked in id order (no
    deadlock between concurrent consumers)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT id, last_at, last_value, above_since FROM "
                f"{MonitoringPoint._meta.db_table} WHERE id = ANY(%s::bigint[]) "
                "ORDER BY id FOR UPDATE",
                [_int_array(configs)],
            )
            return cur.fetchall()
    return list(
        MonitoringPoint.objects.select_for_update()
        .filter(pk__in=list(configs))
        .order_by("id")
        .values_list("id", "last_at", "last_value", "above_since")
    )


def _live(point_ids) -> dict[int, dict[str, EarlyWarning]]:
    """`warnings.live_warnings`, with the lock taken by one `= ANY` query: most points have
    no live warning, so the instances are built only for those that do."""
    if connection.vendor != "postgresql":
        return live_warnings(point_ids)
    out: dict[int, dict[str, EarlyWarning]] = {pid: {} for pid in point_ids}
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT id FROM {EarlyWarning._meta.db_table} WHERE point_id = ANY(%s::bigint[]) "
            "AND cleared_at IS NULL FOR UPDATE",
            [_int_array(out)],
        )
        ids = [r[0] for r in cur.fetchall()]
    if ids:
        for w in EarlyWarning.objects.filter(pk__in=ids):
            out[w.point_id][w.rule_kind] = w
    return out


def _insert_readings(
    wanted: dict[tuple[int, dt.datetime], tuple[int, float]],
    configs: dict[int, PointConfig],
    source: str,
) -> set[tuple[int, dt.datetime]]:
    """INSERT the readings; returns the (point, at) that were ALREADY stored (usually none).
    PostgreSQL: one INSERT ... SELECT FROM unnest ... ON CONFLICT DO NOTHING per chunk,
    answering only the ordinals of the rows it skipped. Elsewhere: the stored ones looked
    up, the rest inserted."""
    if not wanted:
        return set()
    table = Reading._meta.db_table
    keys = list(wanted)
    if connection.vendor == "postgresql":
        already: set[tuple[int, dt.datetime]] = set()
        sql = (
            "WITH t AS (SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::timestamptz[], "
            "%s::float8[]) WITH ORDINALITY AS t(e, p, a, v, n)), "
            f"ins AS (INSERT INTO {table} (enterprise_id, point_id, at, value, source, "
            "received_at) SELECT e, p, a, v, %s, now() FROM t "
            "ON CONFLICT (point_id, at) DO NOTHING RETURNING point_id, at) "
            "SELECT n FROM t WHERE NOT EXISTS "
            "(SELECT 1 FROM ins WHERE ins.point_id = t.p AND ins.at = t.a)"
        )
        with connection.cursor() as cur:
            for n in range(0, len(keys), 20_000):
                chunk = keys[n : n + 20_000]
                cur.execute(
                    sql,
                    [
                        _int_array([configs[pid].enterprise_id for pid, _a in chunk]),
                        _int_array([pid for pid, _a in chunk]),
                        _time_array([a for _p, a in chunk]),
                        _float_array([wanted[k][1] for k in chunk]),
                        source,
                    ],
                )
                already.update(chunk[k - 1] for (k,) in cur.fetchall())
        return already
    stamps = [a for _p, a in keys]
    existing = set(
        Reading.objects.filter(
            point_id__in={pid for pid, _a in keys}, at__gte=min(stamps), at__lte=max(stamps)
        ).values_list("point_id", "at")
    )
    new = [k for k in keys if k not in existing]
    Reading.objects.bulk_create(
        [
            Reading(
                enterprise_id=configs[pid].enterprise_id,
                point_id=pid,
                at=a,
                value=wanted[(pid, a)][1],
                source=source,
            )
            for pid, a in new
        ],
        batch_size=1000,
    )
    return existing & set(keys)


AUDIT_EVERY = dt.timedelta(minutes=1)


def audit_receipts(credential: IngestCredential, now: dt.datetime | None = None) -> None:
    """The audit trail of ingestion: not one event per reading or per batch (at 10,000
    readings a second that would be the trail's whole capacity), but one event per gateway
    at most once a minute, summing the batches received since its previous event (their
    rows, each with its problems, stay in IngestBatch). The claim is a conditional UPDATE,
    so two processes never both write the same minute's event. A batch of a concurrent
    transaction of the same gateway, committed after the claim with an earlier receipt
    time, is not in any sum (it is still in IngestBatch)."""
    t = now or timezone.now()
    last = credential.last_used_at
    if last is not None and t - last < AUDIT_EVERY:
        return
    claimed = (
        IngestCredential.objects.filter(pk=credential.pk)
        .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=t - AUDIT_EVERY))
        .update(last_used_at=t)
    )
    credential.last_used_at = t
    if not claimed:
        return
    qs = IngestBatch.objects.filter(credential=credential, received_at__lte=t)
    if last is not None:
        qs = qs.filter(received_at__gt=last)
    agg = qs.aggregate(
        n=Count("id"),
        accepted=Sum("accepted"),
        duplicates=Sum("duplicates"),
        refused=Sum("refused"),
        warnings=Sum("warnings_opened"),
    )
    latest = qs.order_by("-received_at", "-id").first()
    if latest is None or not agg["n"]:
        return
    refused = list(qs.filter(refused__gt=0).values_list("message_id", flat=True)[:20])
    trail.record(
        actor=None,
        action="monitoring.ingest",
        obj=latest,
        summary=(
            f"{credential.gateway} 接收监测数据 {agg['n']} 批 {agg['accepted'] or 0} 条，"
            f"重复 {agg['duplicates'] or 0} 条，拒收 {agg['refused'] or 0} 条"
        ),
        data={
            "since": last.isoformat() if last else None,
            "until": t.isoformat(),
            "batches": agg["n"],
            "accepted": agg["accepted"] or 0,
            "duplicates": agg["duplicates"] or 0,
            "refused": agg["refused"] or 0,
            "warnings_opened": agg["warnings"] or 0,
            "batches_with_refusals": refused,
        },
    )


def _save_states(points: list) -> None:
    """One UPDATE for the engine state of the transaction's points (PostgreSQL: FROM
    unnest; elsewhere an executemany): `bulk_update` builds a CASE expression per row,
    which costs more than the rest of the batch."""
    table = MonitoringPoint._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                f"UPDATE {table} AS m SET last_at = t.a, last_value = t.v, above_since = t.s "
                "FROM unnest(%s::bigint[], %s::timestamptz[], %s::float8[], %s::timestamptz[]) "
                "AS t(i, a, v, s) WHERE m.id = t.i",
                [
                    _int_array([p.pk for p in points]),
                    _time_array([p.last_at for p in points]),
                    _float_array([p.last_value for p in points]),
                    _time_array([p.above_since for p in points]),
                ],
            )
        return
    ops = connection.ops
    rows = [
        (
            ops.adapt_datetimefield_value(p.last_at),
            p.last_value,
            ops.adapt_datetimefield_value(p.above_since),
            p.pk,
        )
        for p in points
    ]
    with connection.cursor() as cur:
        cur.executemany(
            f"UPDATE {table} SET last_at = %s, last_value = %s, above_since = %s WHERE id = %s",
            rows,
        )


def _evaluate(
    locked: dict[int, PointRow],
    configs: dict[int, PointConfig],
    new_rows: list[tuple[int, dt.datetime, float, int]],
    now: dt.datetime,
) -> list[tuple[int, EarlyWarning]]:
    """The rules over the new readings, point by point in time order; returns the warnings
    opened, each with the index of the message whose reading opened it."""
    cfg = config()
    bank = drift_bank()
    per_point: dict[int, list[tuple[dt.datetime, float, int]]] = defaultdict(list)
    for pid, at, value, i in new_rows:
        per_point[pid].append((at, value, i))
    opened: list[tuple[int, EarlyWarning]] = []
    live_by_point = _live(per_point)
    changed: list[PointRow] = []
    for pid, rows in per_point.items():
        point = locked[pid]
        conf = configs[pid]
        rule_set = cfg.rules_for_kind(conf.kind)
        limits = conf.limits
        state = rules.PointState(point.last_at, point.last_value, point.above_since)
        stale = rule_set.rule(rules.RuleKind.STALE)
        drift_rule = rule_set.rule(rules.RuleKind.DRIFT)
        msg_at: dict[dt.datetime, int] = {}
        rows.sort(key=lambda r: r[0])
        # First the rules and the drift detector over every reading (they carry state);
        # the conditions apply_conditions reads are built only when something is active or
        # live: most points, most seconds, neither.
        evaluated = []
        active = False
        for at, value, i in rows:
            msg_at[at] = i
            ev = rules.evaluate_reading(
                rules=rule_set, limits=limits, state=state, at=at, value=value
            )
            signalled = None
            if ev.in_order and drift_rule is not None:
                signalled = bank.update(pid, standardise(value, limits))
                active = active or signalled
            if not active:
                active = any(c.active for c in ev.conditions)
            evaluated.append((at, value, ev, signalled))
            state = ev.state
        live = live_by_point[pid]
        if live or active:
            verdicts = [
                (at, _conditions(ev, value, stale, drift_rule, signalled), ev.in_order)
                for at, value, ev, signalled in evaluated
            ]
            for w in apply_conditions(
                point=point, rule_set=rule_set, verdicts=verdicts, now=now, live=live
            ):
                opened.append((msg_at.get(w.started_at, rows[-1][2]), w))
        if (state.last_at, state.last_value, state.above_since) != (
            point.last_at,
            point.last_value,
            point.above_since,
        ):
            point.last_at, point.last_value, point.above_since = (
                state.last_at,
                state.last_value,
                state.above_since,
            )
            changed.append(point)
    if changed:
        _save_states(changed)
    return opened


def _conditions(ev, value: float, stale, drift_rule, signalled) -> tuple:
    """A reading's conditions as apply_conditions reads them: the rules' own, and for a
    reading in order the staleness (inactive: a reading arrived) and the drift verdict."""
    conds = list(ev.conditions)
    if ev.in_order:
        if stale is not None:
            conds.append(
                rules.Condition(rules.RuleKind.STALE, stale.grade, False, value, stale.seconds, "")
            )
        if drift_rule is not None:
            conds.append(
                rules.Condition(
                    rules.RuleKind.DRIFT,
                    drift_rule.grade,
                    bool(signalled),
                    value,
                    None,
                    "监测值趋势发生突变（PageHinkley 漂移检测）",
                )
            )
    return tuple(conds)
