"""Cleaning the rows of a large import in worker processes (issue 13 item 5).

The rows of an import are independent of each other until the check for a code given twice
in the file, so the rows of new enterprises can be cleaned (`inputs.clean_enterprise`, the
one cleaner of the forms, the API and the importers) and keyed for the search
(`new_key`) in other processes while the importer reads the file, looks the codes up and
collects the results in file order. The duplicate check, the notes, the errors' order and
everything the database says stay with the importer, so the parallel path gives the same
result and the same errors as the serial one (tests/registry/test_import_parallel.py).

Nothing here imports Django: a worker starts from a fresh interpreter (the forkserver
context: never a fork of a process that holds a database connection or other threads) and
only needs the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fairinspect.rules.results import FieldError
from fairinspect.rules.search import key_grams, search_key

from .inputs import clean_enterprise

Cleaned = tuple[dict[str, Any], list[FieldError], tuple[str, str] | None]

_districts: set[str] = set()
_industries: Mapping[str, tuple[str, bool]] = {}


def new_key(cleaned: Mapping[str, Any]) -> tuple[str, str]:
    """The search key of a new enterprise and its two-character pieces."""
    key = search_key(
        name=cleaned["name"],
        credit_code=cleaned["credit_code"],
        address=cleaned["address"],
        former_identifiers=list(cleaned.get("former_identifiers") or []),
    )
    return key, key_grams(key)


def clean_new(
    raw: Mapping[str, Any],
    district_codes: set[str],
    industries: Mapping[str, tuple[str, bool]],
) -> Cleaned:
    """A row of a new enterprise cleaned, with its key when it has no error."""
    cleaned, errors = clean_enterprise(raw, district_codes=district_codes, industries=industries)
    return cleaned, errors, None if errors else new_key(cleaned)


def start_worker(district_codes: set[str], industries: Mapping[str, tuple[str, bool]]) -> None:
    """The worker's reference data (the importer's, read once from the database)."""
    global _districts, _industries
    _districts, _industries = district_codes, industries


def clean_rows(rows: list[Mapping[str, Any]]) -> list[Cleaned]:
    """A worker's task: a batch of new enterprises' rows, in order."""
    return [clean_new(raw, _districts, _industries) for raw in rows]
