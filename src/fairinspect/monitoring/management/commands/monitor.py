"""`fairinspect monitor`: the long-running MQTT consumer (see monitoring/consumer.py)."""

import logging
import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from fairinspect.monitoring.consumer import Consumer


class Command(BaseCommand):
    help = "接收 MQTT 监测数据并生成预警（长期运行；断线自动重连；按消息编号去重）。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.MONITOR_MQTT_HOST)
        parser.add_argument("--port", type=int, default=settings.MONITOR_MQTT_PORT)
        parser.add_argument("--topic", default=settings.MONITOR_MQTT_TOPIC)
        parser.add_argument("--client-id", default="fairinspect-monitor")
        parser.add_argument(
            "--max-messages", type=int, default=None, help="stop after N messages (tests)"
        )

    def handle(self, *args, **opts):
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )
        consumer = Consumer(
            host=opts["host"],
            port=opts["port"],
            topic=opts["topic"],
            client_id=opts["client_id"],
            max_messages=opts["max_messages"],
        )
        signal.signal(signal.SIGTERM, lambda *_: consumer.client.disconnect())
        self.stdout.write(f"monitor: {opts['host']}:{opts['port']} {opts['topic']}")
        try:
            consumer.run_forever()
        except KeyboardInterrupt:
            consumer.client.disconnect()
        s = consumer.stats
        self.stdout.write(
            f"monitor stopped: messages={s.messages} repeated={s.repeated} rejected={s.rejected} "
            f"accepted={s.accepted} refused_readings={s.refused_readings} warnings={s.warnings} errors={s.errors}"
        )
