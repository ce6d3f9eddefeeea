"""`fairinspect demo`: deterministic demo data for a first look (make run).

Each app contributes a builder `<app>.demo.build(rng, today)`; they run in the order below
inside one transaction, from one seeded random generator, so the same seed gives the same
data on every machine.
"""

import datetime as dt
import random
from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from fairinspect.registry.models import User

BUILDERS = [
    "fairinspect.registry.demo",
    "fairinspect.catalog.demo",
    "fairinspect.visits.demo",
    "fairinspect.planning.demo",
    "fairinspect.cases.demo",
    "fairinspect.cases.demo_repair",
    "fairinspect.monitoring.demo",
    "fairinspect.supervision.demo",
    "fairinspect.enterprise.demo",
    "fairinspect.experts.demo",
    "fairinspect.portal.demo",
]
PASSWORD = "fairinspect-demo"


class Command(BaseCommand):
    help = "Load deterministic demo data (departments, officers, enterprises, items, logins)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=20250618)
        parser.add_argument("--enterprises", type=int, default=5000)
        parser.add_argument(
            "--once", action="store_true", help="do nothing when the demo data is already there"
        )
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="the day the demo year is built around (default: today)",
        )

    def handle(self, *args, seed, enterprises, once, today, **options):
        if once and User.objects.filter(username="admin").exists():
            self.stdout.write("Demo data already loaded.")
        else:
            rng = random.Random(seed)
            today = today or dt.date.today()
            with transaction.atomic():
                for path in BUILDERS:
                    module = import_module(path)
                    module.build(rng=rng, today=today, enterprises=enterprises, out=self.stdout)
        self.stdout.write(self.style.SUCCESS(LOGINS))


LOGINS = f"""
Demo logins (password for all: {PASSWORD}):
  admin        管理员 administrator
  officer      执法人员 officer, city bureau (危险化学品安全监督管理科)
  officer2     执法人员 officer, city bureau (second officer for check-in)
  ts_officer   执法人员 officer, 天山区应急管理局
  ts_officer2  执法人员 officer, 天山区应急管理局
  approver     审批负责人 approver (科室负责人)
  approver2    审批负责人 approver (a second one: proposes listings the first decides, R1.5)
  legal        法制审核人员 legal reviewer
  supervisor   监督人员 supervisor
  enterprise   企业用户 enterprise user
  expert       专家 expert
"""
