"""`fairinspect monitor-score` (R4.3): the warning engine scored on labelled series in the
SKAB layout, beside a fixed-threshold baseline. SKAB (GPL) is read from ../shared, never
copied into the repository; the synthetic series are made here."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

SKAB = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "skab"


def _write(path: Path, values: np.ndarray, anomaly: np.ndarray) -> Path:
    t0 = dt.datetime(2026, 6, 18, 8, 0)
    lines = ["datetime;Pressure;Temperature;anomaly;changepoint"]
    prev = 0
    for i, (row, a) in enumerate(zip(values, anomaly, strict=True)):
        cp = 1 if a != prev else 0
        prev = a
        lines.append(
            f"{(t0 + dt.timedelta(seconds=i)).isoformat(sep=' ')};{row[0]:.5f};{row[1]:.5f};{float(a)};{float(cp)}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(*paths) -> dict:
    out = io.StringIO()
    call_command("monitor_score", *map(str, paths), stdout=out)
    return json.loads(out.getvalue())


def test_r4_3_a_step_after_the_learning_window_is_detected_within_seconds_without_false_alarms(
    tmp_path,
):
    rng = np.random.default_rng(7)
    n = 1200
    values = np.column_stack(
        [1.0 + 0.01 * rng.standard_normal(n), 60 + 0.2 * rng.standard_normal(n)]
    )
    anomaly = np.zeros(n, dtype=int)
    anomaly[700:900] = 1
    values[700:900, 0] += 0.3  # the pressure jumps by 30 standard deviations
    result = _run(_write(tmp_path / "step.csv", values, anomaly))
    engine = result["overall"]["engine"]
    assert engine["events"] == 1 and engine["events_detected"] == 1
    assert engine["mean_detection_delay_s"] <= 10
    assert engine["false_alarms"] == 0
    assert engine["recall"] > 0.9
    assert set(result["overall"]) == {"files", "engine", "baseline"}


def test_r4_3_gaussian_noise_alone_raises_no_engine_alarm_while_the_fixed_threshold_baseline_flaps(
    tmp_path,
):
    rng = np.random.default_rng(11)
    n = 3600
    values = np.column_stack(
        [1.0 + 0.01 * rng.standard_normal(n), 60 + 0.2 * rng.standard_normal(n)]
    )
    result = _run(_write(tmp_path / "noise.csv", values, np.zeros(n, dtype=int)))
    assert result["overall"]["engine"]["false_alarms"] <= 1
    assert result["overall"]["baseline"]["false_alarms"] > 10 * max(
        1, result["overall"]["engine"]["false_alarms"]
    )


@pytest.mark.skipif(not (SKAB / "valve1" / "0.csv").exists(), reason="SKAB not in ../shared")
def test_r4_3_monitor_score_prints_one_json_object_per_input_and_overall_on_skab():
    result = _run(SKAB / "valve1" / "0.csv", SKAB / "other" / "1.csv")
    assert [Path(i["input"]).name for i in result["inputs"]] == ["0.csv", "1.csv"]
    for block in [
        *(i["engine"] for i in result["inputs"]),
        result["overall"]["engine"],
        result["overall"]["baseline"],
    ]:
        assert 0 <= block["precision"] <= 1 and 0 <= block["recall"] <= 1 and 0 <= block["f1"] <= 1
        assert block["false_alarms_per_hour"] >= 0
    assert result["overall"]["engine"]["events"] == sum(
        i["engine"]["events"] for i in result["inputs"]
    )


def test_r4_3_monitor_score_names_an_input_it_cannot_read(tmp_path):
    with pytest.raises(CommandError):
        _run(tmp_path / "missing.csv")
