"""The cheaper ingestion path opens exactly the warnings the previous one did (R4.3,
issue 11): a recorded series (SKAB valve1/1.csv, 1,145 s of a water-circulation rig:
pressure, temperature and current as three points with alarm limits) goes through
`services.ingest_many` in micro-batches as the consumer sends them, and one reading per
transaction; both must give the warnings recorded in `data/equivalence_expected.json`,
which the code before this change produced (recorded with FI_RECORD_EQUIVALENCE=1 on
main at 050a24d)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from pathlib import Path

import pytest

from fairinspect.monitoring import engine, services
from fairinspect.monitoring.models import EarlyWarning
from fairinspect.monitoring.services.ingest import Message

HERE = Path(__file__).parent
SKAB = Path(os.environ.get("FI_SKAB_DIR") or HERE.parents[1] / ".." / "shared" / "data" / "skab")
SERIES = SKAB / "valve1" / "1.csv"
EXPECTED = HERE / "data" / "equivalence_expected.json"
T0 = dt.datetime(2026, 3, 9, 10, 0, tzinfo=dt.UTC)
POINTS = {
    # code: (column, kind, limits)
    "PT-1": ("Pressure", "pressure", dict(low=-0.5, high=0.4, high_high=0.7, rate_per_minute=30)),
    "TT-1": ("Temperature", "temperature", dict(low=72, high=75.8, high_high=76.1)),
    "IT-1": ("Current", "level", dict(low=0.5, high=1.35, high_high=1.5, rate_per_minute=40)),
}


pytestmark = pytest.mark.skipif(not SERIES.exists(), reason="SKAB data not at ../shared/data/skab")


def _series() -> list[tuple[int, list[services.RawReading]]]:
    """Per second: its readings of the three points."""
    with SERIES.open(newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    out = []
    for s, row in enumerate(rows):
        at = T0 + dt.timedelta(seconds=s)
        out.append(
            (
                s,
                [
                    services.RawReading(code, at, float(row[col]))
                    for code, (col, _k, _l) in POINTS.items()
                ],
            )
        )
    return out


def _run(officer, enterprise, *, per_message: int, per_transaction: int) -> list[dict]:
    engine._BANK = None  # fresh drift detectors, as a consumer that just started
    engine.point_cache().clear()
    for code, (_col, kind, limits) in POINTS.items():
        services.create_point(
            actor=officer, enterprise=enterprise, code=code, name=code, kind=kind, unit="u",
            range_low=-10, range_high=200, **limits,
        )  # fmt: skip
    cred, _key = services.issue_credential(actor=officer, enterprise=enterprise, gateway="EQ")
    series = _series()
    messages = []
    for n in range(0, len(series), per_message):
        part = series[n : n + per_message]
        messages.append(
            (
                part[-1][0],
                Message(cred, f"eq-{per_message}-{n}", [r for _s, rs in part for r in rs]),
            )
        )
    for n in range(0, len(messages), per_transaction):
        group = messages[n : n + per_transaction]
        now = T0 + dt.timedelta(seconds=group[-1][0] + 1)
        services.ingest_many([m for _s, m in group], source="mqtt", now=now)
    return [
        {
            "point": w.point.code,
            "rule": w.rule_kind,
            "grade": w.grade,
            "base_grade": w.base_grade,
            "started_at": w.started_at.isoformat(),
            "value": w.value,
            "limit": w.limit,
            "cleared": w.cleared_at is not None,
        }
        for w in EarlyWarning.objects.select_related("point").order_by(
            "started_at", "point__code", "rule_kind"
        )
    ]


def _check(got: list[dict]) -> None:
    if os.environ.get("FI_RECORD_EQUIVALENCE"):
        EXPECTED.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n")
    expected = json.loads(EXPECTED.read_text())
    assert len(expected) >= 5, "the series must open warnings of several rules"
    assert {w["rule"] for w in expected} >= {"high", "high_high", "low", "rate", "drift"}
    assert got == expected


@pytest.mark.django_db
def test_r4_3_one_reading_a_transaction_opens_the_warnings_recorded_before_the_change(
    tianshan_officer, tianshan_enterprise
):
    """The recorded run: one second's readings per message and per transaction."""
    _check(_run(tianshan_officer, tianshan_enterprise, per_message=1, per_transaction=1))


@pytest.mark.django_db
def test_r4_3_micro_batches_open_the_same_warnings_as_one_reading_a_transaction(
    tianshan_officer, tianshan_enterprise
):
    """20 one-second messages a transaction, as the consumer takes them. (Before this
    change a warning that cleared and opened again within one transaction broke the
    one-live-warning constraint; the consumer then retried message by message after the
    drift detectors had already seen the readings once, and opened one drift warning
    more on this series.)"""
    _check(_run(tianshan_officer, tianshan_enterprise, per_message=1, per_transaction=20))


@pytest.mark.django_db
def test_r4_3_ten_seconds_in_one_message_open_the_same_warnings_as_one_reading_a_transaction(
    tianshan_officer, tianshan_enterprise
):
    """A gateway sending ten seconds of readings in one message (the HTTP path): before this
    change this series' message failed whole on the one-live-warning constraint."""
    _check(_run(tianshan_officer, tianshan_enterprise, per_message=10, per_transaction=1))
