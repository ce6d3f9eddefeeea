"""The long-running MQTT consumer (`fairinspect monitor`): readings from the broker into the
same ingestion service the HTTP endpoint uses.

- paho-mqtt 2.x, MQTT 5, a persistent session (clean_start=False, session expiry one day)
  and QoS 1: while the consumer is down the broker keeps the messages for it; paho
  reconnects by itself with a back-off of 1 to 30 seconds, and the first connection is
  retried until the broker is up.
- A shared subscription (`$share/fairinspect/<topic>`, MQTT 5): several consumers (on one
  machine or several) take turns with the messages, each message going to one of them
  (Mosquitto: round robin). Concurrent consumers are safe: a transaction locks the state
  rows of the points it writes (ordered by id), and the message id and the (point, at)
  unique constraints make a message or reading stored once whoever gets it.
- `Pool` (`fairinspect monitor --consumers N`): one broker connection and N worker
  processes; each message goes to the worker chosen by a hash of its topic (the gateway),
  so one gateway's messages are always stored in the order they arrived, by the same
  process, whose drift detectors therefore see every reading of its points.
- Idempotent: QoS 1 delivers at least once, and gateways resend; every message carries a
  `message_id`, stored per credential under a unique constraint, so a message seen again is
  counted once (`services.ingest`).
- Topic `fairinspect/<gateway>/readings`, payload JSON `{"key", "message_id", "readings":
  [{"point", "at", "value"}]}`. The result goes to `fairinspect/ack/<message_id>` (QoS 0):
  accepted, duplicates, refused with reasons, warnings opened.
- Micro-batches: paho's network thread only queues each message; a worker takes what has
  arrived (up to `batch_messages` messages, waiting at most `linger` seconds for more) and
  stores it in ONE transaction (`services.ingest_many`), then publishes the acks and only
  then acknowledges the messages to the broker (manual PUBACK): a consumer killed mid-batch
  has acknowledged nothing of it, and the broker redelivers it (counted once by its message
  id). The client's Receive Maximum (MQTT 5) bounds what the broker has in flight to it.
- Bounded memory: the credential cache, the point-configuration cache and the drift
  detectors are LRU-bounded; the queue holds at most `queue_size` messages; nothing else is
  kept per message.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import queue
import threading
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field

import paho.mqtt.client as mqtt
from django.db import close_old_connections, connections
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from . import services
from .inputs import parse_mqtt, split_raw
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


SESSION_EXPIRY = 24 * 3600  # seconds the broker keeps an absent consumer's messages
SHARE_GROUP = "fairinspect"


def subscription(topic: str, share: str | None) -> str:
    """The topic filter a consumer subscribes to: shared (`$share/<group>/<topic>`) unless
    `share` is empty."""
    return f"$share/{share}/{topic}" if share else topic


def worker_for(topic: str, n: int) -> int:
    """Which of n workers stores a message of this topic: always the same for a gateway."""
    return zlib.crc32(topic.encode()) % n


def default_consumers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


class Handler:
    """Messages in, acks out: the part of a consumer that touches the database."""

    def __init__(self) -> None:
        self.stats = Stats()
        self.credentials = CredentialCache()

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
            good, bad = split_raw(envelope.readings)
            batch.append(Message(cred, envelope.message_id, good, bad))
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

    def process(self, items: list[tuple]) -> list[dict]:
        """(mid, qos, topic, payload) items → their acks; a batch that fails is retried one
        message at a time, so one bad message never stops the others."""
        try:
            return self.handle_many([payload for _m, _q, _t, payload in items])
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
        return acks


def take(inbox, batch_messages: int, linger: float) -> list[tuple | None]:
    """What has arrived: at least one item (or none after 0.2 s), at most `batch_messages`,
    waiting at most `linger` seconds for more."""
    try:
        first = inbox.get(timeout=0.2)
    except queue.Empty:
        return []
    if first is None:
        return [None]
    items = [first]
    deadline = time.monotonic() + linger
    while len(items) < batch_messages:
        try:
            item = inbox.get_nowait()
        except queue.Empty:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                item = inbox.get(timeout=left)
            except queue.Empty:
                break
        if item is None:
            inbox.put(None)  # the stop mark: seen after this batch
            break
        items.append(item)
    return items


def _client(client_id: str, receive_maximum: int) -> tuple[mqtt.Client, Properties]:
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=mqtt.MQTTv5,
        manual_ack=True,
    )
    client.reconnect_delay_set(min_delay=1, max_delay=30)
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = SESSION_EXPIRY
    props.ReceiveMaximum = max(1, min(65_535, receive_maximum))
    return client, props


class _Subscriber:
    """The broker side of a consumer and of a pool: subscribe on every connect (a new session
    after a broker restart needs it) and connect keeping the broker's session."""

    host: str
    port: int
    subscription: str
    stats: Stats
    client: mqtt.Client
    _props: Properties
    workers = 1

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            log.warning("MQTT connect refused: %s", reason_code)
            return
        self.stats.connects += 1
        client.subscribe(self.subscription, qos=1)
        log.info(
            "connected to %s:%s, subscribed to %s with %d worker(s)",
            self.host,
            self.port,
            self.subscription,
            self.workers,
        )

    def _connect(self) -> None:
        self.client.connect_async(
            self.host, self.port, keepalive=30, clean_start=False, properties=self._props
        )


