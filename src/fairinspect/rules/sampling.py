"""The verifiable 双随机 random draw (R9.2): pools, Rivest's SHA-256 sampler, officer pairing.

The draw is public and re-runnable by anyone. Its inputs are frozen and published before the
seed exists: the enterprise pool and the officer pool, each as a pool file with its SHA-256.
The seed is then made in public (for example several people's dice rolls), and the result
follows from pools + seed alone, so nobody — the software included — can steer it.

Pool file (the published artefact): UTF-8, no BOM, one id per line, every line ended by
"\\n", no blank lines, ids in canonical order. Canonical order is ``sorted()`` on the id text,
i.e. Unicode code point order, which is also the byte order of the UTF-8 encoding, so a
verifier can rebuild it with ``LC_ALL=C sort``.

Sampler: Ronald L. Rivest, "Reference implementation code for pseudo-random sampler for
election audits or other purposes" (sampler.py, version of November 14, 2011). The i-th pick is
SHA-256 of the UTF-8 text "<seed>,<i>" (i in decimal ASCII digits, no padding), read as a
big-endian integer, modulo the pool size, plus 1. **i starts at 1**: the reference increments
its counter before hashing, so its first hash input is "<seed>,1", and its documented transcript
(seed 3546311556112163624615351222, range 1..876) begins "…,1 ==> 740". A pick equal to an
earlier one is skipped while i keeps counting (sampling without replacement), exactly as the
reference does when duplicates are not allowed. Our tests pin that transcript.

Weighted pool (a task "weighted by risk ranking", issue 11 item 3): each line is
"<id>\t<weight>\n" — the id, one TAB (no id can hold one: ids are printable), the weight as a
positive decimal integer without leading zeros — in the same canonical id order (``LC_ALL=C
sort`` still rebuilds it: TAB sorts before every printable character). The weights are part
of the published text, so the SHA-256 covers them. The weighted sampler is Rivest's,
generalised: pick i is SHA-256("<seed>,<i>") as a big-endian integer modulo the pool's total
weight W, giving r in 0..W-1; the pick is the first entry whose running total of weights (in
canonical order) exceeds r; an entry picked before is skipped while i keeps counting. With
every weight 1 this is exactly the unweighted sampler. Skipping repeats of a draw from the
whole pool means each next pick is proportional to weight among the entries not yet picked:
successive sampling without replacement, the distribution of Efraimidis–Spirakis keys, but in
integer arithmetic only, so every verifier gets the same selection.

Officer seed: officers for a selected enterprise are drawn by the same sampler over the officer
pool with the seed f"{seed}/officers/{enterprise_id}". Deriving it from the enterprise id (not
from its rank) means anybody can recompute one visit's officers from the published inputs.
"""

from __future__ import annotations

import hashlib
import io
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from itertools import accumulate
from typing import NamedTuple

from .results import Reason


class Code(StrEnum):
    """Stable English codes: logs, APIs and tests key on these, never on the Chinese text."""

    # Enterprise exclusions.
    AT_CAP = "at_cap"
    OTHER_LEVEL = "supervised_by_other_level"
    LEVEL_MISSING = "supervising_level_missing"
    ALREADY_INSPECTED = "already_inspected_this_year"
    SELF_INSPECTING = "self_inspecting_this_year"
    # Officer exclusions.
    NO_CERTIFICATE = "no_certificate"
    CERTIFICATE_NOT_YET_VALID = "certificate_not_yet_valid"
    CERTIFICATE_EXPIRED = "certificate_expired"
    SCOPE_NOT_COVERED = "scope_not_covered"
    OFF_POST = "off_post"
    # Pairing skips and the unpaired outcome.
    DECLARED_CONFLICT = "declared_conflict"
    FORMER_EMPLOYER = "former_employer"
    RELATIVE = "relative"
    LAST_INSPECTOR = "last_inspector"
    MAX_LOAD_REACHED = "max_load_reached"
    OFFICERS_EXHAUSTED = "officers_exhausted"


