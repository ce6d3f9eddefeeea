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

from fairinspect.rules.document_numbers import abbreviation, format_number

from ..models import DocumentSeries


def prefix_of(department) -> str:
    """The 文号 prefix of the bureau a case or listing belongs to (the city's without one)."""
    return abbreviation(department.bureau.division_code if department is not None else "")


def allocate(kind: str, *, department, on: dt.date) -> str:
    prefix = prefix_of(department)
    with transaction.atomic():
        try:
            with transaction.atomic():
                DocumentSeries.objects.get_or_create(prefix=prefix, kind=kind, year=on.year)
        except IntegrityError:  # created by a concurrent allocation: use that row
            pass
        row = DocumentSeries.objects.select_for_update().get(prefix=prefix, kind=kind, year=on.year)
        DocumentSeries.objects.filter(pk=row.pk).update(last=F("last") + 1)
        row.refresh_from_db(fields=["last"])
    return format_number(prefix, kind, on.year, row.last)
