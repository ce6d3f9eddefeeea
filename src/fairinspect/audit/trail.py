"""Writing the audit trail (R8.5).

Services call `record(...)` inside their own transaction, AFTER saving the change: the event
stores the digest of the record's state as it is then in the database, so a later edit that
bypasses the services shows as a difference between the row and its latest event.

The trail is partitioned: one chain per bureau and day (`Chain.key`, e.g. "6501/2026-12-01").
The bureau is the actor's (a section's bureau is its parent); when the actor has none (the
system, an enterprise user, an administrator without a department) it is the object's
`department`, else "-". Appending locks only that chain's head row (SELECT ... FOR UPDATE;
on SQLite the IMMEDIATE transaction serialises writers anyway), so writers of different
bureaus never wait for each other. Signed checkpoints (checkpoints.py) tie the chains
together.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from fairinspect.rules.audit_hashing import (
    GENESIS,
    EventContent,
    canonical_dict,
    event_hash,
    state_digest,
)

from .models import AuditEvent, Chain
from .state import model_for, states_of

# Events per INSERT when many are appended at once (record_many).
_INSERT_BATCH = 1000
# The fields of an event its hash covers, as stored on AuditEvent (the chain is its key).
_STORED = [f.name for f in fields(EventContent) if f.name != "chain"]

# Department id -> bureau code. Departments and their parents change only by migration or
# the administrator; a stale entry would only put events in another partition, never make
# the trail wrong, because verification does not depend on which chain an event is in.
_bureau_codes: dict[int, str] = {}


def _bureau_of_department(department_id: int | None) -> str | None:
    if department_id is None:
        return None
    code = _bureau_codes.get(department_id)
    if code is None:
        from fairinspect.registry.models import Department

        row = (
            Department.objects.filter(pk=department_id).values_list("code", "parent__code").first()
        )
        if row is None:
            return None
        code = row[1] or row[0]
        _bureau_codes[department_id] = code
    return code


def partition_bureau(actor, obj: models.Model | None) -> str:
    """The bureau part of the partition key (documented in docs/decisions.md, audit)."""
    code = _bureau_of_department(getattr(actor, "department_id", None))
    if code is None and obj is not None:
        code = _bureau_of_department(getattr(obj, "department_id", None))
    return code or "-"


def _actor_identity(actor) -> tuple[int | None, str]:
    if actor is not None and getattr(actor, "is_authenticated", False) and actor.pk:
        return actor.pk, (actor.get_full_name() or actor.username)[:150]
    return None, "系统"


def _locked_chain(bureau: str, day) -> Chain:
    """The chain head row of (bureau, day), created on first use and locked until the
    caller's transaction ends."""
    key = f"{bureau}/{day.isoformat()}"
    chain = Chain.objects.select_for_update().filter(key=key).first()
    if chain is not None:
        return chain
    try:
        with transaction.atomic():
            Chain.objects.create(key=key, bureau=bureau, day=day, updated_at=timezone.now())
    except IntegrityError:
        pass  # another writer created it first; lock theirs
    return Chain.objects.select_for_update().get(key=key)


class Change(NamedTuple):
    """One record's event in `record_many`: the record (saved), its summary and data."""

    obj: Any
    summary: str
    data: dict | None = None


@dataclass(frozen=True)
class _Entry:
    """An event before it is chained: what it says, and the model whose row it digests."""

    object_type: str
    object_id: str
    summary: str
    data: dict
    model: type[models.Model] | None


def _entry(obj: Any, object_type: str, object_id: Any, summary: str, data: dict | None) -> _Entry:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    object_id = "" if object_id is None else str(object_id)[:64]
    object_type = object_type[:50]
    return _Entry(
        object_type=object_type,
        object_id=object_id,
        summary=summary[:300],
        data=json.loads(json.dumps(data or {}, ensure_ascii=False, default=str)),
        model=model_for(object_type) if object_id else None,
    )