class ConflictKind(StrEnum):
    """Why an officer must stand aside (回避) for one enterprise; values double as skip codes."""

    DECLARED = Code.DECLARED_CONFLICT.value
    FORMER_EMPLOYER = Code.FORMER_EMPLOYER.value
    RELATIVE = Code.RELATIVE.value


# One table of the Chinese texts, so wording is reviewed (and translated) in one place.
_MESSAGES = {
    Code.AT_CAP: "本年度检查次数已达上限",
    Code.OTHER_LEVEL: "该企业由其他层级执法主体监管（一家企业对应一个层级）",
    Code.LEVEL_MISSING: "该企业未确定监管层级，无法确认由本级检查",
    Code.ALREADY_INSPECTED: "本年度已就相同事项检查过，避免重复检查：{items}",
    Code.SELF_INSPECTING: "本年度实行企业自我检查（报告已经认可），不安排例行计划检查（R10.4）",
    Code.NO_CERTIFICATE: "无有效执法证",
    Code.CERTIFICATE_NOT_YET_VALID: "执法证自{date}起生效",
    Code.CERTIFICATE_EXPIRED: "执法证已于{date}到期",
    Code.SCOPE_NOT_COVERED: "执法证执法领域未涵盖：{scopes}",
    Code.OFF_POST: "不在岗",
    Code.DECLARED_CONFLICT: "已申报与该企业存在利害关系，须回避",
    Code.FORMER_EMPLOYER: "曾在该企业任职，须回避",
    Code.RELATIVE: "近亲属与该企业存在关系，须回避",
    Code.LAST_INSPECTOR: "上次就相同事项检查过该企业，须回避",
    Code.MAX_LOAD_REACHED: "本次抽取中已分配{limit}家企业，达到上限",
    Code.OFFICERS_EXHAUSTED: "可派执法人员不足：需要{needed}名，仅有{found}名可派",
}


class DrawInputError(ValueError):
    """Bad input to the draw; ``field`` names the argument so the caller can point at it."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(f"[{code}] {field}: {message}")
        self.field, self.code, self.message = field, code, message


class PoolFileError(ValueError):
    """A pool file that is not in the published format; ``line`` is 1-based."""

    def __init__(self, line: int, code: str, message: str) -> None:
        super().__init__(f"[{code}] 第{line}行: {message}")
        self.line, self.code, self.message = line, code, message


def _reason(code: Code, **values: object) -> Reason:
    return Reason(code.value, _MESSAGES[code].format(**values))


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# --- Seeds --------------------------------------------------------------------------------

# [0-9], not \d: \d also matches full-width and other Unicode digits, which would hash
# differently from what the public saw written down.
_SEED_RE = re.compile(r"[0-9]{6,64}")


def validate_seed(seed: object) -> str:
    """Return the seed if it is 6–64 ASCII decimal digits, else raise DrawInputError('seed').

    Leading zeros are kept: the seed is text, and "007…" and "7…" hash differently.
    """
    if not isinstance(seed, str):
        raise DrawInputError("seed", "seed_not_text", "随机种子必须以文本形式输入（保留前导零）")
    if not _SEED_RE.fullmatch(seed):
        raise DrawInputError(
            "seed", "seed_invalid", f"随机种子必须是6至64位数字（0–9），不含其他字符：{seed!r}"
        )
    return seed


def officer_seed(seed: str, enterprise_id: str) -> str:
    """The documented derived seed for the officers of one selected enterprise."""
    return f"{seed}/officers/{enterprise_id}"


# --- Pools and pool files -----------------------------------------------------------------


def _id_problem(value: object) -> tuple[str, str] | None:
    """Why an id cannot be written as one pool-file line, or None if it can."""
    if not isinstance(value, str):
        return "id_not_text", "编号必须是文本"
    if "\r" in value:
        return "carriage_return", "含有回车符（CR），文件须使用\\n换行"
    if "\n" in value:
        return "newline_in_id", "编号中含有换行符"
    if "\ufeff" in value:
        return "bom", "含有字节顺序标记（BOM），文件须为不带BOM的UTF-8"
    if value.strip() == "":
        return "blank_line", "空行或空编号"
    if value.strip() != value:
        return "surrounding_space", f"编号前后有空白字符：{value!r}"
    if not value.isprintable():
        return "unprintable_character", f"编号含有不可见或控制字符：{value!r}"
    return None


def canonical_pool(ids: Iterable[str], *, field: str = "pool") -> tuple[str, ...]:
    """The ids in canonical order; rejects ids a pool file cannot hold, and duplicates."""
    if isinstance(ids, str):
        # A str is itself an iterable of str; treating "ABC" as three ids would be a silent bug.
        raise DrawInputError(field, "pool_not_a_list", "编号库必须是编号列表，而不是单个字符串")
    seen: set[str] = set()
    for value in ids:
        problem = _id_problem(value)
        if problem:
            raise DrawInputError(field, problem[0], problem[1])
        if value in seen:
            raise DrawInputError(field, "duplicate_id", f"编号重复：{value}")
        seen.add(value)
    return tuple(sorted(seen))


def pool_text(ids: Iterable[str]) -> str:
    """The pool file's exact text: canonical order, one id per line, each ended by "\\n"."""
    return "".join(f"{value}\n" for value in canonical_pool(ids))


