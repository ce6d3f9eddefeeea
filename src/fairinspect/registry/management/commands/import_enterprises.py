"""`fairinspect import-enterprises FILE`: the same all-or-nothing import as the page, with
progress on the terminal and the error report (row, column, value, rule) when a row is bad.

The command claims the job itself (it is never queued), so a worker that is running at the
same time (`make run`) does not process it a second time."""

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
        if self.kind == "enterprises":
            parser.add_argument(
                "--mapping", default="", help="a saved column mapping's source, e.g. gsxt"
            )

    def handle(self, *args, file: Path, as_user: str, **options):
        from fairinspect.registry.models import ImportMapping

        if not file.is_file():
            raise CommandError(f"文件不存在：{file}")
        actor = User.objects.filter(username=as_user).first()
        mapping = None
        if options.get("mapping"):
            mapping = ImportMapping.objects.filter(source=options["mapping"]).first()
            if mapping is None:
                raise CommandError(f"没有列对应：{options['mapping']}")
        try:
            job = services.start_import(
                actor=actor,
                kind=self.kind,
                file_name=file.name,
                data=file.read_bytes(),
                mapping=mapping,
                enqueue=False,
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
                    f"导入成功：{job.total_rows} 行，新增 {job.created_count}，"
                    f"更新 {job.updated_count}，未变 {job.unchanged_count}"
                    + (f"，来源中已无 {job.missing_count}（已标记）" if job.missing_count else "")
                    + f"（{seconds:.1f} 秒）。"
                )
            )
            return
        for n in job.notes[:20]:
            self.stdout.write(f"第{n['row']}行 “{n['value']}”：{n['message']}")
        for e in job.errors:
            value = f" 原值“{e['value']}”" if e.get("value") else ""
            self.stdout.write(f"第{e['row']}行 [{e['column']}]{value} {e['message']} ({e['code']})")
        if job.status == "failed":
            raise CommandError(f"导入中断，未写入任何数据（任务 {job.pk}，可重新运行）。")
        raise CommandError(f"发现 {len(job.errors)} 个错误，整批 {job.total_rows} 行均未导入。")

    def _progress(self, done: int, total: int, phase: str) -> None:
        if done == total or done % 500 == 0:
            label = "校验" if phase == "validating" else "写入"
            pct = 100 * done // max(total, 1)
            sys.stderr.write(f"\r{label} {done}/{total} ({pct}%)")
            sys.stderr.flush()
