"""`fairinspect audit-checkpoint`: sign the heads of the audit chains (cron, every minute)."""

from django.core.management.base import BaseCommand

from fairinspect.audit.checkpoints import write_checkpoint


class Command(BaseCommand):
    help = (
        "Write a signed checkpoint (HMAC-SHA256 with AUDIT_HMAC_KEY) of every audit chain's "
        "length and head hash; nothing is written when nothing changed. Run it from cron "
        "every minute: events newer than the last checkpoint are the only ones whose deletion "
        "audit-verify cannot prove."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="write one even when nothing changed"
        )

    def handle(self, *args, force=False, **options):
        cp = write_checkpoint(force=force)
        if cp is None:
            self.stdout.write("no change since the last checkpoint")
        else:
            self.stdout.write(
                f"checkpoint {cp.seq} at {cp.at.isoformat()}: {cp.chains_total} chains, "
                f"{cp.events_total} events, {len(cp.heads)} heads signed, mac {cp.mac}"
            )