def pool_sha256(ids: Iterable[str]) -> str:
    """Lower-case hex SHA-256 of ``pool_text(ids)`` encoded as UTF-8 (no BOM)."""
    return hashlib.sha256(pool_text(ids).encode("utf-8")).hexdigest()


def parse_pool_file(text: str) -> tuple[str, ...]:
    """Read a published pool file, strictly: ``pool_text(result) == text`` for any accepted text.

    Strictness is the point: a file that parses must hash to the published SHA-256, so a
    verifier never "fixes" a file into a different pool. Errors name the 1-based line.
    """
    if text == "":
        return ()
    lines = text.split("\n")  # not splitlines(): that would also split on \x0b, \u2028, …
    if lines[-1] != "":
        raise PoolFileError(len(lines), "missing_final_newline", "最后一行必须以换行符（\\n）结尾")
    ids: list[str] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(lines[:-1], start=1):
        problem = _id_problem(line)
        if problem:
            raise PoolFileError(number, *problem)
        if line in first_line:
            raise PoolFileError(
                number, "duplicate_id", f"编号重复：{line}（首次出现在第{first_line[line]}行）"
            )
        if ids and line < ids[-1]:
            raise PoolFileError(
                number, "not_canonical_order", f"编号未按规范顺序排列：{line} 应排在 {ids[-1]} 之前"
            )
        first_line[line] = number
        ids.append(line)
    return tuple(ids)


# --- Rivest's sampler ---------------------------------------------------------------------


def _check_int(name: str, value: object, minimum: int = 0) -> int:
    # bool is an int subclass; True as a pool size is always a caller bug.
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise DrawInputError(
            name, f"{name}_invalid", f"{name} 必须是不小于{minimum}的整数：{value!r}"
        )
    return value


def picks(seed: str, pool_size: int) -> Iterator[int]:
    """Distinct 1-based positions in Rivest order; stops after ``pool_size`` distinct picks.

    The seed is not validated here because derived officer seeds ("…/officers/<id>") are not
    digits; the public entry points validate the seed people typed. The loop ends with
    probability 1 (coupon collector: about n·ln n hashes to exhaust a pool of n).
    """
    _check_int("pool_size", pool_size)
    seen: set[int] = set()
    i = 0
    while len(seen) < pool_size:
        i += 1
        digest = hashlib.sha256(f"{seed},{i}".encode()).digest()
        position = int.from_bytes(digest, "big") % pool_size + 1
        if position not in seen:
            seen.add(position)
            yield position


def sample(seed: str, pool_size: int, count: int) -> tuple[int, ...]:
    """The first ``count`` distinct 1-based positions, in selection order."""
    validate_seed(seed)
    _check_int("pool_size", pool_size)
    _check_int("count", count)
    if count > pool_size:
        raise DrawInputError(
            "count", "count_exceeds_pool", f"抽取数量（{count}）超过库中数量（{pool_size}）"
        )
    positions = picks(seed, pool_size)
    return tuple(next(positions) for _ in range(count))


