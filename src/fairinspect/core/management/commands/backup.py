from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fairinspect.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库和上传的文件到一个新目录（含校验值清单 manifest.json）。"

    def add_arguments(self, parser):
        parser.add_argument("output", type=Path, help="新的备份目录（不存在或为空）")
        parser.add_argument("--media-root", type=Path, help="上传文件目录（默认 MEDIA_ROOT）")

    def handle(self, *args, output, media_root, **opts):
        try:
            manifest = backup(output=output, media_root=media_root)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        sizes = ", ".join(f"{k} {v['bytes']:,} B" for k, v in manifest["files"].items())
        self.stdout.write(f"备份完成：{output}（{manifest['vendor']}；{sizes}）")
