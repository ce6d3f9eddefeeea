import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fairinspect.core.errors import DomainError
from fairinspect.exchange.services import export_national


def _moment(value: str) -> dt.datetime:
    """A date (from its start, Beijing time) or an ISO date-time."""
    from django.utils import timezone

    try:
        if len(value) == 10:
            return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(value), dt.time()))
        t = dt.datetime.fromisoformat(value)
        return t if t.tzinfo else timezone.make_aware(t)
    except ValueError:
        raise CommandError(f"时间“{value}”格式应为 YYYY-MM-DD 或 ISO 8601。") from None


class Command(BaseCommand):
    help = (
        "导出检查和行政处罚数据（JSON Lines 与 XLSX，附校验清单），供上传全国行政执法监督信息系统。"
    )

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path, help="新的导出目录（不存在或为空）")
        parser.add_argument("--since", type=_moment, help="起始（含）；默认接着上一次导出")
        parser.add_argument("--until", type=_moment, help="截止（不含）；默认现在")

    def handle(self, *args, out, since, until, **opts):
        try:
            run = export_national(actor=None, out=out, since=since, until=until)
        except DomainError as exc:
            raise CommandError(f"{exc.message}（{exc.code}）") from exc
        files = run.manifest["files"]
        self.stdout.write(
            f"已导出 {run.since:%Y-%m-%d %H:%M} 至 {run.until:%Y-%m-%d %H:%M} 变更的"
            f"检查 {files['inspections.jsonl']['rows']} 条、案件 {files['cases.jsonl']['rows']} 条："
            f"{out}（manifest.json SHA-256 {run.manifest_sha256[:16]}…）"
        )
