"""`fairinspect detect-breaches`: run every breach rule (R8.4). Nightly from cron or a
systemd timer; idempotent (a breach found again is updated, never duplicated)."""

import datetime as dt

from django.core.management.base import BaseCommand

from fairinspect.supervision import detection


class Command(BaseCommand):
    help = "Detect rule breaches over visits, cases, complaints and disclosures (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--year", type=int, default=None)

    def handle(self, *args, today, year, **options):
        run = detection.run(today=today, year=year, by="detect_breaches")
        found = {k: v for k, v in run.counts.items() if v}
        self.stdout.write(f"Breach detection {run.today}: {sum(found.values())} found {found}")
