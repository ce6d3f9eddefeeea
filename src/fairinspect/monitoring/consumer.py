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
- Micro-batches: paho's network thread only queues each message; one worker thread takes
  what has arrived (up to `batch_messages` messages, waiting at most `linger` seconds for
  more) and stores it in ONE transaction (`services.ingest_many`), then publishes the acks
  and only then acknowledges the messages to the broker (manual PUBACK): a consumer killed
  mid-batch has acknowledged nothing of it, and the broker redelivers it (counted once by
  its message id). The broker's in-flight window (Mosquitto: max_inflight_messages, 20 by
  default) bounds what is queued.
- Bounded memory: the credential cache, the point-configuration cache and the drift
  detectors are LRU-bounded; the queue holds at most `queue_size` messages; nothing else is
  kept per message.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import paho.mqtt.client as mqtt
from django.db import close_old_connections

from . import services
from .inputs import parse_mqtt, split_readings, to_raw_pairs
from .models import IngestCredential, Reading
from .services.ingest import Message

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
        batch_messages: int = 200,
        linger: float = 0.02,
        queue_size: int = 5_000,
    ):
        self.host, self.port, self.topic = host, port, topic
        self.max_messages = max_messages
        self.batch_messages = batch_messages
        self.linger = linger
        self.stats = Stats()
        self.credentials = CredentialCache()
        self.inbox: queue.Queue = queue.Queue(maxsize=queue_size)
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=False,
            protocol=mqtt.MQTTv311,
            manual_ack=True,
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
        return self.handle_many([payload])[0]

    def handle_many(self, payloads: list[bytes]) -> list[dict]:
        """Several messages in one transaction; one ack per message, in order."""
        acks: list[dict | None] = [None] * len(payloads)
        batch: list[Message] = []
        where: list[int] = []
        for n, payload in enumerate(payloads):
            self.stats.messages += 1
            envelope, why = parse_mqtt(payload)
            if envelope is None:
                self.stats.rejected += 1
                acks[n] = {"ok": False, "code": why}
                continue
            cred = self.credentials.get(envelope.key)
            if cred is None:
                self.stats.rejected += 1
                acks[n] = {"ok": False, "code": "unknown_key", "message_id": envelope.message_id}
                continue
            good, bad = split_readings(envelope.readings)
            batch.append(Message(cred, envelope.message_id, to_raw_pairs(good), bad))
            where.append(n)
        if batch:
            close_old_connections()
            results = services.ingest_many(batch, source=Reading.Source.MQTT)
            for n, result in zip(where, results, strict=True):
                if result.repeated:
                    self.stats.repeated += 1
                else:
                    self.stats.accepted += result.accepted
                    self.stats.refused_readings += result.refused
                    self.stats.warnings += len(result.warnings_opened)
                acks[n] = {
                    "ok": True,
                    "message_id": result.message_id,
                    "accepted": result.accepted,
                    "duplicates": result.duplicates,
                    "refused": result.refused,
                    "problems": result.problems[:20],
                    "warnings_opened": result.warnings_opened,
                    "repeated": result.repeated,
                }
        return [a or {"ok": False, "code": "error"} for a in acks]

    def _on_message(self, client, userdata, msg):
        # paho's network thread: queue only (the worker stores and acknowledges).
        self.inbox.put((msg.mid, msg.qos, msg.topic, msg.payload))

    def _take(self) -> list[tuple]:
        try:
            first = self.inbox.get(timeout=0.2)
        except queue.Empty:
            return []
        items = [first]
        deadline = time.monotonic() + self.linger
        while len(items) < self.batch_messages:
            try:
                items.append(self.inbox.get_nowait())
            except queue.Empty:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    items.append(self.inbox.get(timeout=left))
                except queue.Empty:
                    break
        return items

    def _work(self) -> None:
        try:
            self._work_loop()
        finally:
            from django.db import connection

            connection.close()  # the worker thread's own connection

    def _work_loop(self) -> None:
        while not self._stop.is_set():
            items = self._take()
            if not items:
                continue
            try:
                acks = self.handle_many([payload for _m, _q, _t, payload in items])
            except Exception as exc:  # one bad batch must never stop the consumer
                self.stats.errors += 1
                self.stats.last_error = repr(exc)[:300]
                log.exception("a batch of %d messages failed; storing them one by one", len(items))
                close_old_connections()
                acks = []
                for _m, _q, topic, payload in items:
                    try:
                        acks.append(self.handle(payload))
                    except Exception as one:
                        self.stats.errors += 1
                        self.stats.last_error = repr(one)[:300]
                        log.exception("message on %s failed", topic)
                        close_old_connections()
                        acks.append({"ok": False, "code": "error"})
            for (mid, qos, _topic, _payload), ack in zip(items, acks, strict=True):
                message_id = ack.get("message_id")
                if message_id:
                    self.client.publish(
                        f"fairinspect/ack/{message_id}", json.dumps(ack, ensure_ascii=False), qos=0
                    )
                if qos > 0:
                    self.client.ack(mid, qos)
            if self.max_messages is not None and self.stats.messages >= self.max_messages:
                self.stats.done.set()
                self.client.disconnect()
                return

    def _start_worker(self) -> None:
        self._stop.clear()
        self._worker = threading.Thread(target=self._work, name="monitor-worker", daemon=True)
        self._worker.start()

    def run_forever(self) -> None:
        self._start_worker()
        self.client.connect_async(self.host, self.port, keepalive=30)
        try:
            self.client.loop_forever(retry_first_connection=True)
        finally:
            self._stop.set()
            if self._worker is not None:
                self._worker.join(10)

    def start(self) -> None:
        """Run in background threads (tests, benchmarks)."""
        self._start_worker()
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        self._stop.set()
        if self._worker is not None:
            self._worker.join(10)
        self.client.disconnect()
        self.client.loop_stop()
