"""The hashing of the audit trail (R8.5): pure functions, no database.

Every value that goes into a hash is first turned into canonical JSON (sorted keys, no
spaces, UTF-8), so the same content always gives the same digest whichever database or
Python version produced it. An event's hash covers who, when, what, the digest of the
record's new state and the previous event's hash; a checkpoint is signed with HMAC-SHA256
over the heads of the chains, with a key that is not in the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

GENESIS = "0" * 64


def canonical(value: Any) -> Any:
    """A JSON-ready form of a stored value: datetimes in UTC ISO form, dates ISO, Decimals
    and UUIDs as strings, bytes by their SHA-256, containers recursively."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return "sha256:" + hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [canonical(v) for v in value]
        return sorted(items, key=canonical_json) if isinstance(value, set | frozenset) else items
    # A FieldFile and similar objects: their stored name.
    name = getattr(value, "name", None)
    return name if isinstance(name, str) else str(value)


def _non_json(value: Any) -> Any:
    if isinstance(value, set | frozenset):
        return sorted((canonical(v) for v in value), key=canonical_json)
    return canonical(value)


def canonical_json(value: Any) -> str:
    """The canonical text of a value: the same as `json.dumps(canonical(value), ...)`, with
    the JSON-native part left to the C encoder (verification hashes a million of these)."""
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_non_json
    )


def canonical_dict(value: dict[str, Any]) -> dict[str, Any]:
    """`canonical(value)` for a flat row of stored values, by way of the C JSON codec."""
    result: dict[str, Any] = json.loads(canonical_json(value))
    return result


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def state_digest(state: dict[str, Any] | None) -> str:
    """The digest of a record's stored fields; `None` (the record no longer exists) has a
    digest of its own, so a deleted record is a state too."""
    return sha256_hex(canonical_json(state))


@dataclass(frozen=True)
class EventContent:
    """What one event's hash covers."""

    chain: str
    seq: int
    at: dt.datetime
    actor_id: int | None
    actor_name: str
    action: str
    object_type: str
    object_id: str
    summary: str
    data: Any
    state_digest: str


def event_hash(prev_hash: str, content: EventContent) -> str:
    return sha256_hex(
        canonical_json(
            [
                "fairinspect.audit/2",
                prev_hash,
                content.chain,
                content.seq,
                content.at,
                content.actor_id,
                content.actor_name,
                content.action,
                content.object_type,
                content.object_id,
                content.summary,
                content.data,
                content.state_digest,
            ]
        )
    )


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """The names of the fields whose canonical values differ (all of them when one side is
    missing)."""
    if before is None or after is None:
        return sorted(set((before or {}) | (after or {})))
    keys = set(before) | set(after)
    return sorted(k for k in keys if canonical(before.get(k)) != canonical(after.get(k)))


# ---- checkpoints ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainHead:
    chain: str
    length: int
    head: str


@dataclass(frozen=True)
class CheckpointContent:
    seq: int
    at: dt.datetime
    heads: tuple[ChainHead, ...]
    chains_total: int
    events_total: int
    prev_mac: str


def checkpoint_message(c: CheckpointContent) -> str:
    return canonical_json(
        [
            "fairinspect.audit.checkpoint/1",
            c.seq,
            c.at,
            [[h.chain, h.length, h.head] for h in sorted(c.heads, key=lambda h: h.chain)],
            c.chains_total,
            c.events_total,
            c.prev_mac,
        ]
    )


def sign(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def signature_valid(key: bytes, message: str, mac: str) -> bool:
    return hmac.compare_digest(sign(key, message), mac)


def key_id(key: bytes) -> str:
    """A short public name of the key (not the key), so a rotation shows on the checkpoints."""
    return hashlib.sha256(b"fairinspect.audit.key-id:" + key).hexdigest()[:12]
