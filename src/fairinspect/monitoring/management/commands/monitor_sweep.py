"""`fairinspect monitor-sweep`: the periodic, idempotent part of the warning loop — warnings
for offline sensors, and escalation (督办) of warnings nobody acted on in time. Run it every
few minutes (cron or a systemd timer); running it twice changes nothing the second time."""

from django.core.management.base import BaseCommand

from fairinspect.monitoring import services


class Command(BaseCommand):
    help = "离线点位预警与超期未处置预警督办（可重复执行，结果不变）。"

    def handle(self, *args, **opts):
        stale = services.sweep_stale()
        escalated = services.escalate_overdue()
        self.stdout.write(f"stale warnings opened: {stale}; warnings escalated: {escalated}")
