"""Ingestion in micro-batches (R4.3, issue 11 throughput): several messages in one
transaction give the same results as one at a time; a message repeated inside a batch or
sent again later is counted once; ingestion is audited per gateway at most once a minute."""

from __future__ import annotations

import datetime as dt

import time_machine

from fairinspect.audit.models import AuditEvent
from fairinspect.monitoring import services
from fairinspect.monitoring.models import EarlyWarning, IngestBatch, Reading

from .conftest import T0


def _msg(cred, mid, *pairs):
    return services.Message(
        cred,
        mid,
        [services.RawReading(code, T0 + dt.timedelta(seconds=s), v) for code, s, v in pairs],
    )


@time_machine.travel(T0, tick=False)
def test_r4_3_several_messages_in_one_transaction_are_each_answered_and_counted_once(
    gateway, gas_point, level_point
):
    cred, _key = gateway
    out = services.ingest_many(
        [
            _msg(cred, "b-1", ("GT-101", -30, 10.0), ("LT-201", -30, 9.0)),
            _msg(cred, "b-2", ("GT-101", -20, 60.0), ("NOPE", -20, 1.0)),  # high-high; unknown
            _msg(cred, "b-1", ("GT-101", -30, 10.0)),  # the same message again in the batch
            _msg(cred, "b-3", ("GT-101", -20, 60.0), ("LT-201", -10, 9.1)),  # one duplicate
        ],
        source="mqtt",
    )
    assert [(r.message_id, r.accepted, r.duplicates, r.refused, r.repeated) for r in out] == [
        ("b-1", 2, 0, 0, False),
        ("b-2", 1, 0, 1, False),
        ("b-1", 2, 0, 0, True),
        ("b-3", 1, 1, 0, False),
    ]
    assert out[1].warnings_opened and not out[0].warnings_opened
    assert EarlyWarning.objects.filter(number__in=out[1].warnings_opened, rule_kind="high_high")
    assert Reading.objects.count() == 4
    assert IngestBatch.objects.get(message_id="b-1").repeats == 1
    gas_point.refresh_from_db()
    assert gas_point.last_value == 60.0 and gas_point.last_at == T0 - dt.timedelta(seconds=20)
    again = services.ingest_many([_msg(cred, "b-2", ("GT-101", -20, 60.0))], source="mqtt")
    assert again[0].repeated and again[0].accepted == 1 and again[0].refused == 1


def test_r4_3_ingestion_is_audited_per_gateway_once_a_minute_summing_its_batches(
    gateway, gas_point
):
    cred, _key = gateway
    with time_machine.travel(T0, tick=False):
        services.ingest_many([_msg(cred, "a-1", ("GT-101", -5, 5.0))], source="http")
    with time_machine.travel(T0 + dt.timedelta(seconds=30), tick=False):
        services.ingest_many([_msg(cred, "a-2", ("GT-101", 20, 5.0))], source="http")
        services.ingest_many(
            [_msg(cred, "a-3", ("GT-101", 25, 5.0), ("X", 25, 1.0))], source="http"
        )
    events = AuditEvent.objects.filter(action="monitoring.ingest")
    assert events.count() == 1  # the first batch; the next two are inside the minute
    with time_machine.travel(T0 + dt.timedelta(seconds=61), tick=False):
        services.ingest_many([_msg(cred, "a-4", ("GT-101", 55, 5.0))], source="http")
    assert events.count() == 2
    last = events.order_by("-id").first()
    assert last.data["batches"] == 3 and last.data["accepted"] == 3 and last.data["refused"] == 1
    assert last.data["batches_with_refusals"] == ["a-3"]
