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

# Fields an import writes (besides the code, the key, former names and the source flags).
WRITTEN = [
    "name",
    "address",
    "district_code",
    "industry_id",
    "high_risk",
    "high_risk_override_reason",
    "standardization_grade",
    "grade_valid_from",
    "grade_valid_to",
    "risk_level",
    "credit_level",
    "supervising_level",
    "main_person",
    "main_person_phone",
    "contact_name",
    "contact_phone",
    "status",
    "registered_on",
    "enterprise_type",
    "legal_representative",
    "registered_capital",
    "business_scope",
    "registration_authority",
]
UPDATE_COLUMNS = [
    *WRITTEN,
    "former_names",
    "former_identifiers",
    "search_key",
    "search_grams",
    "source",
    "missing_from_source_since",
]
# A new enterprise's values in this order: what the importer stages (imports.stage_new).
CREATE_FIELDS = ["credit_code", *UPDATE_COLUMNS]
FORMER_IDENTIFIERS = CREATE_FIELDS.index("former_identifiers")
# A worker's row: (the cleaned code, the errors, the new enterprise's values or None).
Cleaned = tuple[str | None, list[FieldError], tuple | None]

_districts: set[str] = set()
_industries: Mapping[str, tuple[str, bool]] = {}
_source = ""


def new_key(cleaned: Mapping[str, Any]) -> tuple[str, str]:
    """The search key of a new enterprise and its two-character pieces."""
    key = search_key(
        name=cleaned["name"],
        credit_code=cleaned["credit_code"],
        address=cleaned["address"],
        former_identifiers=list(cleaned.get("former_identifiers") or []),
    )
    return key, key_grams(key)


def values(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """The cleaned values by the enterprise's field names (the industry's code is its key)."""
    v = {k: value for k, value in cleaned.items() if k != "industry_code"}
    v["industry_id"] = cleaned["industry_code"]
    return v


def new_row(cleaned: Mapping[str, Any], source: str) -> tuple:
    """A new enterprise as the import creates it, in the order of CREATE_FIELDS: the
    cleaned values, no former names, its source and its search key."""
    v = values(cleaned)
    v["former_names"] = []
    v["former_identifiers"] = list(cleaned.get("former_identifiers") or [])
    v["source"] = source
    v["missing_from_source_since"] = None
    v["search_key"], v["search_grams"] = new_key(cleaned)
    return tuple(map(v.get, CREATE_FIELDS))


def start_worker(
    district_codes: set[str], industries: Mapping[str, tuple[str, bool]], source: str
) -> None:
    """The worker's reference data (the importer's, read once from the database)."""
    global _districts, _industries, _source
    _districts, _industries, _source = district_codes, industries, source


def clean_rows(rows: list[Mapping[str, Any]]) -> list[Cleaned]:
    """A worker's task: a batch of new enterprises' rows, in order, each cleaned and, when
    it has no error, made into the enterprise to create (only what the importer needs
    crosses back: the code for the duplicate check, the errors, the values)."""
    out: list[Cleaned] = []
    for raw in rows:
        cleaned, errors = clean_enterprise(raw, district_codes=_districts, industries=_industries)
        made = None if errors else new_row(cleaned, _source)
        out.append((cleaned.get("credit_code"), errors, made))
    return out
