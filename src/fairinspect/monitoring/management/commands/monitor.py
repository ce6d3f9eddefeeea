"""`fairinspect monitor`: the long-running MQTT consumer (see monitoring/consumer.py).

    fairinspect monitor [--consumers N] [--share GROUP | --no-share]

`--consumers N` (default: `MONITOR_CONSUMERS` from the environment, else the CPUs, at most 8): N worker processes behind one broker
connection, each gateway's messages always stored by the same worker, in order. With
`--consumers 1` a single process does everything. Either way the subscription is the MQTT 5
shared subscription `$share/<GROUP>/<topic>`, so further `monitor` processes (on this machine
or another) share the load with it."""

import logging
import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fairinspect.config.env import env_int
from fairinspect.monitoring.consumer import SHARE_GROUP, Consumer, Pool, default_consumers


class Command(BaseCommand):
    help = "接收 MQTT 监测数据并生成预警（长期运行；断线自动重连；按消息编号去重）。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.MONITOR_MQTT_HOST)
        parser.add_argument("--port", type=int, default=settings.MONITOR_MQTT_PORT)
        parser.add_argument("--topic", default=settings.MONITOR_MQTT_TOPIC)
        parser.add_argument("--client-id", default="fairinspect-monitor")
        parser.add_argument(
            "--consumers",
            type=int,
            default=env_int("MONITOR_CONSUMERS", 0) or default_consumers(),
            help="worker processes (default: $MONITOR_CONSUMERS, else the CPUs, at most 8)",
        )
        parser.add_argument("--share", default=SHARE_GROUP, help="shared subscription group")
        parser.add_argument(
            "--no-share", action="store_true", help="a plain subscription (MQTT 3 brokers)"
        )
        parser.add_argument(
            "--max-messages", type=int, default=None, help="stop after N messages (tests)"
        )

    def handle(self, *args, **opts):
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )
        n = opts["consumers"]
        if n < 1:
            raise CommandError("--consumers must be at least 1")
        share = None if opts["no_share"] else opts["share"]
        common = dict(
            host=opts["host"],
            port=opts["port"],
            topic=opts["topic"],
            client_id=opts["client_id"],
            max_messages=opts["max_messages"],
            share=share,
        )
        self.stdout.write(
            f"monitor: {opts['host']}:{opts['port']} {opts['topic']} consumers={n} share={share}"
        )
        status = 0
        if n == 1:
            consumer = Consumer(**common)
            signal.signal(signal.SIGTERM, lambda *_: consumer.client.disconnect())
            try:
                consumer.run_forever()
            except KeyboardInterrupt:
                consumer.client.disconnect()
            s = consumer.stats
        else:
            pool = Pool(n=n, **common)
            signal.signal(signal.SIGTERM, lambda *_: pool.stop())
            try:
                status = pool.run_forever()
            except KeyboardInterrupt:
                pool.stop()
            s = pool.stats
        self.stdout.write(
            f"monitor stopped: messages={s.messages} repeated={s.repeated} rejected={s.rejected} "
            f"accepted={s.accepted} refused_readings={s.refused_readings} warnings={s.warnings} errors={s.errors}"
        )
        if status:
            raise SystemExit(status)
