"""Copy the events of the old single chain (supervision.AuditEvent) into the partitioned
trail, re-chained under the new scheme.

Each old event goes, in its original order, to the chain of its actor's bureau and local
day (the partition key of audit/trail.py), and gets a new position, link and hash computed
as `trail.record` computes them. The old events did not store the state of the record they
describe, so the copies have no state digest (`state_digest` = ""): verification checks their
links and hashes but compares a record with its row only from its first event written after
this migration. Before copying, the old chain is checked with its own algorithm; a break is
reported on the console (the copy keeps the events as they are, so nothing is hidden).
"""

import hashlib
import json

from django.db import migrations
from django.utils import timezone

from fairinspect.rules.audit_hashing import GENESIS, EventContent, event_hash

BATCH = 2000


def _old_digest(prev, ev):
    payload = json.dumps(
        [
            prev,
            ev.at.isoformat(),
            ev.actor_name,
            ev.action,
            ev.object_type,
            str(ev.object_id),
            ev.summary,
            ev.data,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def copy_events(apps, schema_editor):
    Old = apps.get_model("supervision", "AuditEvent")
    Event = apps.get_model("audit", "AuditEvent")
    Chain = apps.get_model("audit", "Chain")
    User = apps.get_model("registry", "User")
    Department = apps.get_model("registry", "Department")
    bureau_of = {
        d.pk: (d.parent.code if d.parent_id else d.code)
        for d in Department.objects.select_related("parent")
    }
    department_of = dict(User.objects.values_list("pk", "department_id"))
    chains = {}  # key -> [Chain, length, head]
    batch = []
    old_prev, old_broken = GENESIS, None
    for ev in Old.objects.order_by("id").iterator(chunk_size=BATCH):
        if old_broken is None and (ev.prev_hash != old_prev or ev.hash != _old_digest(old_prev, ev)):
            old_broken = ev.pk
        old_prev = ev.hash
        bureau = bureau_of.get(department_of.get(ev.actor_id), "-") if ev.actor_id else "-"
        day = timezone.localdate(ev.at)
        key = f"{bureau}/{day.isoformat()}"
        if key not in chains:
            chain = Chain.objects.create(
                key=key, bureau=bureau, day=day, updated_at=ev.at
            )
            chains[key] = [chain, 0, GENESIS]
        entry = chains[key]
        seq = entry[1] + 1
        content = EventContent(
            chain=key,
            seq=seq,
            at=ev.at,
            actor_id=ev.actor_id,
            actor_name=ev.actor_name,
            action=ev.action,
            object_type=ev.object_type,
            object_id=str(ev.object_id),
            summary=ev.summary,
            data=ev.data,
            state_digest="",
        )
        h = event_hash(entry[2], content)
        batch.append(
            Event(
                chain=entry[0],
                seq=seq,
                at=ev.at,
                actor_id=ev.actor_id,
                actor_name=ev.actor_name,
                action=ev.action,
                object_type=ev.object_type,
                object_id=str(ev.object_id),
                summary=ev.summary,
                data=ev.data,
                state=None,
                state_digest="",
                prev_hash=entry[2],
                hash=h,
            )
        )
        entry[1], entry[2] = seq, h
        entry[0].updated_at = ev.at
        if len(batch) >= BATCH:
            Event.objects.bulk_create(batch)
            batch = []
    Event.objects.bulk_create(batch)
    for chain, length, head in chains.values():
        chain.length, chain.head = length, head
        chain.save(update_fields=["length", "head", "updated_at"])
    if old_broken is not None:
        print(
            f"\n  WARNING: the old audit chain was already broken at event {old_broken}; "
            "the events were copied as they are."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("supervision", "0001_initial"),
        ("registry", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(copy_events, migrations.RunPython.noop)]
