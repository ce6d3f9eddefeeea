"""Choosing the learned-limits mode's delays by cross-validation across folders of labelled
series, so they are not tuned to the files they are scored on:

    python -m fairinspect.monitoring.crossval DIR_A DIR_B

For each direction (decide on A, report on B, and the reverse) every candidate of
`GRID` is scored on the deciding folder; the one kept is the best point-wise F1 among those
whose false alarms per hour stay within `MAX_FALSE_ALARMS_PER_HOUR` (ties: the shorter mean
detection delay), and it is reported on the other folder beside the baseline. The same rule on
both folders together gives the shipped values (data/learned_limits.json). The 3-sigma band
is not a candidate: it is the baseline's own limit, so the comparison isolates the delays.
Prints one JSON object. No Django.
"""

from __future__ import annotations

import copy
import itertools
import json
import sys

from .scoring import (
    Counts,
    baseline_alarms,
    count,
    engine_alarms,
    expand,
    load_settings,
    read_series,
)

# Candidates (seconds): on-delays and off-delays from the range that alarm-management
# practice recommends for flow, pressure and temperature signals (ISA-18.2 / EEMUA 191,
# a few seconds to a minute), and the high-high bypass (an alarm at once at twice the limit)
# or none.
GRID: dict[str, tuple[float | None, ...]] = {
    "on_delay_seconds": (2, 5, 10, 15, 30),
    "off_delay_seconds": (5, 15, 30, 60),
    "deviation_high_high": (6.0, None),
}
# EEMUA 191: about one alarm per 10 minutes per operator in steady operation is "very
# likely to be acceptable" (ISA-18.2 gives the same order, ~6 an hour).
MAX_FALSE_ALARMS_PER_HOUR = 6.0


def candidate(base: dict, on: float | None, off: float | None, hh: float | None) -> dict:
    if on is None or off is None:
        raise ValueError("an on-delay and an off-delay are needed")
    s = copy.deepcopy(base)
    for r in s["rule_set"]["rules"]:
        if r["kind"] == "time_above":
            r["seconds"] = on
    s["off_delay_seconds"] = off
    s["deviation_high_high"] = hh
    s["alarm_rules"] = ["time_above", "high_high"] if hh is not None else ["time_above"]
    return s


def _counts(series: list, settings: dict, which: str = "engine") -> Counts:
    total = Counts()
    for s in series:
        alarms, n = (engine_alarms if which == "engine" else baseline_alarms)(s, settings)
        total.add(count(s, alarms, n))
    return total


def choose(results: list[tuple[dict, dict]]) -> tuple[dict, dict]:
    ok = [r for r in results if (r[1]["false_alarms_per_hour"] or 0) <= MAX_FALSE_ALARMS_PER_HOUR]
    if not ok:
        return min(results, key=lambda r: r[1]["false_alarms_per_hour"] or 0)
    return max(ok, key=lambda r: (r[1]["f1"], -(r[1]["mean_detection_delay_s"] or 1e9)))


def cross_validate(folder_a: str, folder_b: str) -> dict:
    base = load_settings()
    data = {f: [read_series(p) for p in expand([f])] for f in (folder_a, folder_b)}
    grid = [dict(zip(GRID, values, strict=True)) for values in itertools.product(*GRID.values())]
    table: dict[str, list[tuple[dict, dict]]] = {f: [] for f in data}
    both: list[tuple[dict, dict]] = []
    for params in grid:
        settings = candidate(
            base,
            params["on_delay_seconds"],
            params["off_delay_seconds"],
            params["deviation_high_high"],
        )
        pooled = Counts()
        for f, series in data.items():
            c = _counts(series, settings)
            pooled.add(c)
            table[f].append((params, c.report()))
        both.append((params, pooled.report()))
    out: dict = {
        "criterion": f"best point-wise F1 with at most {MAX_FALSE_ALARMS_PER_HOUR} false alarms/h on the deciding folder; ties: shorter mean delay",
        "grid": {k: list(v) for k, v in GRID.items()},
        "directions": [],
    }
    for decide, report in ((folder_a, folder_b), (folder_b, folder_a)):
        params, on_decide = choose(table[decide])
        on_report = next(r for p, r in table[report] if p == params)
        out["directions"].append(
            {
                "decided_on": decide,
                "reported_on": report,
                "chosen": params,
                "engine_on_deciding_folder": on_decide,
                "engine_on_reported_folder": on_report,
                "baseline_on_reported_folder": _counts(data[report], base, "baseline").report(),
            }
        )
    kept, on_both = choose(both)
    out["both_folders"] = {"chosen": kept, "engine": on_both}
    out["table"] = [
        {"params": p, **{f: r for f, r in ((f, table[f][i][1]) for f in data)}}
        for i, (p, _r) in enumerate(table[folder_a])
    ]
    return out


if __name__ == "__main__":  # pragma: no cover - a command-line entry
    print(json.dumps(cross_validate(sys.argv[1], sys.argv[2]), ensure_ascii=False, indent=1))
