"""The consumer's fast typing of readings (`inputs.split_raw`) accepts and refuses exactly
what the ReadingIn schema does, with the same reasons (R4.3: a bad reading refused with its
reason, the good ones of the batch kept)."""

from __future__ import annotations

import datetime as dt

from fairinspect.monitoring.inputs import split_raw, split_readings, to_raw_pairs

ROWS = [
    {"point": "GT-101", "at": "2026-06-18T08:00:00+08:00", "value": 12.5},
    {"point": "GT-101", "at": "2026-06-18T08:00:01Z", "value": 3},  # an int is a number
    {"point": "GT-101", "at": "2026-06-18T08:00:02.250+00:00", "value": -1e-5, "x": 1},
    {"point": "GT-101", "at": "2026-06-18T08:00:00", "value": 1.0},  # no time zone
    {"point": "GT-101", "at": "yesterday", "value": 1.0},
    {"point": "GT-101", "at": "2026-06-18T08:00:00Z", "value": "12.5"},  # a string
    {"point": "GT-101", "at": "2026-06-18T08:00:00Z", "value": True},
    {"point": "", "at": "2026-06-18T08:00:00Z", "value": 1.0},
    {"point": "P" * 41, "at": "2026-06-18T08:00:00Z", "value": 1.0},
    {"point": 101, "at": "2026-06-18T08:00:00Z", "value": 1.0},
    {"at": "2026-06-18T08:00:00Z", "value": 1.0},
    {"point": "GT-101", "value": 1.0},
    "GT-101,2026-06-18T08:00:00Z,1.0",
    None,
    ["GT-101", "2026-06-18T08:00:00Z", 1.0],
    {"point": "GT-101", "at": 1781769600, "value": 1.0},  # a Unix time
    {"point": "GT-101", "at": "2026-06-18T08:00:00Z", "value": float("nan")},
]


def test_r4_3_fast_typing_accepts_and_refuses_what_the_schema_does_with_the_same_reasons():
    good, bad = split_raw(ROWS)
    ref_good, ref_bad = split_readings(ROWS)
    assert good == to_raw_pairs(ref_good)
    assert bad == ref_bad
    assert {p.row for p in bad} | {r.row for r in good} == set(range(len(ROWS)))
    assert len(bad) >= 10
    first = good[0]
    assert first.at == dt.datetime(2026, 6, 18, 0, 0, tzinfo=dt.UTC)
    assert isinstance(first.value, float)
