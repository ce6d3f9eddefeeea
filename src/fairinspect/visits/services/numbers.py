"""Allocating 文号: each document type of each bureau on its own yearly series (the
inspection's documents here, and the cases', which sit above visits and call this).

Race-safe: the series row is created once (a concurrent creator's IntegrityError is
absorbed), then locked (`SELECT … FOR UPDATE` on PostgreSQL; SQLite serialises writers) and
incremented in the database (`last = last + n`), all inside the caller's transaction — so
two documents issued at once get two numbers, and a rolled-back step gives its number back.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F

from fairinspect.rules.document_numbers import abbreviation, format_number

from ..models import DocumentNumber


def prefix_of(department, division: str = "") -> str:
    """The 文号 prefix of the bureau a document belongs to: `department`'s bureau, else the
    bureau of the 行政区划代码 `division`, else the city's."""
    return abbreviation(department.bureau.division_code if department is not None else division)


def allocate(kind: str, *, department, on: dt.date, division: str = "") -> str:
    """The next 文号 of `kind` in the series of `department`'s bureau for `on`'s year."""
    return allocate_many(kind, department=department, division=division, on=on, count=1)[0]


def allocate_many(
    kind: str, *, department, on: dt.date, count: int, division: str = ""
) -> list[str]:
    """`count` consecutive 文号 of one series, taken with one increment (bulk issuers)."""
    prefix = prefix_of(department, division)
    with transaction.atomic():
        try:
            with transaction.atomic():
                DocumentNumber.objects.get_or_create(prefix=prefix, kind=kind, year=on.year)
        except IntegrityError:  # created by a concurrent allocation: use that row
            pass
        row = DocumentNumber.objects.select_for_update().get(prefix=prefix, kind=kind, year=on.year)
        DocumentNumber.objects.filter(pk=row.pk).update(last=F("last") + count)
        row.refresh_from_db(fields=["last"])
    first = row.last - count + 1
    return [format_number(prefix, kind, on.year, n) for n in range(first, row.last + 1)]
