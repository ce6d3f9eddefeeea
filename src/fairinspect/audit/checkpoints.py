"""Signed checkpoints of the chains' heads (R8.5).

A checkpoint states, for every chain that may have changed, its length and head hash, plus
the number of chains and events, and signs that with HMAC-SHA256 under `AUDIT_HMAC_KEY`, a
key that is not in the database. Deleting the newest events of a chain, or recomputing a
chain after editing it, then disagrees with the last checkpoint; forging a checkpoint needs
the key. Checkpoints are numbered and each signs the previous one's MAC, and they are
published (public page and JSON), so deleting checkpoints shows against any published copy.

They are written by `fairinspect audit-checkpoint` (cron, every minute) and by every run of
`audit-verify`: the window in which the newest events can vanish unnoticed is the time since
the last checkpoint.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from fairinspect.rules.audit_hashing import (
    ChainHead,
    CheckpointContent,
    checkpoint_message,
    key_id,
    sign,
)

from .models import Chain, Checkpoint

# Only checkpoint writers take this lock (never the writers of events): two cron runs
# must not both number a checkpoint N.
_CHECKPOINT_LOCK = 7_355_002
# Chains of today and yesterday are always restated; older ones when they changed within
# this margin before the previous checkpoint (a transaction that committed late).
_MARGIN = dt.timedelta(minutes=10)


def hmac_key() -> bytes:
    """The signing key: `AUDIT_HMAC_KEY` from the environment; outside production a key file
    under var/ is created on first use (production settings refuse to start without one)."""
    key = getattr(settings, "AUDIT_HMAC_KEY", "")
    if key:
        return key.encode("utf-8")
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured("AUDIT_HMAC_KEY must be set in production.")
    path = Path(getattr(settings, "AUDIT_HMAC_KEY_FILE", Path(settings.VAR_DIR) / "audit-hmac.key"))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip().encode("utf-8")


def content_of(cp: Checkpoint) -> CheckpointContent:
    return CheckpointContent(
        seq=cp.seq,
        at=cp.at,
        heads=tuple(ChainHead(c, int(n), h) for c, n, h in cp.heads),
        chains_total=cp.chains_total,
        events_total=cp.events_total,
        prev_mac=cp.prev_mac,
    )


def write_checkpoint(*, force: bool = False) -> Checkpoint | None:
    """Sign the current heads. Returns None when nothing changed since the last checkpoint
    (unless `force`)."""
    key = hmac_key()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [_CHECKPOINT_LOCK])
        last = Checkpoint.objects.order_by("-seq").first()
        now = timezone.now()
        chains = Chain.objects.filter(length__gt=0)
        if last is not None:
            recent = timezone.localdate(now) - dt.timedelta(days=1)
            chains = chains.filter(Q(day__gte=recent) | Q(updated_at__gte=last.at - _MARGIN))
        heads = tuple(
            ChainHead(k, n, h)
            for k, n, h in chains.order_by("key").values_list("key", "length", "head")
        )
        totals = Chain.objects.aggregate(chains=Count("id"), events=Sum("length"))
        chains_total, events_total = totals["chains"] or 0, totals["events"] or 0
        if (
            not force
            and last is not None
            and last.events_total == events_total
            and last.chains_total == chains_total
            and {tuple(h) for h in last.heads} >= {(h.chain, h.length, h.head) for h in heads}
        ):
            return None
        content = CheckpointContent(
            seq=(last.seq + 1) if last else 1,
            at=now,
            heads=heads,
            chains_total=chains_total,
            events_total=events_total,
            prev_mac=last.mac if last else "",
        )
        return Checkpoint.objects.create(
            seq=content.seq,
            at=content.at,
            heads=[[h.chain, h.length, h.head] for h in heads],
            chains_total=chains_total,
            events_total=events_total,
            prev_mac=content.prev_mac,
            key_id=key_id(key),
            mac=sign(key, checkpoint_message(content)),
        )


def as_json(cp: Checkpoint) -> dict:
    """The published form of a checkpoint (the public page, the JSON download, the API)."""
    return {
        "seq": cp.seq,
        "at": cp.at.isoformat(),
        "heads": [{"chain": c, "length": n, "head": h} for c, n, h in cp.heads],
        "chains_total": cp.chains_total,
        "events_total": cp.events_total,
        "prev_mac": cp.prev_mac,
        "key_id": cp.key_id,
        "mac": cp.mac,
    }


def from_json(d: dict) -> Checkpoint:
    """A published checkpoint read back (for `audit-verify --against FILE`); not saved."""
    return Checkpoint(
        seq=int(d["seq"]),
        at=dt.datetime.fromisoformat(d["at"]),
        heads=[[h["chain"], int(h["length"]), h["head"]] for h in d["heads"]],
        chains_total=int(d["chains_total"]),
        events_total=int(d["events_total"]),
        prev_mac=d.get("prev_mac", ""),
        key_id=d.get("key_id", ""),
        mac=d["mac"],
    )