def select(seed: str, pool: Sequence[str], count: int) -> tuple[str, ...]:
    """The selected ids in selection order: the k-th is the canonical pool's k-th pick."""
    canonical = canonical_pool(pool)
    return tuple(canonical[p - 1] for p in sample(seed, len(canonical), count))


def count_from_ratio(pool_size: int, ratio: Decimal) -> int:
    """How many to draw for a ratio (抽查比例): ``pool_size * ratio`` rounded half up.

    At least 1 when the pool is non-empty and the ratio is above 0, because a positive ratio
    means the plan wants the pool checked at all; 0 only for an empty pool or a zero ratio.
    The ratio must be a Decimal in [0, 1]: a float such as 0.1 is not exactly a tenth, and the
    published count must be reproducible by hand.
    """
    _check_int("pool_size", pool_size)
    if not isinstance(ratio, Decimal) or not ratio.is_finite() or not 0 <= ratio <= 1:
        raise DrawInputError("ratio", "ratio_invalid", f"抽查比例必须是0到1之间的小数：{ratio!r}")
    count = int((pool_size * ratio).to_integral_value(rounding=ROUND_HALF_UP))
    if pool_size > 0 and ratio > 0:
        count = max(count, 1)
    return count


# --- Weighted pools ----------------------------------------------------------------------

_WEIGHT_RE = re.compile(r"[1-9][0-9]{0,17}")


def canonical_weighted_pool(
    weights: Mapping[str, int], *, field: str = "pool"
) -> tuple[tuple[str, int], ...]:
    """(id, weight) in canonical id order; every weight a positive int (never 0: everybody
    in the pool can be drawn)."""
    ids = canonical_pool(weights, field=field)
    for i in ids:
        w = weights[i]
        if not isinstance(w, int) or isinstance(w, bool) or w < 1 or w >= 10**18:
            raise DrawInputError(field, "weight_invalid", f"权重必须是正整数：{i} {w!r}")
    return tuple((i, weights[i]) for i in ids)


def weighted_lines(entries: Iterable[tuple[str, int]]) -> Iterator[str]:
    """The weighted pool file's lines, in the order given (already canonical)."""
    for value, weight in entries:
        yield f"{value}\t{weight}\n"


def weighted_pool_text(weights: Mapping[str, int]) -> str:
    return "".join(weighted_lines(canonical_weighted_pool(weights)))


def weighted_pool_sha256(weights: Mapping[str, int]) -> str:
    return hashlib.sha256(weighted_pool_text(weights).encode("utf-8")).hexdigest()


def parse_weighted_pool_file(text: str) -> tuple[tuple[str, int], ...]:
    """Read a published weighted pool file, strictly (``weighted_pool_text`` of the result
    is ``text``); errors name the 1-based line."""
    if text == "":
        return ()
    lines = text.split("\n")
    if lines[-1] != "":
        raise PoolFileError(len(lines), "missing_final_newline", "最后一行必须以换行符（\\n）结尾")
    out: list[tuple[str, int]] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(lines[:-1], start=1):
        value, tab, weight = line.partition("\t")
        if not tab or not _WEIGHT_RE.fullmatch(weight):
            raise PoolFileError(
                number, "weight_invalid", f"每行应为“编号<TAB>正整数权重”：{line!r}"
            )
        problem = _id_problem(value)
        if problem:
            raise PoolFileError(number, *problem)
        if value in first_line:
            raise PoolFileError(
                number, "duplicate_id", f"编号重复：{value}（首次出现在第{first_line[value]}行）"
            )
        if out and value < out[-1][0]:
            raise PoolFileError(
                number,
                "not_canonical_order",
                f"编号未按规范顺序排列：{value} 应排在 {out[-1][0]} 之前",
            )
        first_line[value] = number
        out.append((value, int(weight)))
    return tuple(out)


