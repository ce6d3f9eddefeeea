"""The long-running MQTT consumer (`fairinspect monitor`): readings from the broker into the
same ingestion service the HTTP endpoint uses.

- paho-mqtt 2.x, MQTT 3.1.1, a persistent session (clean_session=False) and QoS 1: while the
  consumer is down the broker keeps the messages for it; paho reconnects by itself with a
  back-off of 1 to 30 seconds, and the first connection is retried until the broker is up.
- Idempotent: QoS 1 delivers at least once, and gateways resend; every message carries a
  `message_id`, stored per credential under a unique constraint, so a message seen again is
  counted once (`services.ingest`).
- Topic `fairinspect/<gateway>/readings`, payload JSON `{"key", "message_id", "readings":
  [{"point", "at", "value"}]}`. The result goes to `fairinspect/ack/<message_id>` (QoS 0):
  accepted, duplicates, refused with reasons, warnings opened.
- Bounded memory: the credential cache and the drift detectors are LRU-bounded; nothing is
  kept per message.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import paho.mqtt.client as mqtt
from django.db import close_old_connections

from . import services
from .inputs import parse_mqtt, split_readings, to_raw_pairs
from .models import IngestCredential, Reading

log = logging.getLogger("fairinspect.monitor")


@dataclass
class Stats:
    messages: int = 0
    repeated: int = 0
    rejected: int = 0  # whole messages refused (not JSON, bad envelope, unknown key)
    accepted: int = 0
    refused_readings: int = 0
    warnings: int = 0
    errors: int = 0
    connects: int = 0
    last_error: str = ""
    done: threading.Event = field(default_factory=threading.Event)


class CredentialCache:
    def __init__(self, capacity: int = 10_000):
        self.capacity = capacity
        self._items: OrderedDict[str, IngestCredential] = OrderedDict()

    def get(self, key: str) -> IngestCredential | None:
        cred = self._items.get(key)
        if cred is not None:
            self._items.move_to_end(key)
            return cred
        cred = services.credential_for_key(key)
        if cred is not None:
            self._items[key] = cred
            if len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return cred

    def __len__(self) -> int:
        return len(self._items)


class Consumer:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        topic: str,
        client_id: str = "fairinspect-monitor",
        max_messages: int | None = None,
    ):
        self.host, self.port, self.topic = host, port, topic
        self.max_messages = max_messages
        self.stats = Stats()
        self.credentials = CredentialCache()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=False,
            protocol=mqtt.MQTTv311,
        )
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_disconnect = self._on_disconnect

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            log.warning("MQTT connect refused: %s", reason_code)
            return
        self.stats.connects += 1
        # Subscribing on every connect: a new session after a broker restart needs it.
        client.subscribe(self.topic, qos=1)
        log.info("connected to %s:%s, subscribed to %s", self.host, self.port, self.topic)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        if reason_code != 0:
            log.warning("MQTT connection lost (%s); paho reconnects", reason_code)

    def handle(self, payload: bytes) -> dict:
        """One message: the result that is also published as the ack."""
        self.stats.messages += 1
        envelope, why = parse_mqtt(payload)
        if envelope is None:
            self.stats.rejected += 1
            return {"ok": False, "code": why}
        cred = self.credentials.get(envelope.key)
        if cred is None:
            self.stats.rejected += 1
            return {"ok": False, "code": "unknown_key", "message_id": envelope.message_id}
        good, bad = split_readings(envelope.readings)
        close_old_connections()
        result = services.ingest(
            credential=cred,
            message_id=envelope.message_id,
            readings=to_raw_pairs(good),
            refused=bad,
            source=Reading.Source.MQTT,
        )
        if result.repeated:
            self.stats.repeated += 1
        else:
            self.stats.accepted += result.accepted
            self.stats.refused_readings += result.refused
            self.stats.warnings += len(result.warnings_opened)
        return {
            "ok": True,
            "message_id": result.message_id,
            "accepted": result.accepted,
            "duplicates": result.duplicates,
            "refused": result.refused,
            "problems": result.problems[:20],
            "warnings_opened": result.warnings_opened,
            "repeated": result.repeated,
        }

    def _on_message(self, client, userdata, msg):
        try:
            ack = self.handle(msg.payload)
        except Exception as exc:  # one bad message must never stop the consumer
            self.stats.errors += 1
            self.stats.last_error = repr(exc)[:300]
            log.exception("message on %s failed", msg.topic)
            ack = {"ok": False, "code": "error"}
            close_old_connections()
        mid = ack.get("message_id")
        if mid:
            client.publish(f"fairinspect/ack/{mid}", json.dumps(ack, ensure_ascii=False), qos=0)
        if self.max_messages is not None and self.stats.messages >= self.max_messages:
            self.stats.done.set()
            client.disconnect()

    def run_forever(self) -> None:
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_forever(retry_first_connection=True)

    def start(self) -> None:
        """Run in a background thread (tests, benchmarks)."""
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
