"""The warning engine's configuration and its stateful parts, without Django.

The rule sets come from `data/warning_rules.json` (versioned, each with its source). Drift
detection uses river's PageHinkley detector, one per point, kept in a bounded LRU so the
long-running consumer's memory does not grow with time (only with the number of points, up
to `DriftBank.capacity`). A point whose detector was evicted starts a fresh one; it then needs
`min_instances` readings before it can signal again (documented in docs/decisions.md, monitoring).
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from river import drift

from fairinspect.rules.monitoring import Grade, Limits, Rule, RuleKind, RuleSet

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True, slots=True)
class DriftSettings:
    min_instances: int
    delta: float
    threshold: float
    alpha: float


@dataclass(frozen=True, slots=True)
class Config:
    version: str
    rule_sets: dict[str, RuleSet]
    kind_rule_set: dict[str, str]
    drift: DriftSettings
    clear_after_seconds: float

    def rules_for_kind(self, kind: str) -> RuleSet:
        return self.rule_sets[self.kind_rule_set[kind]]


def parse_config(raw: dict) -> Config:
    sets = {}
    for rs in raw["rule_sets"]:
        rules = tuple(
            Rule(
                RuleKind(r["kind"]),
                Grade.from_code(r["grade"]),
                float(r.get("seconds", 0)),
                str(r.get("over", "high")),
            )
            for r in rs["rules"]
        )
        sets[rs["code"]] = RuleSet(rs["code"], rs["version"], rs["source"], rules)
    d = raw["drift"]
    return Config(
        version=raw["version"],
        rule_sets=sets,
        kind_rule_set=dict(raw["kind_rule_set"]),
        drift=DriftSettings(
            int(d["min_instances"]), float(d["delta"]), float(d["threshold"]), float(d["alpha"])
        ),
        clear_after_seconds=float(raw["clear_after_seconds"]),
    )


@cache
def config() -> Config:
    return parse_config(json.loads((DATA / "warning_rules.json").read_text(encoding="utf-8")))


def standardise(value: float, limits: Limits) -> float:
    """The reading on a unit-free scale: 0 at the middle of the normal band, ±1 at its
    edges (low..high, else the instrument's range), so one drift setting serves all units."""
    lo = limits.low if limits.low is not None else limits.range_low
    hi = limits.high if limits.high is not None else limits.range_high
    if lo is None or hi is None or hi <= lo:
        return value
    mid = (hi + lo) / 2
    return (value - mid) / ((hi - lo) / 2)


class DriftBank:
    """One PageHinkley detector per point, least recently used evicted past `capacity`."""

    def __init__(self, settings: DriftSettings, capacity: int = 50_000):
        self.settings = settings
        self.capacity = capacity
        self._detectors: OrderedDict[int, drift.PageHinkley] = OrderedDict()

    def __len__(self) -> int:
        return len(self._detectors)

    def _detector(self, key: int) -> drift.PageHinkley:
        det = self._detectors.get(key)
        if det is None:
            s = self.settings
            det = drift.PageHinkley(
                min_instances=s.min_instances, delta=s.delta, threshold=s.threshold, alpha=s.alpha
            )
            self._detectors[key] = det
            if len(self._detectors) > self.capacity:
                self._detectors.popitem(last=False)
        else:
            self._detectors.move_to_end(key)
        return det

    def update(self, key: int, x: float) -> bool:
        """Feed one standardised reading; True when the detector signals a drift."""
        det = self._detector(key)
        det.update(x)
        return bool(det.drift_detected)


_BANK: DriftBank | None = None


def drift_bank() -> DriftBank:
    """The process's detectors (the consumer's, or a web worker's for HTTP batches)."""
    global _BANK
    if _BANK is None:
        _BANK = DriftBank(config().drift)
    return _BANK


@dataclass(frozen=True, slots=True)
class PointConfig:
    """What ingestion needs of a point's configuration (not its state, which is locked and
    read per batch): cached per enterprise so a batch costs no query for it."""

    id: int
    enterprise_id: int
    code: str
    kind: str
    limits: Limits


class PointCache:
    """Each enterprise's active points by code, for `ttl` seconds. A configuration change
    made in this process clears it (services.points); another process's change is seen
    within `ttl`. Bounded: at most `capacity` enterprises, least recently used evicted."""

    def __init__(self, ttl: float = 30.0, capacity: int = 20_000):
        self.ttl = ttl
        self.capacity = capacity
        self._items: OrderedDict[int, tuple[float, dict[str, PointConfig]]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        self._items.clear()

    def get(self, enterprise_id: int, loader) -> dict[str, PointConfig]:
        now = time.monotonic()
        hit = self._items.get(enterprise_id)
        if hit is not None and now - hit[0] < self.ttl:
            self._items.move_to_end(enterprise_id)
            return hit[1]
        points = loader(enterprise_id)
        self._items[enterprise_id] = (now, points)
        self._items.move_to_end(enterprise_id)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)
        return points


_POINTS: PointCache | None = None


def point_cache() -> PointCache:
    global _POINTS
    if _POINTS is None:
        _POINTS = PointCache()
    return _POINTS
