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

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from fairinspect.audit import trail
from fairinspect.rules import monitoring as rules

from ..engine import config, drift_bank, standardise
from ..models import IngestBatch, IngestCredential, MonitoringPoint, Reading
from .warnings import apply_conditions, limits_of, live_warnings


@dataclass(frozen=True, slots=True)
class RawReading:
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
    now = now or timezone.now()
    enterprise_id = credential.enterprise_id
    with transaction.atomic():
        try:
            with transaction.atomic():
                batch = IngestBatch.objects.create(
                    enterprise_id=enterprise_id,
                    credential=credential,
                    message_id=message_id,
                    source=source,
                )
        except IntegrityError:
            seen = IngestBatch.objects.select_for_update().get(
                credential=credential, message_id=message_id
            )
            IngestBatch.objects.filter(pk=seen.pk).update(repeats=seen.repeats + 1)
            return IngestResult(
                message_id=message_id,
                accepted=seen.accepted,
                duplicates=seen.duplicates,
                refused=seen.refused,
                problems=list(seen.problems),
                warnings_opened=[],
                repeated=True,
            )

        problems = list(refused)
        codes = {r.point for r in readings}
        points = {
            p.code: p
            for p in MonitoringPoint.objects.select_for_update()
            .filter(enterprise_id=enterprise_id, code__in=codes, active=True)
            .order_by("id")
        }
        by_point: dict[int, dict[dt.datetime, tuple[int, RawReading]]] = defaultdict(dict)
        duplicates = 0
        for n, r in enumerate(readings):
            row = r.row if r.row >= 0 else n
            p = points.get(r.point)
            if p is None:
                problems.append(
                    Problem(row, "point", "unknown_point", f"点位 {r.point} 不存在或未启用")
                )
                continue
            bad = rules.check_reading(r.value, limits_of(p))
            if bad is not None:
                problems.append(
                    Problem(row, "value", bad.value, f"{_PROBLEM_TEXT[bad]}：{r.value}")
                )
                continue
            if r.at > now + dt.timedelta(minutes=5):
                problems.append(Problem(row, "at", "in_future", "采集时间晚于接收时间"))
                continue
            if r.at in by_point[p.pk]:
                duplicates += 1
                continue
            by_point[p.pk][r.at] = (row, r)

        new_rows: list[Reading] = []
        if by_point:
            stamps = [at for m in by_point.values() for at in m]
            existing = set(
                Reading.objects.filter(
                    point_id__in=list(by_point), at__gte=min(stamps), at__lte=max(stamps)
                ).values_list("point_id", "at")
            )
            for pid, m in by_point.items():
                for at in sorted(m):
                    if (pid, at) in existing:
                        duplicates += 1
                        continue
                    new_rows.append(
                        Reading(
                            enterprise_id=enterprise_id,
                            point_id=pid,
                            at=at,
                            value=m[at][1].value,
                            source=source,
                        )
                    )
            Reading.objects.bulk_create(new_rows, batch_size=1000)

        opened = _evaluate(points, new_rows, now)
        batch.accepted = len(new_rows)
        batch.duplicates = duplicates
        batch.refused = len(problems)
        batch.problems = [p.as_dict() for p in sorted(problems, key=lambda p: p.row)][:200]
        batch.warnings_opened = len(opened)
        batch.save(
            update_fields=["accepted", "duplicates", "refused", "problems", "warnings_opened"]
        )
        credential_touch(credential, now)
        if source == Reading.Source.HTTP or problems:
            trail.record(
                actor=None,
                action="monitoring.ingest",
                obj=batch,
                summary=f"接收监测数据 {batch.accepted} 条，重复 {duplicates} 条，拒收 {batch.refused} 条",
                data={"message_id": message_id, "refused": batch.problems[:20]},
            )
        return IngestResult(
            message_id=message_id,
            accepted=batch.accepted,
            duplicates=duplicates,
            refused=batch.refused,
            problems=batch.problems,
            warnings_opened=[w.number for w in opened],
        )


def credential_touch(credential: IngestCredential, now: dt.datetime) -> None:
    # At most once a minute: the column is informative and must not serialise ingestion.
    if credential.last_used_at is None or now - credential.last_used_at > dt.timedelta(minutes=1):
        IngestCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
        credential.last_used_at = now


def _save_states(points: list[MonitoringPoint]) -> None:
    """One executemany UPDATE for the engine state of the batch's points: `bulk_update`
    builds a CASE expression per row, which costs more than the rest of the batch."""
    ops = connection.ops
    table = MonitoringPoint._meta.db_table
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


def _evaluate(points: dict[str, MonitoringPoint], new_rows: list[Reading], now: dt.datetime):
    cfg = config()
    bank = drift_bank()
    by_id = {p.pk: p for p in points.values()}
    per_point: dict[int, list[Reading]] = defaultdict(list)
    for r in new_rows:
        per_point[r.point_id].append(r)
    opened = []
    live_by_point = live_warnings(per_point)
    changed: list[MonitoringPoint] = []
    for pid, rows in per_point.items():
        point = by_id[pid]
        rule_set = cfg.rules_for_kind(point.kind)
        limits = limits_of(point)
        state = rules.PointState(point.last_at, point.last_value, point.above_since)
        verdicts = []
        for r in sorted(rows, key=lambda r: r.at):
            ev = rules.evaluate_reading(
                rules=rule_set, limits=limits, state=state, at=r.at, value=r.value
            )
            conds = list(ev.conditions)
            if ev.in_order:
                stale = rule_set.rule(rules.RuleKind.STALE)
                if stale is not None:
                    conds.append(
                        rules.Condition(
                            rules.RuleKind.STALE, stale.grade, False, r.value, stale.seconds, ""
                        )
                    )
                drift_rule = rule_set.rule(rules.RuleKind.DRIFT)
                if drift_rule is not None:
                    signalled = bank.update(pid, standardise(r.value, limits))
                    conds.append(
                        rules.Condition(
                            rules.RuleKind.DRIFT,
                            drift_rule.grade,
                            signalled,
                            r.value,
                            None,
                            "监测值趋势发生突变（PageHinkley 漂移检测）",
                        )
                    )
            verdicts.append((r.at, tuple(conds), ev.in_order))
            state = ev.state
        opened += apply_conditions(
            point=point, rule_set=rule_set, verdicts=verdicts, now=now, live=live_by_point[pid]
        )
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
