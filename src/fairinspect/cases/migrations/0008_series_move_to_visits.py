"""The cases' 文号 series move to the one series table of the visits app
(visits.DocumentNumber, keyed by bureau prefix, kind and year): the rows are copied, the
cases' own table is dropped. Kinds do not overlap (the cases' filing, notice … against the
inspection's plan, record …), so no row meets another."""

from django.db import migrations


def move(apps, schema_editor):
    old = apps.get_model("cases", "DocumentSeries")
    new = apps.get_model("visits", "DocumentNumber")
    for s in old.objects.all():
        row, _ = new.objects.get_or_create(prefix=s.prefix, kind=s.kind, year=s.year)
        if row.last < s.last:
            row.last = s.last
            row.save(update_fields=["last"])


def back(apps, schema_editor):
    old = apps.get_model("cases", "DocumentSeries")
    new = apps.get_model("visits", "DocumentNumber")
    kinds = ("filing", "notice", "hearing", "decision", "no_penalty", "reminder", "listing_notice")
    for s in new.objects.filter(kind__in=kinds):
        old.objects.update_or_create(
            prefix=s.prefix, kind=s.kind, year=s.year, defaults={"last": s.last}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_merge_repair_and_numbers"),
        ("visits", "0007_document_series_per_bureau"),
    ]

    operations = [
        migrations.RunPython(move, back),
        migrations.DeleteModel(name="DocumentSeries"),
    ]