class PoolWriter:
    """A pool file written line by line, in canonical order, hashed as it is written (an
    incremental SHA-256): the freeze streams a territory without holding it twice. Its text
    equals ``pool_text`` (or ``weighted_pool_text``) of the same ids; an id out of order, a
    repeated one or one a pool file cannot hold is refused like ``canonical_pool`` does."""

    def __init__(self, *, weighted: bool = False) -> None:
        self.weighted = weighted
        self.size = 0
        self._last: str | None = None
        self._hash = hashlib.sha256()
        self._text = io.StringIO()

    def add(self, value: str, weight: int | None = None) -> None:
        problem = _id_problem(value)
        if problem:
            raise DrawInputError("pool", *problem)
        if self._last is not None and value <= self._last:
            code = "duplicate_id" if value == self._last else "not_canonical_order"
            raise DrawInputError("pool", code, f"编号重复或未按规范顺序：{value}")
        if self.weighted:
            if not isinstance(weight, int) or isinstance(weight, bool) or weight < 1:
                raise DrawInputError("pool", "weight_invalid", f"权重必须是正整数：{value}")
            line = f"{value}\t{weight}\n"
        else:
            line = f"{value}\n"
        self._hash.update(line.encode("utf-8"))
        self._text.write(line)
        self._last = value
        self.size += 1

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def text(self) -> str:
        return self._text.getvalue()


def weighted_picks(seed: str, weights: Sequence[int]) -> Iterator[int]:
    """Distinct 1-based positions, each pick proportional to weight among those not yet
    picked (see the module text); with all weights 1 the same positions as ``picks``."""
    for w in weights:
        _check_int("weight", w, minimum=1)
    ends = list(accumulate(weights))  # running totals: entry k covers [ends[k-1], ends[k])
    total = ends[-1] if ends else 0
    seen: set[int] = set()
    i = 0
    while len(seen) < len(ends):
        i += 1
        digest = hashlib.sha256(f"{seed},{i}".encode()).digest()
        position = bisect_right(ends, int.from_bytes(digest, "big") % total) + 1
        if position not in seen:
            seen.add(position)
            yield position


def select_weighted(seed: str, entries: Sequence[tuple[str, int]], count: int) -> tuple[str, ...]:
    """The selected ids in selection order from a weighted pool ((id, weight) pairs)."""
    validate_seed(seed)
    canonical = canonical_weighted_pool(dict(entries))
    if len(canonical) != len(entries):
        raise DrawInputError("pool", "duplicate_id", "编号重复")
    _check_int("count", count)
    if count > len(canonical):
        raise DrawInputError(
            "count", "count_exceeds_pool", f"抽取数量（{count}）超过库中数量（{len(canonical)}）"
        )
    positions = weighted_picks(seed, [w for _i, w in canonical])
    return tuple(canonical[next(positions) - 1][0] for _ in range(count))


def is_weighted_pool_file(text: str) -> bool:
    """A weighted pool file carries a TAB on its first line (ids never hold one)."""
    return "\t" in text.split("\n", 1)[0]


def pool_file_sha256(text: str) -> str:
    """The SHA-256 of a pool file (either form) after checking that it is in published form."""
    if is_weighted_pool_file(text):
        parse_weighted_pool_file(text)
    else:
        parse_pool_file(text)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def verify(pool_ids: Sequence[str], seed: str, count: int) -> tuple[str, ...]:
    """For the public verifier: the same selection as the draw, from the published pool."""
    return select(seed, pool_ids, count)


def verify_pool_file(text: str, seed: str, count: int) -> tuple[str, ...]:
    """For ``fairinspect draw-verify --pool FILE --seed SEED --count N``: either form of the
    published file (weighted when its lines carry a TAB and a weight)."""
    if is_weighted_pool_file(text):
        return select_weighted(seed, parse_weighted_pool_file(text), count)
    return select(seed, parse_pool_file(text), count)


# --- Exclusion before freezing ------------------------------------------------------------


