"""Case-file review (案卷评查, R8.3): the verifiable stratified sample, scoring against the
checklist (the bureau's table, passed in as data), and who may review which case.

The sample reuses the 双随机 sampler (`rules/sampling.py`, Rivest's SHA-256 sampler): for each
unit the closed cases' numbers form a canonical pool, and the unit's cases are drawn with the
seed "<seed>/<unit code>". Anyone with the published pools and seed recomputes the sample.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from itertools import islice

from .duties import Act, DutyObject, participation_reasons
from .results import FieldError, Reason
from .sampling import canonical_pool, picks, pool_sha256, validate_seed


@dataclass(frozen=True)
class Stratum:
    unit: str
    pool: tuple[str, ...]  # canonical order
    sha256: str
    selected: tuple[str, ...]  # selection order


def unit_seed(seed: str, unit: str) -> str:
    return f"{seed}/{unit}"


def stratified_sample(
    seed: str, strata: Mapping[str, Sequence[str]], per_unit: int
) -> tuple[Stratum, ...]:
    """``per_unit`` cases from each unit (all of them when it has fewer), reproducible."""
    validate_seed(seed)
    if per_unit < 1:
        raise ValueError("per_unit must be at least 1")
    out = []
    for unit in sorted(strata):
        pool = canonical_pool(strata[unit], field=f"pool:{unit}")
        if not pool:
            continue
        k = min(per_unit, len(pool))
        # The unit's derived seed is not all digits (like the draw's officer seeds), so the
        # positions come from `picks`, the sampler itself, after the typed seed was checked.
        chosen = tuple(pool[p - 1] for p in islice(picks(unit_seed(seed, unit), len(pool)), k))
        out.append(Stratum(unit, pool, pool_sha256(pool), chosen))
    return tuple(out)


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    section: str  # legality, standards, completeness
    text: str
    points: Decimal


@dataclass(frozen=True)
class Checklist:
    version: str
    source: str
    items: tuple[ChecklistItem, ...]
    excellent: Decimal
    passing: Decimal

    @property
    def total(self) -> Decimal:
        return sum((i.points for i in self.items), Decimal(0))


SECTIONS = {"legality": "合法性", "standards": "规范性", "completeness": "完整性"}


def parse_checklist(data: Mapping) -> Checklist:
    items = tuple(
        ChecklistItem(str(i["code"]), str(i["section"]), str(i["text"]), Decimal(str(i["points"])))
        for i in data["items"]
    )
    if {i.section for i in items} != set(SECTIONS):
        raise ValueError("the checklist must cover legality, standards and completeness")
    if len({i.code for i in items}) != len(items):
        raise ValueError("checklist item codes must be unique")
    return Checklist(
        str(data["version"]),
        str(data["source"]),
        items,
        Decimal(str(data["grades"]["excellent"])),
        Decimal(str(data["grades"]["passing"])),
    )


@dataclass(frozen=True)
class Score:
    ok: bool
    total: Decimal
    grade: str
    by_section: dict[str, Decimal]
    errors: tuple[FieldError, ...]


def score(checklist: Checklist, given: Mapping[str, object]) -> Score:
    """Every item scored from 0 to its points; the grade from the checklist's thresholds."""
    errors, total, by_section = [], Decimal(0), {s: Decimal(0) for s in SECTIONS}
    for item in checklist.items:
        raw = given.get(item.code)
        try:
            v = Decimal(str(raw)) if raw not in (None, "") else None
        except InvalidOperation:
            v = None
        if v is None or not (0 <= v <= item.points):
            errors.append(
                FieldError(
                    f"scores.{item.code}", "score_invalid", f"“{item.text}”应评0至{item.points}分。"
                )
            )
            continue
        total += v
        by_section[item.section] += v
    unknown = set(given) - {i.code for i in checklist.items}
    for code in sorted(unknown):
        errors.append(FieldError(f"scores.{code}", "unknown_item", f"评查标准中没有{code}项。"))
    if errors:
        return Score(False, Decimal(0), "", by_section, tuple(errors))
    grade = (
        "优秀"
        if total >= checklist.excellent
        else "合格"
        if total >= checklist.passing
        else "不合格"
    )
    return Score(True, total, grade, by_section, ())


class Kind(StrEnum):
    SELF = "self"
    PEER = "peer"
    SPOT = "spot"


REVIEWER_ROLE = "case_file_reviewer"


def check_reviewer(
    kind: Kind | str,
    *,
    reviewer_id: int,
    reviewer_unit: str,
    case_unit: str,
    case_file: DutyObject,
    is_supervisor: bool,
) -> tuple[Reason, ...]:
    """Refusals (empty when allowed). Nobody reviews a case they registered, handled or took
    a step in: `rules.duties.participation_reasons`, the rule of every approving step. A
    self review is by the case's own unit, a peer review by another unit, a spot review by
    supervisors."""
    kind = Kind(kind)
    out = list(participation_reasons(reviewer_id, Act("评查", REVIEWER_ROLE), case_file))
    if kind is Kind.SELF and reviewer_unit != case_unit:
        out.append(Reason("self_review_other_unit", "自查由案件承办单位进行。"))
    if kind is Kind.PEER and reviewer_unit == case_unit:
        out.append(Reason("peer_review_same_unit", "互查由其他执法单位进行。"))
    if kind is Kind.SPOT and not is_supervisor:
        out.append(Reason("spot_review_not_supervisor", "抽查由执法监督人员进行。"))
    return tuple(out)
