"""Writing and checking the tamper-evident audit trail (R8.5).

Services call `record` inside their own transaction, so an event exists exactly when the
change it describes was committed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from .models import AuditEvent

GENESIS = "0" * 64
# Any constant 64-bit key: serialises appends to the chain on PostgreSQL.
_CHAIN_LOCK = 7_355_001


def _digest(
    prev_hash: str, *, at, actor_name, action, object_type, object_id, summary, data
) -> str:
    payload = json.dumps(
        [prev_hash, at.isoformat(), actor_name, action, object_type, str(object_id), summary, data],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    *,
    actor,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: Any = "",
    summary: str,
    data: dict | None = None,
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    data = json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    prev = last or GENESIS
    at = timezone.now()
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    actor_name = (actor.get_full_name() or actor.username) if actor_id else "系统"
    h = _digest(
        prev,
        at=at,
        actor_name=actor_name,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary,
        data=data,
    )
    return AuditEvent.objects.create(
        at=at,
        actor_id=actor_id,
        actor_name=actor_name,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=summary,
        data=data,
        prev_hash=prev,
        hash=h,
    )


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    message: str = ""


def verify_chain() -> ChainCheck:
    prev = GENESIS
    n = 0
    for ev in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        expected = _digest(
            prev,
            at=ev.at,
            actor_name=ev.actor_name,
            action=ev.action,
            object_type=ev.object_type,
            object_id=ev.object_id,
            summary=ev.summary,
            data=ev.data,
        )
        if ev.prev_hash != prev or ev.hash != expected:
            return ChainCheck(False, n, ev.id, f"第{ev.id}号审计记录被改动或其前一条被删除。")
        prev = ev.hash
        n += 1
    return ChainCheck(True, n, None, f"审计链完整，共{n}条记录。")