@dataclass(frozen=True)
class Exclusion:
    id: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class PoolResult:
    included: tuple[str, ...]  # canonical order; this is what gets published
    excluded: tuple[Exclusion, ...]  # canonical order, every entry with at least one reason
    sha256: str
    # A weighted pool: the weight of each included id, same order; () when unweighted.
    weights: tuple[int, ...] = ()


@dataclass(frozen=True)
class EnterpriseCandidate:
    id: str
    at_cap: bool
    supervising_level: str | None  # e.g. the registry's level value; None if not assigned
    visited_items_this_year: frozenset[str] = frozenset()
    # R10.4: its self-inspection report for the year stands in for routine planned visits.
    self_inspecting: bool = False
    # Its weight in a task weighted by risk ranking (rules.monitoring.draw_weight); it never
    # decides whether the enterprise is in the pool.
    weight: int = 1


def enterprise_reasons(
    c: EnterpriseCandidate, *, items: frozenset[str], inspecting_level: str
) -> tuple[Reason, ...]:
    """Why one candidate is kept out of the pool (empty: it is in). The one rule, used by
    ``build_enterprise_pool`` and by the freeze that streams the territory in id order."""
    reasons: list[Reason] = []
    if c.at_cap:
        reasons.append(_reason(Code.AT_CAP))
    if c.supervising_level is None:
        reasons.append(_reason(Code.LEVEL_MISSING))
    elif c.supervising_level != inspecting_level:
        reasons.append(_reason(Code.OTHER_LEVEL))
    if repeated := sorted(items & c.visited_items_this_year):
        reasons.append(_reason(Code.ALREADY_INSPECTED, items="、".join(repeated)))
    if c.self_inspecting:
        reasons.append(_reason(Code.SELF_INSPECTING))
    return tuple(reasons)


def build_enterprise_pool(
    candidates: Iterable[EnterpriseCandidate],
    *,
    items: Iterable[str],
    inspecting_level: str,
    weighted: bool = False,
) -> PoolResult:
    """Split candidates into the pool and the excluded, each exclusion with all its reasons.

    Excluded: at their cap; supervised by another level (R5.3, one enterprise one level) or by
    no recorded level, since then R5.3 cannot be shown to hold; already inspected this year
    for any of ``items`` (R5.4).
    """
    wanted = frozenset(items)
    if not wanted:
        raise DrawInputError("items", "items_empty", "必须指定抽查事项")
    if not inspecting_level:
        raise DrawInputError("inspecting_level", "level_missing", "必须指定本次抽取的执法层级")
    candidates = tuple(candidates)
    canonical_pool((c.id for c in candidates), field="candidates")  # ids usable and unique
    included: list[str] = []
    excluded: list[Exclusion] = []
    for c in candidates:
        reasons = enterprise_reasons(c, items=wanted, inspecting_level=inspecting_level)
        if reasons:
            excluded.append(Exclusion(c.id, tuple(reasons)))
        else:
            included.append(c.id)
    pool = canonical_pool(included)
    if not weighted:
        return PoolResult(pool, _by_id(excluded), pool_sha256(pool))
    by_id = {c.id: c.weight for c in candidates}
    weights = {i: by_id[i] for i in pool}
    return PoolResult(
        pool, _by_id(excluded), weighted_pool_sha256(weights), tuple(weights[i] for i in pool)
    )


def _by_id(excluded: list[Exclusion]) -> tuple[Exclusion, ...]:
    return tuple(sorted(excluded, key=lambda e: e.id))


@dataclass(frozen=True)
class Conflict:
    enterprise_id: str
    kind: ConflictKind


@dataclass(frozen=True)
class OfficerCandidate:
    id: str  # certificate number or officer id
    on_duty: bool  # 在岗; any other status (离岗, 离职, 退休, 暂扣/注销) is False
    certificate_valid_from: date | None  # None: no enforcement certificate (执法证)
    certificate_valid_to: date | None  # inclusive
    certificate_scopes: frozenset[str] = frozenset()
    conflicts: frozenset[Conflict] = frozenset()
    last_inspected: frozenset[str] = frozenset()  # enterprises it inspected last time, same items


