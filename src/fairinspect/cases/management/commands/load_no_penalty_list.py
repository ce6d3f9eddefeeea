"""`manage.py load_no_penalty_list [path] [--publish]`: load a version of the no-penalty list
(R7.3) from its JSON into the database; with --publish make it the list in force."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fairinspect.cases import services
from fairinspect.cases.models import NoPenaltyListVersion
from fairinspect.registry.models import User


class Command(BaseCommand):
    help = "Load (and optionally publish) a version of the no-penalty list from JSON."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=None)
        parser.add_argument("--publish", action="store_true")
        parser.add_argument("--by", default="admin", help="username recorded as publisher")

    def handle(self, *args, path, publish, by, **options):
        version = services.load_no_penalty_list(path=Path(path) if path else None)
        self.stdout.write(f"No-penalty list {version.version}: {version.get_status_display()}")
        if publish and version.status == NoPenaltyListVersion.Status.DRAFT:
            actor = User.objects.filter(username=by).first()
            if actor is None:
                raise CommandError(f"user {by} not found")
            services.publish_no_penalty_list(actor=actor, version=version, on=dt.date.today())
            self.stdout.write(self.style.SUCCESS(f"Published {version.version}."))
