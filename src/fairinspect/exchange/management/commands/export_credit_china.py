import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fairinspect.core.errors import DomainError
from fairinspect.exchange.services import credit_china_file


class Command(BaseCommand):
    help = "生成信用中国“双公示”行政处罚信息文件（.csv 或 .xlsx，标准字段 cf_xdr_mc … bz；已过公示截止期的不再列入）。"

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path, help="输出文件，扩展名 .csv 或 .xlsx")
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, help="按此日期判断公示期（默认今天）"
        )

    def handle(self, *args, out, today, **opts):
        fmt = out.suffix.lower().lstrip(".")
        try:
            data = credit_china_file(today=today or timezone.localdate(), fmt=fmt)
        except DomainError as exc:
            raise CommandError(f"{exc.message}（{exc.code}）") from exc
        out.write_bytes(data)
        self.stdout.write(f"已写入 {out}（{len(data):,} 字节）")
