"""`fairinspect monitor-score` (R4.3) on synthetic labelled series whose answer is known
exactly: two sensors alternating ±1 around their levels (so the learned band is the level
± 1 standard deviation), single-reading spikes of 3.5-5.5σ on normal rows, and a labelled
step of 200 s. The expected figures follow from the shipped configuration
(data/learned_limits.json): the on-delay, the high-high bypass and the off-delay."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from fairinspect.monitoring.scoring import load_settings, on_delay_seconds

T0 = dt.datetime(2026, 6, 18, 8, 0)
N, START, END = 1200, 600, 800  # rows; the step covers rows START..END-1
SPIKES = (450, 500, 550)


def _series(path, step: float) -> None:
    lines = ["datetime;Pressure;Temperature;anomaly;changepoint"]
    for i in range(N):
        wiggle = 1.0 if i % 2 else -1.0
        p = 10.0 + wiggle + (step if START <= i < END else 0.0)
        t = 60.0 + wiggle + (4.5 if i in SPIKES else 0.0)
        a = 1 if START <= i < END else 0
        lines.append(
            f"{(T0 + dt.timedelta(seconds=i)).isoformat(sep=' ')};{p};{t};{a}.0;{int(i in (START, END))}.0"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _score(*paths) -> dict:
    out = io.StringIO()
    call_command("monitor_score", *map(str, paths), stdout=out)
    return json.loads(out.getvalue())


def _f1(tp: int, fp: int, fn: int) -> float:
    p, r = tp / (tp + fp), tp / (tp + fn)
    return round(2 * p * r / (p + r), 4)


def test_r4_3_monitor_score_gives_the_known_answer_on_a_synthetic_step_and_spikes(tmp_path):
    settings = load_settings()
    on = on_delay_seconds(settings)
    off = settings["off_delay_seconds"]
    hh = settings.get("deviation_high_high")
    assert on is not None and off >= 1
    _series(tmp_path / "big.csv", 10.0)  # deviations 9 and 11: above high-high
    _series(tmp_path / "small.csv", 4.5)  # deviations 3.5 and 5.5: above high only
    result = _score(tmp_path / "big.csv", tmp_path / "small.csv")
    big, small = (i["engine"] for i in result["inputs"])
    normal_hours = (N - 400 - (END - START)) / 3600

    # the big step: at once when there is a high-high bypass, else after the on-delay
    delay_big = 0 if hh is not None and hh < 9 else on
    assert big["mean_detection_delay_s"] == delay_big
    assert (big["events"], big["events_detected"], big["false_alarms"]) == (1, 1, 0)
    # the alarm stays on for the off-delay after the step: off - 1 normal rows alarmed
    assert big["f1"] == _f1(200 - delay_big, off - 1, delay_big)
    assert big["false_alarms_per_hour"] == 0

    # the small step: only the time-above rule, so the delay is the on-delay
    assert small["mean_detection_delay_s"] == on
    assert small["f1"] == _f1(200 - int(on), off - 1, int(on))

    # the baseline alarms on every reading outside mean ± 3σ: the step and each spike
    for inp in result["inputs"]:
        base = inp["baseline"]
        assert base["false_alarms"] == len(SPIKES)
        assert base["false_alarms_per_hour"] == pytest.approx(len(SPIKES) / normal_hours, abs=0.01)
        assert base["f1"] == _f1(200, len(SPIKES), 0)
        assert base["mean_detection_delay_s"] == 0

    overall = result["overall"]["engine"]
    assert overall["events"] == 2 and overall["events_detected"] == 2
    assert overall["false_alarms"] == 0
    assert overall["mean_detection_delay_s"] == pytest.approx((delay_big + on) / 2, abs=0.05)
