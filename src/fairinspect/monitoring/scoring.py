"""Scoring the warning engine on recorded, labelled series (`fairinspect monitor-score`).

Input: files in the SKAB layout — `;`-separated, a `datetime` column, one column per sensor,
labels `anomaly` and `changepoint` when present. Each file is replayed through the engine in
its learned-limits mode (data/learned_limits.json): the file's sensors are one group; each
reading becomes the group's largest deviation from the band learned on the first
`learn_seconds` (`rules.group_deviation`), judged by the ordinary rules of `rules.monitoring`
as one point (time above the high limit = the on-delay; high-high at once), and one alarm
(`rules.latch`) clears after the off-delay. A row counts as "alarmed" while that alarm is
raised. The delays were chosen by cross-validation across folders (`monitoring.crossval`).

Scoring (both are reported; rows of the learning window are left out of every count):
- point-wise: every row is a prediction (alarmed or not) of its `anomaly` label; precision,
  recall and F1 over rows.
- event-wise: an event is a maximal run of rows labelled anomalous. It is detected when an
  alarmed row falls inside it; its detection delay is the time from its first row to that
  alarmed row. A false alarm is the onset of an alarm (a row alarmed after one that was
  not) on a row labelled normal; false alarms per hour divide by the hours of normal rows.
  Mean and median detection delays are over the detected events; `normal_rows_alarmed` is
  the share of normal rows in alarm (a standing alarm is one false alarm, however long).
Overall figures pool the rows, events and hours of every file (micro-average).

The baseline is a fixed threshold: mean ± 3 standard deviations of the same learning window,
an alarm on every reading outside, no on- or off-delay.

No Django here: the command and the benchmark call it directly.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from fairinspect.rules import monitoring as rules

from .engine import DATA

LABELS = ("anomaly", "changepoint")


@dataclass(frozen=True)
class Series:
    name: str
    at: list[datetime]
    sensors: list[str]
    values: np.ndarray  # rows × sensors
    anomaly: np.ndarray | None  # bool per row
    changepoints: int


def load_settings() -> dict:
    return json.loads((DATA / "learned_limits.json").read_text(encoding="utf-8"))


def read_series(path: Path) -> Series:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter=";")
        header = next(reader)
        rows = [r for r in reader if r]
    if "datetime" not in header:
        raise ValueError(f"{path}: no datetime column")
    t = header.index("datetime")
    sensor_cols = [i for i, h in enumerate(header) if h not in ("datetime", *LABELS)]
    at = [datetime.fromisoformat(r[t]) for r in rows]
    values = np.array([[float(r[i]) for i in sensor_cols] for r in rows], dtype=float)
    anomaly = None
    if "anomaly" in header:
        a = header.index("anomaly")
        anomaly = np.array([float(r[a]) > 0 for r in rows], dtype=bool)
    cps = 0
    if "changepoint" in header:
        c = header.index("changepoint")
        cps = sum(1 for r in rows if float(r[c]) > 0)
    return Series(str(path), at, [header[i] for i in sensor_cols], values, anomaly, cps)


def expand(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(p.glob("*.csv"), key=lambda q: (len(q.stem), q.stem))
        elif p.is_file():
            out.append(p)
        else:
            raise FileNotFoundError(str(p))
    return out


def _learn_window(s: Series, learn_seconds: float) -> int:
    start = s.at[0]
    n = 0
    while n < len(s.at) and (s.at[n] - start).total_seconds() < learn_seconds:
        n += 1
    return n


def learned_rule_set(settings: dict) -> rules.RuleSet:
    rs = settings["rule_set"]
    return rules.RuleSet(
        rs["code"],
        rs["version"],
        rs["source"],
        tuple(
            rules.Rule(
                rules.RuleKind(r["kind"]),
                rules.Grade.from_code(r["grade"]),
                float(r.get("seconds", 0)),
            )
            for r in rs["rules"]
        ),
    )


def engine_alarms(s: Series, settings: dict) -> tuple[np.ndarray, int]:
    """Replay the series through the engine; returns alarmed-per-row and the window length.

    The sensors of one file are one group (one pump): each reading of the group becomes its
    largest deviation from the band learned on the window (`rules.group_deviation`), which
    the ordinary rules judge as one point — time above the high limit (the on-delay),
    high-high at once — and one alarm latch clears it after the off-delay."""
    n_learn = _learn_window(s, settings["learn_seconds"])
    band = rules.learn_band(s.values[: max(n_learn, 1)].tolist())
    rule_set = learned_rule_set(settings)
    hh = settings.get("deviation_high_high")
    limits = rules.Limits(high=settings["deviation_high"], high_high=hh)
    alarm_kinds = {rules.RuleKind(k) for k in settings["alarm_rules"]}
    off_delay = float(settings["off_delay_seconds"])
    alarmed = np.zeros(len(s.at), dtype=bool)
    state = rules.PointState()
    alarm = rules.Latch()
    for i, (at, row) in enumerate(zip(s.at, s.values.tolist(), strict=True)):
        dev = rules.group_deviation(row, band)
        ev = rules.evaluate_reading(
            rules=rule_set, limits=limits, state=state, at=at, value=dev.value
        )
        state = ev.state
        if i < n_learn:
            continue
        active = any(c.active for c in ev.conditions if c.kind in alarm_kinds)
        alarm = rules.latch(alarm, active=active, at=at, clear_after_seconds=off_delay)
        alarmed[i] = alarm.raised
    return alarmed, n_learn


def baseline_alarms(s: Series, settings: dict) -> tuple[np.ndarray, int]:
    n_learn = _learn_window(s, settings["learn_seconds"])
    window = s.values[:n_learn]
    mean, std = window.mean(axis=0), window.std(axis=0)
    k = settings["baseline"]["sigmas"]
    std = np.where(std > 0, std, np.maximum(np.abs(mean) * 1e-3, 1e-9))
    alarmed = (np.abs(s.values - mean) > k * std).any(axis=1)
    alarmed[:n_learn] = False
    return alarmed, n_learn


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    events: int = 0
    detected: int = 0
    delay_sum: float = 0.0
    delays: list[float] = field(default_factory=list)
    false_alarms: int = 0
    normal_seconds: float = 0.0

    def add(self, o: Counts) -> None:
        for f in self.__dataclass_fields__:
            setattr(self, f, getattr(self, f) + getattr(o, f))

    def report(self) -> dict:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        hours = self.normal_seconds / 3600
        return {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f1, 4),
            "events": self.events,
            "events_detected": self.detected,
            "event_recall": round(self.detected / self.events, 4) if self.events else None,
            "mean_detection_delay_s": round(self.delay_sum / self.detected, 1)
            if self.detected
            else None,
            "median_detection_delay_s": round(float(np.median(self.delays)), 1)
            if self.delays
            else None,
            "false_alarms": self.false_alarms,
            "false_alarms_per_hour": round(self.false_alarms / hours, 2) if hours else None,
            # a standing alarm is one onset however long it stays up: this shows it
            "normal_rows_alarmed": round(self.fp / (self.fp + self.tn), 4)
            if self.fp + self.tn
            else None,
        }


def count(s: Series, alarmed: np.ndarray, n_learn: int) -> Counts:
    c = Counts()
    labels = s.anomaly if s.anomaly is not None else np.zeros(len(alarmed), dtype=bool)
    sl = slice(n_learn, None)
    a, y = alarmed[sl], labels[sl]
    at = s.at[n_learn:]
    c.tp = int(np.sum(a & y))
    c.fp = int(np.sum(a & ~y))
    c.fn = int(np.sum(~a & y))
    c.tn = int(np.sum(~a & ~y))
    step = np.median(np.diff([t.timestamp() for t in s.at])) if len(s.at) > 1 else 1.0
    c.normal_seconds = float(np.sum(~y) * step)
    i = 0
    while i < len(y):
        if y[i]:
            j = i
            while j < len(y) and y[j]:
                j += 1
            c.events += 1
            hits = np.flatnonzero(a[i:j])
            if hits.size:
                c.detected += 1
                delay = (at[i + hits[0]] - at[i]).total_seconds()
                c.delay_sum += delay
                c.delays.append(delay)
            i = j
        else:
            i += 1
    onsets = np.flatnonzero(
        a & ~np.concatenate(([alarmed[n_learn - 1] if n_learn else False], a[:-1]))
    )
    c.false_alarms = int(np.sum(~y[onsets]))
    return c


def on_delay_seconds(settings: dict) -> float | None:
    rule = learned_rule_set(settings).rule(rules.RuleKind.TIME_ABOVE)
    return rule.seconds if rule else None


def score(paths: list[str], settings: dict | None = None) -> dict:
    settings = settings or load_settings()
    files = expand(paths)
    per_input = []
    total = {"engine": Counts(), "baseline": Counts()}
    for path in files:
        s = read_series(path)
        e, n = engine_alarms(s, settings)
        b, _n = baseline_alarms(s, settings)
        ce, cb = count(s, e, n), count(s, b, n)
        total["engine"].add(ce)
        total["baseline"].add(cb)
        per_input.append(
            {
                "input": str(path),
                "rows": len(s.at),
                "learning_rows": n,
                "sensors": len(s.sensors),
                "changepoints": s.changepoints,
                "engine": ce.report(),
                "baseline": cb.report(),
            }
        )
    return {
        "scoring": "point-wise precision/recall/F1 over rows after the learning window; event-wise detection, delay and false alarms (see docs/performance.md)",
        "configuration": {
            "learned_limits_version": settings["version"],
            "learn_seconds": settings["learn_seconds"],
            "deviation_high": settings["deviation_high"],
            "deviation_high_high": settings.get("deviation_high_high"),
            "on_delay_seconds": on_delay_seconds(settings),
            "off_delay_seconds": settings["off_delay_seconds"],
            "alarm_rules": settings["alarm_rules"],
            "baseline_sigmas": settings["baseline"]["sigmas"],
        },
        "inputs": per_input,
        "overall": {
            "files": len(files),
            "engine": total["engine"].report(),
            "baseline": total["baseline"].report(),
        },
    }
