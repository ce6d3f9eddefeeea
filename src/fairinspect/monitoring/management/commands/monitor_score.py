"""`fairinspect monitor-score FILE_OR_DIR...`: replay recorded, labelled series (SKAB layout)
through the warning engine and print one JSON object with precision, recall, F1, detection
delay and false alarms per hour, per input and overall, beside a fixed-threshold baseline."""

import json

from django.core.management.base import BaseCommand, CommandError

from fairinspect.monitoring.scoring import score


class Command(BaseCommand):
    help = (
        "用已标注的监测序列（SKAB 格式：分号分隔，datetime 列，每个传感器一列，anomaly/changepoint 标签）"
        "评估预警引擎，输出一个 JSON：各输入及总体的精确率、召回率、F1、平均发现时延（秒）、每小时误报数，"
        "并与固定阈值基线对比。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", metavar="FILE_OR_DIR", help="CSV files or folders of them"
        )
        parser.add_argument("--indent", type=int, default=None, help="pretty-print the JSON")

    def handle(self, *args, **opts):
        try:
            result = score(opts["paths"])
        except (FileNotFoundError, ValueError) as exc:
            raise CommandError(f"无法读取输入：{exc}") from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=opts["indent"]))
