"""`fairinspect audit-verify`: check the whole audit trail (cron). Exit 1 on any break."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from fairinspect.audit.checkpoints import from_json
from fairinspect.audit.verify import verify


class Command(BaseCommand):
    help = (
        "Verify the audit trail: every checkpoint's signature, every chain's links and hashes "
        "against the latest checkpoint (deleted newest events), and every audited record "
        "against the state digest of its latest event (records edited behind the services' "
        "back). Prints one line per break naming the chain, event and record, and exits 1 "
        "when there is any. Then, when nothing is broken, signs a new checkpoint (unless "
        "--no-checkpoint): a broken trail is never signed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-checkpoint",
            action="store_true",
            help="do not sign the current heads after an intact check",
        )
        parser.add_argument(
            "--against",
            metavar="FILE",
            help="a JSON download of the published checkpoints (/audit/checkpoints.json) to "
            "check the database against, so deleted checkpoints show too",
        )

    def handle(self, *args, no_checkpoint=False, against=None, **options):
        outside = []
        if against:
            try:
                with open(against, encoding="utf-8") as f:
                    doc = json.load(f)
                outside = [from_json(d) for d in doc["checkpoints"]]
            except (OSError, ValueError, KeyError, TypeError) as e:
                raise CommandError(f"--against {against}: not a checkpoint export ({e})") from e
        report = verify(checkpoint=not no_checkpoint, against=outside)
        for b in report.breaks:
            self.stdout.write(b.line())
        if report.breaks_total > len(report.breaks):
            self.stdout.write(f"... and {report.breaks_total - len(report.breaks)} more breaks")
        if report.checkpoint is not None:
            self.stdout.write(f"checkpoint {report.checkpoint.seq} written")
        self.stdout.write(
            f"{'OK' if report.ok else 'BROKEN'}: {report.events} events, {report.chains} chains, "
            f"{report.checkpoints} checkpoints, {report.records} records checked, "
            f"{report.breaks_total} breaks"
        )
        if not report.ok:
            sys.exit(1)
