from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from fairinspect.core.backup import BackupError, Target, restore


class Command(BaseCommand):
    help = "从备份目录恢复数据库和上传的文件；先逐一核对校验值，目标已有数据时需 --replace。"

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="fairinspect backup 写出的目录")
        parser.add_argument("--database-url", help="恢复到此数据库（默认：本系统的 DATABASE_URL）")
        parser.add_argument("--media-root", type=Path, help="上传文件目录（默认 MEDIA_ROOT）")
        parser.add_argument("--replace", action="store_true", help="覆盖目标中已有的数据")

    def handle(self, *args, folder, database_url, media_root, replace, **opts):
        try:
            target = (
                Target.from_url(database_url)
                if database_url
                else Target.from_settings_dict(connections["default"].settings_dict)
            )
            if not database_url:
                connections.close_all()
            manifest = restore(
                folder=folder,
                target=target,
                media_root=media_root or settings.MEDIA_ROOT,
                replace=replace,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"恢复完成：{folder} → {target.name}（备份时间 {manifest['created_at']}）"
        )
