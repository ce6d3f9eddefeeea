"""Several consumers on one broker (R4.3, issue 11): behind the MQTT 5 shared subscription
two consumers receive interleaved messages of the same points, and every reading is still
stored once and every warning opened once (the points' state rows are locked per
transaction; message ids and (point, at) are unique). The `--consumers N` pool keeps one
gateway's messages with one worker, so its readings are stored in the order sent."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid

import pytest
from django.utils import timezone

from fairinspect.monitoring.consumer import Consumer, Pool, subscription, worker_for
from fairinspect.monitoring.models import EarlyWarning, IngestBatch, Reading

from .test_mqtt_end_to_end import HOST, PORT, _broker_up, publisher  # noqa: F401

pytestmark = pytest.mark.skipif(
    not _broker_up(), reason="Mosquitto is not running at 127.0.0.1:1883"
)


def _series(key: str, run: str, n: int, t0: dt.datetime) -> list[dict]:
    """n messages of one reading a second each for two points, each message repeating the
    previous second's readings too (a gateway that resends): gas above high-high from the
    tenth second on."""
    out = []
    for s in range(n):
        readings = []
        for k in (s - 1, s):
            if k < 0:
                continue
            at = (t0 + dt.timedelta(seconds=k)).isoformat()
            readings.append({"point": "GT-101", "at": at, "value": 60.0 if k >= 10 else 10.0})
            readings.append({"point": "LT-201", "at": at, "value": 10.0})
        out.append({"key": key, "message_id": f"{run}-{s}", "readings": readings})
    return out


def _wait_acks(acks, wanted: set[str], total: int, timeout: float = 60) -> list[dict]:
    got: list[dict] = []
    deadline = time.monotonic() + timeout
    while len(got) < total and time.monotonic() < deadline:
        try:
            ack = acks.get(timeout=1)
        except Exception:
            continue
        if ack.get("message_id") in wanted:
            got.append(ack)
    return got


def test_r4_3_the_shared_subscription_and_the_pool_route_as_documented():
    assert subscription("fairinspect/+/readings", "fairinspect") == (
        "$share/fairinspect/fairinspect/+/readings"
    )
    assert subscription("fairinspect/+/readings", None) == "fairinspect/+/readings"
    # The same gateway's topic always goes to the same worker; different ones spread out.
    picks = {worker_for(f"fairinspect/GW-{g}/readings", 4) for g in range(40)}
    assert picks == {0, 1, 2, 3}
    assert len({worker_for("fairinspect/GW-7/readings", 4) for _ in range(5)}) == 1


@pytest.mark.django_db(transaction=True)
def test_r4_3_two_consumers_sharing_the_topic_store_every_reading_once_and_open_each_warning_once(
    publisher,  # noqa: F811
    gas_point,
    level_point,
    gateway,
):
    pub, acks = publisher
    _cred, key = gateway
    run = uuid.uuid4().hex[:10]
    topic = f"fi-test-{run}/+/readings"
    consumers = [
        Consumer(host=HOST, port=PORT, topic=topic, client_id=f"fi-test-{run}-{i}", linger=0.05)
        for i in range(2)
    ]
    for c in consumers:
        c.start()
    try:
        deadline = time.monotonic() + 10
        while any(c.stats.connects == 0 for c in consumers) and time.monotonic() < deadline:
            time.sleep(0.05)  # waiting for the broker, not for the clock under test
        time.sleep(0.3)
        t0 = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5)
        series = _series(key, run, 30, t0)
        # Every message twice (a resend), so the same message can reach both consumers.
        for msg in series + series:
            pub.publish(f"fi-test-{run}/DCS-1/readings", json.dumps(msg), qos=1)
        got = _wait_acks(acks, {m["message_id"] for m in series}, 2 * len(series))
    finally:
        for c in consumers:
            c.stop()
    assert len(got) == 60 and all(a["ok"] for a in got), got[:3]
    assert all(c.stats.messages > 0 for c in consumers), "the broker shared nothing"
    assert sum(c.stats.messages for c in consumers) == 60
    # Every message stored once: one batch row each, the resend counted as a repeat.
    assert IngestBatch.objects.filter(message_id__startswith=run).count() == 30
    assert sum(1 for a in got if a["repeated"]) == 30
    # Every reading stored once, though each second came in two messages of two consumers.
    for point in (gas_point, level_point):
        assert Reading.objects.filter(point=point).count() == 30
        assert Reading.objects.filter(point=point).values("at").distinct().count() == 30
    # Each warning opened once, by whichever consumer stored the crossing reading.
    kinds = list(EarlyWarning.objects.filter(point=gas_point).values_list("rule_kind", flat=True))
    assert "high_high" in kinds and "high" in kinds
    assert len(kinds) == len(set(kinds)), kinds
    opened = [n for a in got for n in a["warnings_opened"]]
    assert sorted(opened) == sorted(EarlyWarning.objects.values_list("number", flat=True))
    assert not EarlyWarning.objects.filter(point=level_point).exists()


@pytest.mark.django_db(transaction=True)
def test_r4_3_the_pool_stores_a_gateways_messages_in_order_with_several_workers(
    publisher,  # noqa: F811
    gas_point,
    level_point,
    gateway,
):
    pub, acks = publisher
    _cred, key = gateway
    run = uuid.uuid4().hex[:10]
    pool = Pool(
        n=2,
        host=HOST,
        port=PORT,
        topic=f"fi-test-{run}/+/readings",
        client_id=f"fi-test-{run}",
        max_messages=30,
        batch_messages=3,
    )
    status: list[int] = []
    runner = threading.Thread(target=lambda: status.append(pool.run_forever()), daemon=True)
    runner.start()
    deadline = time.monotonic() + 10
    while pool.stats.connects == 0 and time.monotonic() < deadline:
        time.sleep(0.05)  # waiting for the broker
    time.sleep(0.3)
    t0 = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5)
    series = _series(key, run, 30, t0)
    for msg in series:
        pub.publish(f"fi-test-{run}/DCS-1/readings", json.dumps(msg), qos=1)
    got = _wait_acks(acks, {m["message_id"] for m in series}, len(series))
    runner.join(30)
    assert status == [0]
    assert len(got) == 30 and all(a["ok"] and not a["repeated"] for a in got)
    # One worker took the gateway: its messages were committed in the order sent.
    assert [a["message_id"] for a in got] == [m["message_id"] for m in series]
    rows = list(Reading.objects.filter(point=gas_point).order_by("at").values_list("id", flat=True))
    assert len(rows) == 30 and rows == sorted(rows)
    kinds = list(EarlyWarning.objects.filter(point=gas_point).values_list("rule_kind", flat=True))
    assert "high_high" in kinds and len(kinds) == len(set(kinds))
    assert pool.stats.accepted == 60 and pool.stats.warnings == len(kinds)
