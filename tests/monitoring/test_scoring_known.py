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
    normal_rows = N - 400 - (END - START)
    assert big["normal_rows_alarmed"] == round((off - 1) / normal_rows, 4)

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
        assert base["normal_rows_alarmed"] == round(len(SPIKES) / normal_rows, 4)

    overall = result["overall"]["engine"]
    assert overall["events"] == 2 and overall["events_detected"] == 2
    assert overall["false_alarms"] == 0
    assert overall["mean_detection_delay_s"] == pytest.approx((delay_big + on) / 2, abs=0.05)


def test_r4_3_cross_validation_keeps_the_best_f1_within_the_false_alarm_ceiling():
    from fairinspect.monitoring import crossval

    def r(f1, fa, delay):
        return {"f1": f1, "false_alarms_per_hour": fa, "mean_detection_delay_s": delay}

    results = [
        ({"on": 1}, r(0.95, 40.0, 1.0)),  # best F1 but flapping: over the ceiling
        ({"on": 2}, r(0.80, 5.0, 30.0)),
        ({"on": 3}, r(0.80, 5.5, 12.0)),  # the same F1, detected sooner: kept
        ({"on": 4}, r(0.70, 1.0, 10.0)),
    ]
    assert crossval.choose(results)[0] == {"on": 3}
    # nothing within the ceiling: the fewest false alarms
    assert crossval.choose([results[0], ({"on": 5}, r(0.5, 9.0, 1.0))])[0] == {"on": 5}


def test_r4_3_a_cross_validation_candidate_changes_only_the_delays_and_the_bypass():
    from fairinspect.monitoring import crossval

    base = load_settings()
    c = crossval.candidate(base, 15, 5, None)
    assert on_delay_seconds(c) == 15 and c["off_delay_seconds"] == 5
    assert c["alarm_rules"] == ["time_above"] and c["deviation_high_high"] is None
    assert c["deviation_high"] == base["deviation_high"] == 3.0
    assert on_delay_seconds(base) == 2  # the shipped value is untouched


def test_r4_3_cross_validation_reports_both_directions_on_two_folders(tmp_path):
    from fairinspect.monitoring import crossval

    for name, step in (("a", 10.0), ("b", 4.5)):
        (tmp_path / name).mkdir()
        _series(tmp_path / name / "0.csv", step)
    out = crossval.cross_validate(str(tmp_path / "a"), str(tmp_path / "b"))
    assert [(d["decided_on"][-1], d["reported_on"][-1]) for d in out["directions"]] == [
        ("a", "b"),
        ("b", "a"),
    ]
    for d in out["directions"]:
        assert d["chosen"]["on_delay_seconds"] in crossval.GRID["on_delay_seconds"]
        assert d["engine_on_reported_folder"]["false_alarms"] == 0
        assert d["baseline_on_reported_folder"]["false_alarms"] == len(SPIKES)
    # on the small step (between the limits) the shortest on-delay detects soonest
    assert out["directions"][1]["chosen"]["on_delay_seconds"] == 2
    assert len(out["table"]) == 5 * 4 * 2
