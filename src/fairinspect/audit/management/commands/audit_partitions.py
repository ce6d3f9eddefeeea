"""Create the yearly partitions of the audit events, of the visits and of the visits' team
and items ahead of time (PostgreSQL; issue 13).

    manage.py audit_partitions [--years-ahead 2]

Rows already written to the DEFAULT partition for a new year are moved into it. On SQLite
there is nothing to do. Run it once a year (a systemd timer or cron), or let the DEFAULT
partition take the rows until it runs."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from fairinspect.core import partitioning

# The visits before their children: a child's new partition takes its rows out of DEFAULT,
# and each must find its visit (the foreign key is checked when the rows move).
TABLES = ("audit_auditevent", "visits_visit", "visits_visitofficer", "visits_visit_items")


class Command(BaseCommand):
    help = (
        "Create the audit events', the visits' and their team and items' partitions for this "
        "year and the next ones (PostgreSQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--years-ahead", type=int, default=2)

    def handle(self, *args, years_ahead: int, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("not PostgreSQL: the audit events are not partitioned")
            return
        year = timezone.now().year
        made = 0
        for table in TABLES:
            with transaction.atomic():
                made += partitioning.add_partitions(
                    connection, table, partitioning.years(year, year + years_ahead)
                )
        self.stdout.write(f"{made} partition(s) created")
