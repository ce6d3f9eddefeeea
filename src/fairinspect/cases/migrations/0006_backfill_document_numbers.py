"""Backfill: the series continue after every 文号 already issued, and the cases already
notified or decided get the notice numbers and reminder numbers they now carry.

Before this, decisions were numbered by the case's id (乌应急罚〔2025〕{id}号) and the notices
borrowed the case's number. Each series starts after the highest number already printed
under its prefix, type and year, so no 文号 is ever issued twice."""

import re

from django.db import migrations

from fairinspect.rules.document_numbers import TYPES, abbreviation

WORDS = {t.word: t.code for t in TYPES.values()}
PATTERN = re.compile(
    r"^(?P<prefix>.+?)应急(?P<word>" + "|".join(sorted(WORDS, key=len, reverse=True)) + r")"
    r"〔(?P<year>\d{4})〕(?P<n>\d+)号$"
)


def forwards(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Listing = apps.get_model("cases", "DishonestyListing")
    Series = apps.get_model("cases", "DocumentSeries")
    Department = apps.get_model("registry", "Department")
    last: dict[tuple[str, str, int], int] = {}

    def seen(number: str) -> None:
        m = PATTERN.match(number or "")
        if m:
            key = (m["prefix"], WORDS[m["word"]], int(m["year"]))
            last[key] = max(last.get(key, 0), int(m["n"]))

    for number, decision in Case.objects.values_list("number", "decision_number"):
        seen(number)
        seen(decision)
    for (number,) in Listing.objects.values_list("notice_number"):
        seen(number)

    divisions = {}
    for d in Department.objects.all():
        divisions[d.pk] = (d.parent_id, d.division_code)

    def prefix(case) -> str:
        if case.department_id is None:
            return abbreviation("")
        parent, division = divisions[case.department_id]
        if parent is not None:
            division = divisions[parent][1]
        return abbreviation(division)

    def allocate(case, kind: str, year: int) -> str:
        key = (prefix(case), kind, year)
        last[key] = last.get(key, 0) + 1
        return f"{key[0]}应急{TYPES[kind].word}〔{year}〕{last[key]}号"

    notified = Case.objects.filter(
        outcome="penalty", notice_served_on__isnull=False, notice_number=""
    ).order_by("notice_served_on", "id")
    for c in notified:
        year = c.notice_served_on.year
        fields = {"notice_number": allocate(c, "notice", year)}
        if c.hearing_required:
            fields["hearing_notice_number"] = allocate(c, "hearing", year)
        Case.objects.filter(pk=c.pk).update(**fields)
    excused = Case.objects.filter(
        outcome="no_penalty", decided_on__isnull=False, reminder_number=""
    ).order_by("decided_on", "id")
    for c in excused:
        Case.objects.filter(pk=c.pk).update(
            reminder_number=allocate(c, "reminder", c.decided_on.year)
        )
    for (pfx, kind, year), n in last.items():
        Series.objects.update_or_create(
            prefix=pfx, kind=kind, year=year, defaults={"last": n}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_document_series_and_numbers"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
