"""`fairinspect import-enterprises FILE`: the same all-or-nothing import as the page, with
progress on the terminal and the error report (row, column, rule) when a row is bad."""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fairinspect.core.errors import DomainError
from fairinspect.registry import services
from fairinspect.registry.models import User


class Command(BaseCommand):
    kind = "enterprises"
    help = "Import enterprises from a .csv or .xlsx file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--as-user", default="admin", help="recorded as the importer")

    def handle(self, *args, file: Path, as_user: str, **options):
        if not file.is_file():
            raise CommandError(f"文件不存在：{file}")
        actor = User.objects.filter(username=as_user).first()
        try:
            job = services.start_import(
                actor=actor, kind=self.kind, file_name=file.name, data=file.read_bytes()
            )
            started = time.monotonic()
            job = services.run_import_job(job.pk, progress=self._progress)
        except DomainError as exc:
            raise CommandError(f"{exc.message} [{exc.code}]") from exc
        sys.stderr.write("\n")
        seconds = time.monotonic() - started
        if job.status == "done":
            self.stdout.write(
                self.style.SUCCESS(
                    f"导入成功：{job.total_rows} 行，新增 {job.created_count}，更新 {job.updated_count}"
                    f"（{seconds:.1f} 秒）。"
                )
            )
            return
        for e in job.errors:
            self.stdout.write(f"第{e['row']}行 [{e['column']}] {e['message']} ({e['code']})")
        raise CommandError(f"发现 {len(job.errors)} 个错误，整批 {job.total_rows} 行均未导入。")

    def _progress(self, done: int, total: int, phase: str) -> None:
        if done == total or done % 500 == 0:
            label = "校验" if phase == "validating" else "写入"
            pct = 100 * done // max(total, 1)
            sys.stderr.write(f"\r{label} {done}/{total} ({pct}%)")
            sys.stderr.flush()
