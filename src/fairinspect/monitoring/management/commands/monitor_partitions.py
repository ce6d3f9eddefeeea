"""Create the monthly partitions of the monitoring readings ahead of time, and optionally
drop the months past the retention period (PostgreSQL; issue 13).

    fairinspect monitor-partitions [--months-ahead 3] [--keep-months N]

Idempotent: a month that exists is left alone; rows already written to the DEFAULT partition
for a new month are moved into it. `--keep-months N` detaches and drops every monthly
partition that ends more than N whole months before the current month (never the DEFAULT
one): the readings are gone, the warnings they opened keep their value, limit and times.
Without it nothing is dropped. On SQLite there is nothing to do."""

from __future__ import annotations

import datetime as dt
import re

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from fairinspect.core import partitioning

TABLE = "monitoring_reading"
_MONTH = re.compile(rf"^{TABLE}_p(\d{{4}})(\d{{2}})$")


def _add_months(d: dt.date, n: int) -> dt.date:
    m = d.year * 12 + d.month - 1 + n
    return dt.date(m // 12, m % 12 + 1, 1)


def month_partitions() -> list[tuple[str, dt.date]]:
    """(name, first day) of the readings' monthly partitions."""
    with connection.cursor() as c:
        c.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        names = [r[0] for r in c.fetchall()]
    out = []
    for name in names:
        m = _MONTH.match(name)
        if m:
            out.append((name, dt.date(int(m[1]), int(m[2]), 1)))
    return sorted(out, key=lambda x: x[1])


def create_ahead(today: dt.date, months_ahead: int) -> int:
    this = today.replace(day=1)
    return partitioning.add_partitions(
        connection, TABLE, partitioning.months(this, _add_months(this, months_ahead))
    )


def drop_older(today: dt.date, keep_months: int) -> list[str]:
    """Drop the monthly partitions wholly before the first of the month `keep_months` ago."""
    cutoff = _add_months(today.replace(day=1), -keep_months)
    dropped = []
    with connection.cursor() as c:
        # Deferred foreign-key checks of rows written earlier in this transaction would
        # block the DROP ("pending trigger events"): run them now.
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, first in month_partitions():
            if _add_months(first, 1) <= cutoff:
                c.execute(f'ALTER TABLE "{TABLE}" DETACH PARTITION "{name}"')
                c.execute(f'DROP TABLE "{name}"')
                dropped.append(name)
    return dropped


class Command(BaseCommand):
    help = "Create the monitoring readings' monthly partitions ahead; drop old ones (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--months-ahead", type=int, default=3)
        parser.add_argument(
            "--keep-months",
            type=int,
            default=None,
            help="drop the months ending more than N months ago (default: keep all)",
        )

    def handle(self, *args, months_ahead: int, keep_months: int | None, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("not PostgreSQL: the monitoring readings are not partitioned")
            return
        if months_ahead < 0 or (keep_months is not None and keep_months < 1):
            raise CommandError("--months-ahead must be ≥ 0 and --keep-months ≥ 1")
        today = timezone.localdate()
        with transaction.atomic():
            made = create_ahead(today, months_ahead)
            dropped = drop_older(today, keep_months) if keep_months is not None else []
        self.stdout.write(f"{made} partition(s) created, {len(dropped)} dropped")
        for name in dropped:
            self.stdout.write(f"dropped {name}")
