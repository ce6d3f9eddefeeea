"""Checking the trail (R8.5): `audit-verify` and the supervisor's page call `verify()`.

Three passes, each streamed in chunks so memory stays bounded by the number of chains and
one chunk (never the number of events):
1. the checkpoints: each signature (with the key), their numbering and links; the latest
   signed head of every chain becomes what that chain must still contain;
2. the events, chain by chain in order: position, link, hash, state digest; the chain's head
   row and the latest checkpoint must agree with what is there;
3. the records: for every object, the state digest in its latest event against the row as
   it is now, naming the fields that differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import Max

from fairinspect.rules.audit_hashing import (
    GENESIS,
    canonical_dict,
    changed_fields,
    checkpoint_message,
    event_hash,
    signature_valid,
    state_digest,
)

from . import checkpoints as cps
from .models import AuditEvent, Chain, Checkpoint
from .state import model_for, states_of
from .trail import content_of

CHUNK = 2000
MAX_LISTED = 500  # breaks listed in full; the rest are counted


@dataclass(frozen=True)
class Break:
    kind: str
    message: str
    chain: str = ""
    event_id: int | None = None
    seq: int | None = None
    object_type: str = ""
    object_id: str = ""
    fields: tuple[str, ...] = ()

    @property
    def record(self) -> str:
        return f"{self.object_type}:{self.object_id}" if self.object_type else ""

    def line(self) -> str:
        parts = [f"BREAK {self.kind}"]
        if self.chain:
            parts.append(f"chain={self.chain}")
        if self.event_id is not None:
            parts.append(f"event={self.event_id}")
        if self.seq is not None:
            parts.append(f"seq={self.seq}")
        if self.record:
            parts.append(f"record={self.record}")
        if self.fields:
            parts.append("fields=" + ",".join(self.fields))
        return " ".join(parts) + f": {self.message}"


@dataclass
class Report:
    events: int = 0
    chains: int = 0
    records: int = 0
    checkpoints: int = 0
    breaks: list[Break] = field(default_factory=list)
    breaks_total: int = 0
    checkpoint: Checkpoint | None = None

    @property
    def ok(self) -> bool:
        return self.breaks_total == 0

    @property
    def message(self) -> str:
        if self.ok:
            return (
                f"审计链完整，共{self.events}条记录、{self.chains}条链、{self.checkpoints}个检查点；"
                f"{self.records}个对象的当前数据与最后一条记录一致。"
            )
        return f"发现{self.breaks_total}处异常（共检查{self.events}条记录、{self.records}个对象）。"

    def add(self, b: Break) -> None:
        self.breaks_total += 1
        if len(self.breaks) < MAX_LISTED:
            self.breaks.append(b)


def verify(*, checkpoint: bool = True, against: Iterable[Checkpoint] = ()) -> Report:
    """Check everything; with `checkpoint`, sign the current heads afterwards when nothing
    is broken (so the next run detects anything removed after this one; a broken state is
    never signed, which would launder it)."""
    report = Report()
    expected = _check_checkpoints(report, against)
    _check_chains(report, expected)
    _check_records(report)
    if checkpoint and report.ok:
        report.checkpoint = cps.write_checkpoint()
    return report


# ---- 1. checkpoints -------------------------------------------------------------------------


def _check_checkpoints(report: Report, against: Iterable[Checkpoint]) -> dict[str, tuple]:
    key = cps.hmac_key()
    expected: dict[str, tuple[int, str, int]] = {}  # chain -> (length, head, checkpoint seq)

    def signed(cp: Checkpoint) -> bool:
        return signature_valid(key, checkpoint_message(cps.content_of(cp)), cp.mac)

    def expect(cp: Checkpoint) -> None:
        # A chain only grows: the longest signed state is what it must still contain.
        for chain, length, head in cp.heads:
            known = expected.get(chain)
            if known is None or known[0] < int(length):
                expected[chain] = (int(length), head, cp.seq)
            elif known[0] == int(length) and known[1] != head:
                report.add(
                    Break(
                        "chain_rewritten",
                        f"第{known[2]}号与第{cp.seq}号检查点对链 {chain} 的链头记载不同。",
                        chain=chain,
                    )
                )

    prev_seq, prev_mac = 0, ""
    for cp in Checkpoint.objects.order_by("seq").iterator(chunk_size=CHUNK):
        report.checkpoints += 1
        if not signed(cp):
            report.add(
                Break(
                    "checkpoint_forged",
                    f"第{cp.seq}号检查点的签名不符：检查点被改动或在没有密钥的情况下重算。",
                )
            )
            prev_seq, prev_mac = cp.seq, cp.mac
            continue
        if cp.seq != prev_seq + 1:
            report.add(
                Break("checkpoint_missing", f"第{prev_seq + 1}至{cp.seq - 1}号检查点被删除。")
            )
        elif cp.prev_mac != prev_mac:
            report.add(Break("checkpoint_unlinked", f"第{cp.seq}号检查点与前一个检查点不相连。"))
        expect(cp)
        prev_seq, prev_mac = cp.seq, cp.mac

    outside = list(against)
    if outside:
        stored = dict(
            Checkpoint.objects.filter(seq__in=[c.seq for c in outside]).values_list("seq", "mac")
        )
        for cp in outside:
            if not signed(cp):
                report.add(
                    Break("checkpoint_forged", f"所提供的第{cp.seq}号检查点签名不符，未采用。")
                )
                continue
            if stored.get(cp.seq) != cp.mac:
                report.add(
                    Break(
                        "checkpoint_missing",
                        f"已公布的第{cp.seq}号检查点在数据库中被删除或替换。",
                    )
                )
            expect(cp)
    return expected


# ---- 2. chains ------------------------------------------------------------------------------


class _Row(NamedTuple):
    """One stored event as read for checking (lighter than a model instance)."""

    id: int
    chain_id: int
    seq: int
    at: Any
    actor_id: int | None
    actor_name: str
    action: str
    object_type: str
    object_id: str
    summary: str
    data: Any
    state_digest: str
    prev_hash: str
    hash: str


_EVENT_FIELDS = _Row._fields


def _check_chains(report: Report, expected: dict[str, tuple]) -> None:
    chains = {c.pk: c for c in Chain.objects.all().iterator(chunk_size=CHUNK)}
    keys = {c.key for c in chains.values()}
    report.chains = len(chains)
    for key, (length, _head, seq) in expected.items():
        if key not in keys:
            report.add(
                Break(
                    "chain_missing",
                    f"检查点第{seq}号记载的链 {key}（{length}条记录）已不存在：整条链被删除。",
                    chain=key,
                )
            )
    seen: set[int] = set()
    current: Chain | None = None
    last_seq, head = 0, GENESIS

    def close(chain: Chain) -> None:
        _close_chain(report, chain, last_seq, head, expected.get(chain.key))

    qs = AuditEvent.objects.order_by("chain_id", "seq").values_list(*_EVENT_FIELDS)
    for row in qs.iterator(chunk_size=CHUNK):
        ev = _Row(*row)
        if current is None or ev.chain_id != current.pk:
            if current is not None:
                close(current)
            current = chains.get(ev.chain_id) or Chain(pk=ev.chain_id, key=f"?{ev.chain_id}")
            seen.add(current.pk)
            last_seq, head = 0, GENESIS
        report.events += 1
        _check_event(report, current, ev, last_seq, head, expected.get(current.key))
        last_seq, head = ev.seq, ev.hash
    if current is not None:
        close(current)
    for pk, chain in chains.items():
        if pk not in seen:
            last_seq, head = 0, GENESIS
            close(chain)


def _check_event(report, chain: Chain, ev: _Row, last_seq: int, head: str, exp) -> None:
    where: dict[str, Any] = dict(chain=chain.key, event_id=ev.id, seq=ev.seq)
    obj: dict[str, Any] = dict(object_type=ev.object_type, object_id=ev.object_id)
    if ev.seq != last_seq + 1:
        report.add(
            Break(
                "event_missing",
                f"链 {chain.key} 第{last_seq + 1}至{ev.seq - 1}条记录被删除（第{ev.id}号记录之前）。",
                **where,
            )
        )
    elif ev.prev_hash != head:
        report.add(
            Break(
                "event_unlinked",
                f"第{ev.id}号记录与前一条记录不相连：前一条被改动或替换。",
                **where,
            )
        )
    if event_hash(ev.prev_hash, content_of(ev, chain.key)) != ev.hash:
        report.add(
            Break(
                "event_changed",
                f"第{ev.id}号审计记录（{ev.action} {ev.object_type}:{ev.object_id}，操作人 "
                f"{ev.actor_name}）的内容与其哈希不符：时间、操作人、操作、对象、摘要或内容被改动。",
                **where,
                **obj,
            )
        )
    if exp is not None and ev.seq == exp[0] and ev.hash != exp[1]:
        report.add(
            Break(
                "chain_rewritten",
                f"链 {chain.key} 第{ev.seq}条记录与第{exp[2]}号检查点签名的链头不同：该链被改写后重算。",
                **where,
            )
        )


def _close_chain(report, chain: Chain, last_seq: int, head: str, exp) -> None:
    if exp is not None and last_seq < exp[0]:
        report.add(
            Break(
                "events_deleted",
                f"链 {chain.key} 在第{exp[2]}号检查点时有{exp[0]}条记录，现只有{last_seq}条："
                f"最新的记录被删除。",
                chain=chain.key,
                seq=last_seq + 1,
            )
        )
    elif chain.length != last_seq or (chain.head or GENESIS) != head:
        report.add(
            Break(
                "head_mismatch",
                f"链 {chain.key} 的链头记载{chain.length}条记录，实际为{last_seq}条："
                f"记录被删除或链头被改动。",
                chain=chain.key,
                seq=last_seq,
            )
        )


# ---- 3. records -----------------------------------------------------------------------------


def _latest_events() -> Iterator[tuple[str, str, int]]:
    qs = (
        AuditEvent.objects.exclude(state_digest="")
        .values("object_type", "object_id")
        .annotate(last=Max("id"))
        .order_by("object_type", "object_id")
        .values_list("object_type", "object_id", "last")
    )
    yield from qs.iterator(chunk_size=CHUNK)


def _batches() -> Iterator[tuple[str, list[tuple[str, int]]]]:
    kind, batch = None, []
    for object_type, object_id, last in _latest_events():
        if kind is not None and (object_type != kind or len(batch) >= CHUNK):
            yield kind, batch
            batch = []
        kind = object_type
        batch.append((object_id, last))
    if kind is not None and batch:
        yield kind, batch


def _check_records(report: Report) -> None:
    for object_type, batch in _batches():
        model = model_for(object_type)
        if model is None:
            continue
        latest = {
            pk: (state, digest)
            for pk, state, digest in AuditEvent.objects.filter(
                pk__in=[e for _o, e in batch]
            ).values_list("pk", "state", "state_digest")
        }
        rows = dict(states_of(model, [o for o, _e in batch]))
        for object_id, event_id in batch:
            report.records += 1
            now = rows.get(object_id)
            recorded, digest = latest[event_id]
            # The stored copy of the state is checked where it is used: in the latest event
            # of each record (older copies are history the digests already cover).
            if state_digest(now) != digest or state_digest(recorded) != digest:
                _record_break(report, model, object_type, object_id, event_id, now)


def _record_break(report: Report, model, object_type: str, object_id: str, event_id: int, now):
    recorded, digest, chain_key, seq = AuditEvent.objects.filter(pk=event_id).values_list(
        "state", "state_digest", "chain__key", "seq"
    )[0]
    label = f"{model._meta.verbose_name}（{object_type}:{object_id}）"
    where: dict[str, Any] = dict(event_id=event_id, object_type=object_type, object_id=object_id)
    if state_digest(recorded) != digest:
        # The digest is covered by the event's hash (pass 2); the stored fields only name
        # the difference, so they are checked here, where they are used.
        report.add(
            Break(
                "event_changed",
                f"第{event_id}号审计记录保存的{label}数据被改动。",
                chain=chain_key,
                seq=seq,
                **where,
            )
        )
        recorded = {}
    if state_digest(now) == digest:
        return
    if now is None:
        report.add(Break("record_deleted", f"{label}已被删除，但审计记录中没有删除操作。", **where))
    elif recorded is None:
        report.add(
            Break("record_restored", f"{label}按审计记录已删除，但数据库中仍存在。", **where)
        )
    else:
        fields = tuple(changed_fields(recorded, canonical_dict(now)))
        report.add(
            Break(
                "record_changed",
                f"{label}在审计记录之外被修改（第{event_id}号记录之后）："
                f"{'、'.join(fields) or '内容'}与记录不符。",
                fields=fields,
                **where,
            )
        )