@dataclass(frozen=True)
class OfficerPoolResult(PoolResult):
    # The included candidates themselves, canonical order, ready for pair_officers/run_draw:
    # pairing needs their conflicts, which the published id list does not carry.
    officers: tuple[OfficerCandidate, ...] = ()


def build_officer_pool(
    candidates: Iterable[OfficerCandidate], *, required_scopes: Iterable[str], on_date: date
) -> OfficerPoolResult:
    """Keep officers on duty whose certificate is valid on ``on_date`` and covers every scope.

    Conflicts are not applied here: they concern one enterprise each and are applied when
    officers are paired with the drawn enterprises (R1.1, R9.2).
    """
    required = frozenset(required_scopes)
    if not required:
        raise DrawInputError("required_scopes", "scopes_empty", "必须指定抽查事项所属的执法领域")
    candidates = tuple(candidates)
    canonical_pool((c.id for c in candidates), field="candidates")  # ids usable and unique
    kept: dict[str, OfficerCandidate] = {}
    excluded: list[Exclusion] = []
    for c in candidates:
        reasons: list[Reason] = []
        start, end = c.certificate_valid_from, c.certificate_valid_to
        if start is None or end is None:
            reasons.append(_reason(Code.NO_CERTIFICATE))
        elif on_date < start:
            reasons.append(_reason(Code.CERTIFICATE_NOT_YET_VALID, date=_cn_date(start)))
        elif on_date > end:
            reasons.append(_reason(Code.CERTIFICATE_EXPIRED, date=_cn_date(end)))
        if missing := sorted(required - c.certificate_scopes):
            reasons.append(_reason(Code.SCOPE_NOT_COVERED, scopes="、".join(missing)))
        if not c.on_duty:
            reasons.append(_reason(Code.OFF_POST))
        if reasons:
            excluded.append(Exclusion(c.id, tuple(reasons)))
        else:
            kept[c.id] = c
    pool = canonical_pool(kept)
    return OfficerPoolResult(
        pool, _by_id(excluded), pool_sha256(pool), officers=tuple(kept[i] for i in pool)
    )


# --- Pairing officers with drawn enterprises ----------------------------------------------


class Skip(NamedTuple):
    """An officer passed over for one enterprise; a tuple so it reads as (officer_id, reason)."""

    officer_id: str
    reason: Reason


@dataclass(frozen=True)
class Pairing:
    enterprise_id: str
    officer_ids: tuple[str, ...]  # pick order; empty when unpaired
    skipped: tuple[Skip, ...] = ()
    unpaired_reason: Reason | None = None

    @property
    def paired(self) -> bool:
        return self.unpaired_reason is None


def _conflict_reason(officer: OfficerCandidate, enterprise_id: str) -> Reason | None:
    # A stable order (declared, former employer, relative) so the published reason is the same
    # whichever order the conflicts were recorded in.
    kinds = {c.kind for c in officer.conflicts if c.enterprise_id == enterprise_id}
    for kind in ConflictKind:
        if kind in kinds:
            return _reason(Code(kind.value))
    if enterprise_id in officer.last_inspected:
        return _reason(Code.LAST_INSPECTOR)
    return None


def pair_officers(
    seed: str,
    selected_enterprises: Sequence[str],
    officer_pool: Sequence[OfficerCandidate],
    officers_per_visit: int = 2,
    max_visits_per_officer: int | None = None,
) -> tuple[Pairing, ...]:
    """Draw officers for each enterprise, in selection order, from the (certified) officer pool.

    For each enterprise, walk ``picks(officer_seed(seed, id), len(pool))`` over the pool in
    canonical id order, skipping officers in conflict with it and officers who already have
    ``max_visits_per_officer`` visits in this draw, until ``officers_per_visit`` are found.
    Loads count in selection order, so earlier enterprises get first call. An exhausted pool
    gives an unpaired entry with a reason (the office then decides), never an exception, and
    its officers are not charged any load.
    """
    validate_seed(seed)
    # Only for its checks (a list, usable ids, no duplicates): selection order is kept.
    canonical_pool(selected_enterprises, field="selected_enterprises")
    # Two officers per visit is the law's floor (R1.1), so fewer is refused, not clamped.
    per_visit = _check_int("officers_per_visit", officers_per_visit, minimum=2)
    if max_visits_per_officer is not None:
        _check_int("max_visits_per_officer", max_visits_per_officer, minimum=1)
    by_id = {o.id: o for o in officer_pool}
    officers = tuple(
        by_id[i] for i in canonical_pool((o.id for o in officer_pool), field="officer_pool")
    )
    load: dict[str, int] = {}
    return tuple(
        _pair_one(seed, e, officers, per_visit, max_visits_per_officer, load)
        for e in selected_enterprises
    )


