from django.core.management.base import BaseCommand

from fairinspect.registry.models import Department, Industry
from fairinspect.registry.reference import load_departments, load_industries


class Command(BaseCommand):
    help = "Reload departments and GB/T 4754 industries with the high-risk mapping (idempotent)."

    def handle(self, *args, **options):
        load_departments(Department)
        load_industries(Industry)
        self.stdout.write(
            f"{Department.objects.count()} departments, "
            f"{Industry.objects.count()} industries "
            f"({Industry.objects.filter(high_risk=True).count()} high-risk)."
        )
