"""The data behind the self-checks: each industry's 重大事故隐患判定标准 as a checklist (with
its source and what is not entered), the bureau's self-inspection thresholds (R10.4) and the
day the bureau began counting quarters. Read once per process."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fairinspect.rules.selfcheck import EligibilityCriteria

DATA = Path(__file__).parent / "data"
OTHER = "OTHER"  # the free line every checklist ends with (a hazard outside the entered items)


@dataclass(frozen=True)
class Standard:
    code: str
    title: str
    document: str
    issued_by: str
    source_note: str
    coverage: str
    prefixes: tuple[str, ...]
    items: tuple[dict[str, Any], ...]

    @property
    def item_codes(self) -> tuple[str, ...]:
        return (*(i["code"] for i in self.items), OTHER)

    def item(self, code: str) -> dict[str, Any] | None:
        if code == OTHER:
            return {
                "code": OTHER,
                "clause": "其他",
                "text": "判定标准中未录入条款的其他重大事故隐患情形",
            }
        return next((i for i in self.items if i["code"] == code), None)


@cache
def standards() -> tuple[Standard, ...]:
    out = []
    for path in sorted((DATA / "major_hazard_standards").glob("*.json")):
        d = json.loads(path.read_text(encoding="utf-8"))
        out.append(
            Standard(
                d["code"],
                d["title"],
                d["document"],
                d["issued_by"],
                d["source_note"],
                d["coverage"],
                tuple(d["industry_prefixes"]),
                tuple(d["items"]),
            )
        )
    return tuple(out)


NONE = Standard(
    "none",
    "本行业的重大事故隐患判定标准未录入",
    "",
    "",
    "本系统未录入该行业的判定标准；请对照适用的判定标准原文，在“其他”中逐项填写。",
    "未录入条款。",
    (),
    (),
)


def standard_for(industry_code: str) -> Standard:
    """The standard whose industry prefix is the longest one the code starts with."""
    best, length = NONE, 0
    for s in standards():
        for p in s.prefixes:
            if industry_code.startswith(p) and len(p) > length:
                best, length = s, len(p)
    return best


def standard_by_code(code: str) -> Standard:
    return next((s for s in standards() if s.code == code), NONE)


@cache
def _eligibility_doc() -> dict[str, Any]:
    return json.loads((DATA / "self_inspection.json").read_text(encoding="utf-8"))


def eligibility_criteria() -> EligibilityCriteria:
    d = _eligibility_doc()
    return EligibilityCriteria(
        credit_levels=frozenset(d["credit_levels"]),
        grades=frozenset(d["grades"]),
        accident_free_years=int(d["accident_free_years"]),
        not_listed=bool(d["not_listed"]),
        source=d["source"],
    )


def eligibility_notes() -> dict[str, str]:
    d = _eligibility_doc()
    return {"source": d["source"], "thresholds": d["thresholds_note"]}


@cache
def _settings() -> dict[str, Any]:
    return json.loads((DATA / "self_check_settings.json").read_text(encoding="utf-8"))


def counting_starts() -> dt.date:
    return dt.date.fromisoformat(_settings()["counting_starts"])


def counting_note() -> str:
    return str(_settings()["note"])
