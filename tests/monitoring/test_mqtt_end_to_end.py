"""MQTT end to end on the real broker (Mosquitto at 127.0.0.1:1883): a gateway publishes,
the consumer stores the readings and raises a warning, and that warning resolves as the
record that justifies an exempt visit (R3.3, R4.3). A repeated message is counted once."""

from __future__ import annotations

import datetime as dt
import json
import queue
import uuid

import paho.mqtt.client as mqtt
import pytest
from django.utils import timezone

from fairinspect.monitoring.consumer import Consumer
from fairinspect.monitoring.models import EarlyWarning, IngestBatch, Reading
from fairinspect.rules.caps import Justification, JustificationKind, Trigger, check_exemption
from fairinspect.visits import justifications

HOST, PORT = "127.0.0.1", 1883


def _broker_up() -> bool:
    import socket

    try:
        socket.create_connection((HOST, PORT), 1).close()
        return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(
    not _broker_up(), reason="Mosquitto is not running at 127.0.0.1:1883"
)


@pytest.fixture
def consumer():
    # A topic and client id of this test run only, so parallel runs never share messages.
    run = uuid.uuid4().hex[:10]
    c = Consumer(
        host=HOST, port=PORT, topic=f"fi-test-{run}/+/readings", client_id=f"fi-test-{run}"
    )
    c.start()
    yield c, run
    c.stop()


@pytest.fixture
def publisher():
    acks: queue.Queue = queue.Queue()
    pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"fi-pub-{uuid.uuid4().hex[:8]}")
    pub.on_message = lambda c, u, m: acks.put(json.loads(m.payload))
    pub.connect(HOST, PORT)
    pub.subscribe("fairinspect/ack/#", qos=0)
    pub.loop_start()
    yield pub, acks
    pub.loop_stop()
    pub.disconnect()


def _wait_subscribed(c: Consumer) -> None:
    import time

    deadline = time.monotonic() + 10
    while c.stats.connects == 0 and time.monotonic() < deadline:
        time.sleep(0.05)  # waiting for the broker, not for the clock under test
    assert c.stats.connects >= 1, "consumer did not connect"
    time.sleep(0.2)


def _ack(acks: queue.Queue, message_id: str) -> dict:
    while True:
        ack = acks.get(timeout=15)
        if ack.get("message_id") == message_id:
            return ack


@pytest.mark.django_db(transaction=True)
def test_r4_3_r3_3_a_published_high_high_reading_becomes_the_justification_of_an_exempt_visit(
    consumer, publisher, gas_point, gateway
):
    c, run = consumer
    pub, acks = publisher
    _cred, key = gateway
    _wait_subscribed(c)
    now = timezone.now().replace(microsecond=0)
    mid = f"e2e-{run}"
    payload = {
        "key": key,
        "message_id": mid,
        "readings": [
            {"point": "GT-101", "at": (now - dt.timedelta(seconds=120)).isoformat(), "value": 10.0},
            {"point": "GT-101", "at": (now - dt.timedelta(seconds=60)).isoformat(), "value": 28.0},
            {"point": "GT-101", "at": now.isoformat(), "value": 46.0 + 9.0},  # 55 %LEL: 二级报警
            {"point": "GT-101", "at": now.isoformat(), "value": "bad"},
        ],
    }
    pub.publish(f"fi-test-{run}/DCS-1/readings", json.dumps(payload), qos=1).wait_for_publish(5)
    ack = _ack(acks, mid)
    assert ack["ok"] and ack["accepted"] == 3 and ack["refused"] == 1
    serious = EarlyWarning.objects.get(point=gas_point, rule_kind="high_high")
    assert serious.grade == "orange"
    assert serious.number in ack["warnings_opened"]

    record = justifications.resolve(JustificationKind.MONITORING_WARNING, serious.number)
    assert record is not None
    assert record.enterprise_id == gas_point.enterprise_id and record.reference == serious.number
    decision = check_exemption(
        Trigger.MONITORING,
        Justification(record.kind, record.reference, record.dated, record.summary),
        today=record.dated,
        visit_date=record.dated,
    )
    assert decision.exempt, decision.reasons

    # A yellow warning is a record too, but not a serious one: it justifies nothing.
    yellow = EarlyWarning.objects.get(point=gas_point, rule_kind="high")
    assert yellow.grade == "yellow"
    assert justifications.resolve(JustificationKind.MONITORING_WARNING, yellow.number) is None
    assert (
        justifications.resolve(JustificationKind.MONITORING_WARNING, "YJ00000000-0000000") is None
    )

    # The gateway resends the same message (QoS 1, a retry): counted once.
    pub.publish(f"fi-test-{run}/DCS-1/readings", json.dumps(payload), qos=1).wait_for_publish(5)
    again = _ack(acks, mid)
    assert again["repeated"] is True
    assert Reading.objects.filter(point=gas_point).count() == 3
    assert IngestBatch.objects.get(message_id=mid).repeats == 1
    # high (yellow), high_high (orange) and rate (yellow, rolled up to orange: three at once).
    assert EarlyWarning.objects.filter(point=gas_point).count() == 3
    assert c.stats.repeated == 1


@pytest.mark.django_db(transaction=True)
def test_r4_3_a_message_that_is_not_json_or_has_an_unknown_key_is_refused_and_the_consumer_goes_on(
    consumer, publisher, gas_point, gateway
):
    c, run = consumer
    pub, acks = publisher
    _cred, key = gateway
    _wait_subscribed(c)
    topic = f"fi-test-{run}/DCS-1/readings"
    pub.publish(topic, b"\xff not json", qos=1).wait_for_publish(5)
    pub.publish(
        topic, json.dumps({"key": "gw_unknown_key", "message_id": "x1", "readings": []}), qos=1
    ).wait_for_publish(5)
    assert _ack(acks, "x1")["code"] == "unknown_key"
    ok = {
        "key": key,
        "message_id": f"ok-{run}",
        "readings": [{"point": "GT-101", "at": timezone.now().isoformat(), "value": 1.0}],
    }
    pub.publish(topic, json.dumps(ok), qos=1).wait_for_publish(5)
    assert _ack(acks, f"ok-{run}")["accepted"] == 1
    assert c.stats.rejected == 2 and c.stats.errors == 0


@pytest.mark.django_db(transaction=True)
def test_r4_3_the_consumer_reconnects_after_losing_the_broker_and_gets_what_was_sent_meanwhile(
    consumer, publisher, gas_point, gateway
):
    import time

    c, run = consumer
    pub, acks = publisher
    _cred, key = gateway
    _wait_subscribed(c)
    # Another client taking over the consumer's client id makes the broker drop the
    # consumer's connection (as a broker restart or a network cut would).
    kicker = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=f"fi-test-{run}", clean_session=False
    )
    kicker.connect(HOST, PORT)
    kicker.loop_start()
    time.sleep(0.3)
    kicker.disconnect()
    kicker.loop_stop()
    # Published while the consumer is away: the broker keeps it for the persistent session.
    mid = f"away-{run}"
    payload = {
        "key": key,
        "message_id": mid,
        "readings": [{"point": "GT-101", "at": timezone.now().isoformat(), "value": 2.0}],
    }
    pub.publish(f"fi-test-{run}/DCS-1/readings", json.dumps(payload), qos=1).wait_for_publish(5)
    ack = _ack(acks, mid)
    assert ack["accepted"] == 1
    assert c.stats.connects >= 2
