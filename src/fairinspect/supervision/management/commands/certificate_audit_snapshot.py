"""`fairinspect certificate-audit-snapshot`: the certificate audit (清查, R1.2) as a
scheduled report. Run it monthly (or nightly); one stored run per day, re-running a day
replaces that day's rows, so the history is one row per audit date."""

import datetime as dt

from django.core.management.base import BaseCommand

from fairinspect.supervision.services import training


class Command(BaseCommand):
    help = "Store today's certificate audit (officers who left, retired or are off post with a valid certificate; holdings beyond scope)."

    def add_arguments(self, parser):
        parser.add_argument("--on", type=dt.date.fromisoformat, default=None)

    def handle(self, *args, on, **options):
        run = training.snapshot_certificate_audit(on=on)
        self.stdout.write(f"Certificate audit {run.on}: {run.problems} problems stored.")