class Consumer(Handler, _Subscriber):
    """One consumer process: a broker connection and one worker thread."""

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
        share: str | None = SHARE_GROUP,
    ):
        super().__init__()
        self.host, self.port, self.topic = host, port, topic
        self.subscription = subscription(topic, share)
        self.max_messages = max_messages
        self.batch_messages = batch_messages
        self.linger = linger
        self.inbox: queue.Queue = queue.Queue(maxsize=queue_size)
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        self.client, self._props = _client(client_id, 2 * batch_messages)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_disconnect = self._on_disconnect

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        if reason_code != 0:
            log.warning("MQTT connection lost (%s); paho reconnects", reason_code)

    def _on_message(self, client, userdata, msg):
        # paho's network thread: queue only (the worker stores and acknowledges).
        self.inbox.put((msg.mid, msg.qos, msg.topic, msg.payload))

    def _work(self) -> None:
        try:
            self._work_loop()
        finally:
            from django.db import connection

            connection.close()  # the worker thread's own connection

    def _work_loop(self) -> None:
        while not self._stop.is_set():
            items = [i for i in take(self.inbox, self.batch_messages, self.linger) if i]
            if not items:
                continue
            acks = self.process(items)
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
        self._connect()
        try:
            self.client.loop_forever(retry_first_connection=True)
        finally:
            self._stop.set()
            if self._worker is not None:
                self._worker.join(10)

    def start(self) -> None:
        """Run in background threads (tests, benchmarks)."""
        self._start_worker()
        self._connect()
        self.client.loop_start()

    def stop(self) -> None:
        self._stop.set()
        if self._worker is not None:
            self._worker.join(10)
        self.client.disconnect()
        self.client.loop_stop()


def _pool_worker(n: int, inbox, results, batch_messages: int, linger: float) -> None:
    """A Pool's worker process: stores what the parent routes to it, sends the acks back."""
    log.info("monitor worker %d started (pid %d)", n, os.getpid())
    handler = Handler()
    try:
        while True:
            taken = take(inbox, batch_messages, linger)
            if taken == [None]:
                return
            items = [i for i in taken if i is not None]
            if not items:
                continue
            acks = handler.process(items)
            results.put(
                [
                    (mid, qos, ack.get("message_id"), json.dumps(ack, ensure_ascii=False), ack)
                    for (mid, qos, _t, _p), ack in zip(items, acks, strict=True)
                ]
            )
    finally:
        connections.close_all()


class Pool(_Subscriber):
    """`fairinspect monitor --consumers N`: one broker connection (on the shared
    subscription, so several pools or consumers can share the topic), N worker processes,
    each message routed by its topic's hash. The parent only receives, routes, publishes
    the acks and acknowledges to the broker after the worker committed. A worker that dies
    stops the pool (exit status 1): its unacknowledged messages are redelivered to the next
    session, and systemd (or `fairinspect serve`) starts the pool again."""

    def __init__(
        self,
        *,
        n: int,
        host: str,
        port: int,
        topic: str,
        client_id: str = "fairinspect-monitor",
        max_messages: int | None = None,
        batch_messages: int = 200,
        linger: float = 0.02,
        queue_size: int = 2_000,
        share: str | None = SHARE_GROUP,
    ):
        self.workers, self.host, self.port = n, host, port
        self.subscription = subscription(topic, share)
        self.max_messages = max_messages
        self.stats = Stats()
        ctx = multiprocessing.get_context("fork")
        self.inboxes = [ctx.Queue(maxsize=queue_size) for _ in range(n)]
        self.results = ctx.Queue()
        connections.close_all()  # no connection may cross the fork
        self.procs = [
            ctx.Process(
                target=_pool_worker,
                args=(i, self.inboxes[i], self.results, batch_messages, linger),
                name=f"monitor-worker-{i}",
                daemon=True,
            )
            for i in range(n)
        ]
        for p in self.procs:
            p.start()
        self._stop = threading.Event()
        self.client, self._props = _client(client_id, 2 * batch_messages * n)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message

    def _on_message(self, client, userdata, msg):
        self.inboxes[worker_for(msg.topic, self.workers)].put(
            (msg.mid, msg.qos, msg.topic, msg.payload)
        )

    def _acks(self) -> None:
        while not self._stop.is_set():
            try:
                done = self.results.get(timeout=0.2)
            except queue.Empty:
                continue
            for mid, qos, message_id, text, ack in done:
                self.stats.messages += 1
                if ack.get("repeated"):
                    self.stats.repeated += 1
                elif ack.get("ok"):
                    self.stats.accepted += ack.get("accepted", 0)
                    self.stats.refused_readings += ack.get("refused", 0)
                    self.stats.warnings += len(ack.get("warnings_opened", ()))
                else:
                    self.stats.rejected += 1
                if message_id:
                    self.client.publish(f"fairinspect/ack/{message_id}", text, qos=0)
                if qos > 0:
                    self.client.ack(mid, qos)
            if self.max_messages is not None and self.stats.messages >= self.max_messages:
                self.stats.done.set()
                self._stop.set()

    def run_forever(self) -> int:
        """Until SIGTERM (`stop`), `max_messages`, or a worker's death; the exit status."""
        acker = threading.Thread(target=self._acks, name="monitor-acks", daemon=True)
        acker.start()
        self._connect()
        self.client.loop_start()
        status = 0
        try:
            while not self._stop.wait(1.0):
                dead = [p for p in self.procs if not p.is_alive()]
                if dead:
                    log.error(
                        "monitor worker %s died (exit %s): stopping", dead[0].name, dead[0].exitcode
                    )
                    status = 1
                    break
        except KeyboardInterrupt:
            pass
        self._stop.set()
        self.client.disconnect()
        self.client.loop_stop()
        acker.join(5)
        for q in self.inboxes:
            with contextlib.suppress(queue.Full):
                q.put(None, timeout=1)
        for p in self.procs:
            p.join(10)
            if p.is_alive():
                p.terminate()
                p.join(5)
        return status

    def stop(self) -> None:
        self._stop.set()
