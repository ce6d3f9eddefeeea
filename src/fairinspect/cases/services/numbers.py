"""Allocating 文号: each document type of each bureau on its own yearly series.

Race-safe: the series row is created once (a concurrent creator's IntegrityError is
absorbed), then locked (`SELECT … FOR UPDATE` on PostgreSQL; SQLite serialises writers) and
incremented in the database (`last = last + 1`), all inside the caller's transaction — so
two decisions taken at once get two numbers, and a rolled-back step gives its number back.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F

from fairinspect.rules.document_numbers import CITY_DIVISION, abbreviation, format_number

from ..models import DocumentSeries


def bureau_of(department) -> tuple[str, str]:
    """(series code, 行政区划代码) of the bureau a case or listing belongs to."""
    if department is None:
        return "", CITY_DIVISION
    bureau = department.bureau
    return bureau.code, bureau.division_code


def allocate(kind: str, *, department, on: dt.date) -> str:
    code, division = bureau_of(department)
    with transaction.atomic():
        try:
            with transaction.atomic():
                DocumentSeries.objects.get_or_create(bureau_code=code, kind=kind, year=on.year)
        except IntegrityError:  # created by a concurrent allocation: use that row
            pass
        row = DocumentSeries.objects.select_for_update().get(
            bureau_code=code, kind=kind, year=on.year
        )
        DocumentSeries.objects.filter(pk=row.pk).update(last=F("last") + 1)
        row.refresh_from_db(fields=["last"])
    return format_number(abbreviation(division), kind, on.year, row.last)
