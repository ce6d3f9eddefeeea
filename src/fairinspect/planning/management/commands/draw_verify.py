"""`fairinspect draw-verify --pool FILE --seed SEED --count N`: re-run a published draw.

Reads a pool file exactly as published (UTF-8, one id per line, canonical order, every line
ended by "\\n"; a task weighted by risk ranking publishes "<id>\\t<weight>" lines and is
drawn by the weighted sampler) and prints the selected ids, one per line, in selection order. It needs no
database: anyone with the published file and seed can run it (or reimplement it from the
algorithm in fairinspect.rules.sampling).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fairinspect.rules import sampling


class Command(BaseCommand):
    help = "Recompute a 双随机 draw from its published pool file, seed and count."
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--pool", required=True, help="the published pool file")
        parser.add_argument("--seed", required=True, help="the public seed (digits)")
        parser.add_argument("--count", required=True, type=int, help="how many were drawn")
        parser.add_argument(
            "--sha256", default="", help="optional: the published SHA-256 to check the file against"
        )

    def handle(self, *args, pool, seed, count, sha256, **options):
        try:
            data = Path(pool).read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取名录库文件 {pool}：{exc.strerror}") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise CommandError("名录库文件不是UTF-8编码。") from None
        try:
            digest = sampling.pool_file_sha256(text)  # checks the published form first
            if sha256 and digest != sha256.strip().lower():
                raise CommandError(f"名录库文件的SHA-256为{digest}，与公布的{sha256}不一致。")
            selected = sampling.verify_pool_file(text, seed, count)
        except sampling.PoolFileError as exc:
            raise CommandError(f"[{exc.code}] 第{exc.line}行：{exc.message}") from None
        except sampling.DrawInputError as exc:
            raise CommandError(f"[{exc.code}] {exc.field}：{exc.message}") from None
        for value in selected:
            self.stdout.write(value)