def _pair_one(
    seed: str,
    enterprise_id: str,
    officers: tuple[OfficerCandidate, ...],
    per_visit: int,
    max_load: int | None,
    load: dict[str, int],
) -> Pairing:
    """One enterprise's officers; updates ``load`` only when the visit is fully staffed."""
    chosen: list[str] = []
    skipped: list[Skip] = []
    for position in picks(officer_seed(seed, enterprise_id), len(officers)):
        officer = officers[position - 1]
        reason = _conflict_reason(officer, enterprise_id)
        if reason is None and max_load is not None and load.get(officer.id, 0) >= max_load:
            reason = _reason(Code.MAX_LOAD_REACHED, limit=max_load)
        if reason is not None:
            skipped.append(Skip(officer.id, reason))
            continue
        chosen.append(officer.id)
        if len(chosen) == per_visit:
            for officer_id in chosen:
                load[officer_id] = load.get(officer_id, 0) + 1
            return Pairing(enterprise_id, tuple(chosen), tuple(skipped))
    # Officers found so far are released: a half-staffed visit cannot go ahead (R1.1).
    exhausted = _reason(Code.OFFICERS_EXHAUSTED, needed=per_visit, found=len(chosen))
    return Pairing(enterprise_id, (), tuple(skipped), exhausted)


# --- The whole draw -----------------------------------------------------------------------


@dataclass(frozen=True)
class DrawResult:
    seed: str
    enterprise_pool_sha256: str
    officer_pool_sha256: str
    selected: tuple[str, ...]  # selection order
    pairings: tuple[Pairing, ...]


def run_draw(
    *,
    seed: str,
    enterprise_pool: Sequence[str],
    officer_pool: Sequence[OfficerCandidate],
    count: int,
    officers_per_visit: int = 2,
    max_visits_per_officer: int | None = None,
    enterprise_weights: Mapping[str, int] | None = None,
) -> DrawResult:
    """The complete, deterministic draw from frozen pools and a public seed.

    ``enterprise_pool`` is ``build_enterprise_pool(...).included`` and ``officer_pool`` is
    ``build_officer_pool(...).officers``; both are canonicalised again here, so the result
    does not depend on the order they arrive in. ``enterprise_weights`` ({id: weight} for
    every pool id) makes it the weighted draw over the weighted pool file.
    """
    if enterprise_weights is None:
        selected = select(seed, enterprise_pool, count)
        ent_sha = pool_sha256(enterprise_pool)
    else:
        weights = {i: enterprise_weights[i] for i in enterprise_pool}
        selected = select_weighted(seed, canonical_weighted_pool(weights), count)
        ent_sha = weighted_pool_sha256(weights)
    return DrawResult(
        seed=seed,
        enterprise_pool_sha256=ent_sha,
        officer_pool_sha256=pool_sha256(o.id for o in officer_pool),
        selected=selected,
        pairings=pair_officers(
            seed, selected, officer_pool, officers_per_visit, max_visits_per_officer
        ),
    )


def lead_order(team: Sequence[int], arranger: int | None, *, drawn: bool) -> list[int]:
    """The team's officers with its lead first: a drawn team keeps its drawn order (the
    published result: the first drawn leads, whoever publishes it); a team an officer names
    is led by that officer when they are on it."""
    if drawn or arranger is None:
        return list(team)
    return sorted(team, key=lambda o: o != arranger)