def record(
    *,
    actor,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: Any = "",
    summary: str,
    data: dict | None = None,
    also: Iterable[Any] = (),
) -> AuditEvent:
    """Append one event. Call it after the change is saved, inside the same transaction.

    `also` names other records the same change saved (a visit's plan, an order's hazards):
    each gets an event of its own with the same action, so its latest event carries its
    new state too. Returns the event of `obj`."""
    # One change, one chain: the other records' events go to the same partition, so a
    # transaction never holds two chain locks (no lock-order deadlock between writers).
    first = _entry(obj, object_type, object_id, summary, data)
    with_ = {**(data or {}), "with": f"{first.object_type}:{first.object_id}"}
    others = [_entry(other, "", "", summary, with_) for other in also]
    bureau = partition_bureau(actor, obj)
    return _append(actor=actor, bureau=bureau, action=action, entries=[first, *others])[0]


def record_many(*, actor, action: str, changes: Sequence[Change]) -> list[AuditEvent]:
    """Append one event per change (the same actor and action: a batch of records one
    service call saved, such as the visits of a published draw), under ONE lock of one
    chain, in the order given. Like `also`, every event goes to the partition of the first
    record (one change, one chain). The records' states are read in one query per model,
    the hash chain is computed here and the events are inserted in bulk; `audit-verify`
    checks them like any other events."""
    if not changes:
        return []
    entries = [_entry(c.obj, "", "", c.summary, c.data) for c in changes]
    bureau = partition_bureau(actor, changes[0].obj)
    return _append(actor=actor, bureau=bureau, action=action, entries=entries)


def _states(entries: Sequence[_Entry]) -> list[dict[str, Any] | None]:
    """The stored state of each entry's record (None: no record, or it is gone), one read
    per model."""
    wanted: dict[type[models.Model], list[str]] = {}
    for e in entries:
        if e.model is not None:
            wanted.setdefault(e.model, []).append(e.object_id)
    rows = {model: dict(states_of(model, ids)) for model, ids in wanted.items()}
    out: list[dict[str, Any] | None] = []
    for e in entries:
        row = None
        if e.model is not None:
            try:
                key = str(e.model._meta.pk.to_python(e.object_id))
            except ValidationError:
                key = e.object_id
            row = rows[e.model].get(key)
        out.append(canonical_dict(row) if row is not None else None)
    return out


def _append(*, actor, bureau: str, action: str, entries: Sequence[_Entry]) -> list[AuditEvent]:
    action = action[:50]
    states = _states(entries)
    actor_id, actor_name = _actor_identity(actor)
    # No savepoint: inside the service's transaction a failure here fails the whole change.
    with transaction.atomic(savepoint=False):
        at = timezone.now()
        chain = _locked_chain(bureau, timezone.localdate(at))
        seq, prev = chain.length, chain.head or GENESIS
        events = []
        for e, state in zip(entries, states, strict=True):
            seq += 1
            digest = state_digest(state) if e.model is not None else ""
            content = EventContent(
                chain=chain.key,
                seq=seq,
                at=at,
                actor_id=actor_id,
                actor_name=actor_name,
                action=action,
                object_type=e.object_type,
                object_id=e.object_id,
                summary=e.summary,
                data=e.data,
                state_digest=digest,
            )
            h = event_hash(prev, content)
            stored = {f: getattr(content, f) for f in _STORED}
            events.append(AuditEvent(chain=chain, **stored, state=state, prev_hash=prev, hash=h))
            prev = h
        AuditEvent.objects.bulk_create(events, batch_size=_INSERT_BATCH)
        Chain.objects.filter(pk=chain.pk).update(length=seq, head=prev, updated_at=at)
    return events


def content_of(event: Any, chain_key: str) -> EventContent:
    """What the stored event's hash should cover (used by verification)."""
    return EventContent(chain=chain_key, **{f: getattr(event, f) for f in _STORED})
