"""The field lists of the exported files, as data (exchange/data/*.json, docs/exports.md)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from fairinspect.rules.exports import FieldSpec

DATA = Path(__file__).resolve().parent / "data"


@cache
def credit_china_fields() -> tuple[FieldSpec, ...]:
    doc = json.loads((DATA / "credit_china_xzcf.json").read_text(encoding="utf-8"))
    return tuple(FieldSpec(**f) for f in doc["fields"])


@cache
def national_fields(file: str) -> tuple[FieldSpec, ...]:
    doc = json.loads((DATA / "national_v1.json").read_text(encoding="utf-8"))
    return tuple(FieldSpec(**f) for f in doc["files"][file])


NATIONAL_VERSION = "1"
