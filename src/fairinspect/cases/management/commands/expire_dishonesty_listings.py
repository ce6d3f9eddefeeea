"""`manage.py expire_dishonesty_listings [--today YYYY-MM-DD]`: remove from the serious-dishonesty
list (R10.2) every listing whose three-year term has ended, lifting its measures (the credit
level before listing is restored) with an audit event. Periodic and idempotent: run it daily
(cron or the scheduler); a second run the same day changes nothing."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fairinspect.cases import services


class Command(BaseCommand):
    help = "Remove serious-dishonesty listings whose three-year term has ended."

    def add_arguments(self, parser):
        parser.add_argument("--today", default="", help="the day to run as (default: today)")

    def handle(self, *args, today, **options):
        try:
            day = dt.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError("--today: expected YYYY-MM-DD") from None
        removed = services.expire_listings(today=day)
        for listing in removed:
            self.stdout.write(
                f"removed listing {listing.pk} ({listing.enterprise.name}), "
                f"term ended {listing.expires_on}"
            )
        self.stdout.write(self.style.SUCCESS(f"{len(removed)} listing(s) removed on {day}."))
