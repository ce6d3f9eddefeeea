"""HTTP ingestion (R4.3): JSON and CSV batches by a gateway key; bad readings refused with
their reason and counted, good readings of the same batch kept; duplicates and out-of-order
readings handled; a repeated message counted once."""

from __future__ import annotations

import time_machine

from fairinspect.monitoring.models import EarlyWarning, IngestBatch, Reading

from .conftest import T0, at


@time_machine.travel(T0, tick=False)
def test_r4_3_a_json_batch_is_stored_and_a_high_reading_opens_a_yellow_warning(send, gas_point):
    # 20 → 30 %LEL in a minute: above the high limit (25), within the rate limit (20/min).
    r = send(
        "m-1",
        [
            {"point": "GT-101", "at": at(-120), "value": 20.0},
            {"point": "GT-101", "at": at(-60), "value": 30.0},
        ],
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["accepted"] == 2 and body["refused"] == 0 and not body["repeated"]
    assert len(body["warnings_opened"]) == 1
    w = EarlyWarning.objects.get(number=body["warnings_opened"][0])
    assert (w.rule_kind, w.grade, w.stage) == ("high", "yellow", "open")
    assert Reading.objects.filter(point=gas_point).count() == 2


@time_machine.travel(T0, tick=False)
def test_r4_3_a_bad_reading_is_refused_with_its_reason_and_the_good_ones_of_the_batch_are_kept(
    send, gas_point
):
    r = send(
        "m-2",
        [
            {"point": "GT-101", "at": at(-5), "value": 4.0},
            {"point": "GT-101", "at": at(-4), "value": "12"},  # a string is never coerced
            {"point": "GT-101", "at": "yesterday", "value": 4.0},
            {"point": "NOPE", "at": at(-3), "value": 4.0},
            {"point": "GT-101", "at": at(-2), "value": 140.0},  # above the instrument's range
            {"point": "GT-101", "at": at(-1), "value": 5.0},
        ],
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["accepted"], body["refused"]) == (2, 4)
    problems = {p["row"]: (p["field"], p["code"]) for p in body["problems"]}
    assert problems == {
        1: ("value", "float_type"),
        2: ("at", "datetime_from_date_parsing"),
        3: ("point", "unknown_point"),
        4: ("value", "out_of_range"),
    }
    assert IngestBatch.objects.get(message_id="m-2").refused == 4
    assert sorted(Reading.objects.values_list("value", flat=True)) == [4.0, 5.0]


@time_machine.travel(T0, tick=False)
def test_r4_3_a_repeated_message_is_counted_once(send, gas_point):
    readings = [{"point": "GT-101", "at": at(-1), "value": 40.0}]
    first = send("m-3", readings).json()
    again = send("m-3", readings).json()
    assert again["repeated"] is True and again["accepted"] == first["accepted"] == 1
    assert again["warnings_opened"] == []
    assert Reading.objects.count() == 1
    assert EarlyWarning.objects.count() == 1
    assert IngestBatch.objects.get(message_id="m-3").repeats == 1


@time_machine.travel(T0, tick=False)
def test_r4_3_duplicate_and_out_of_order_readings_are_stored_once_and_never_clear_a_warning(
    send, gas_point
):
    send(
        "m-4",
        [
            {"point": "GT-101", "at": at(-300), "value": 22.0},
            {"point": "GT-101", "at": at(-240), "value": 30.0},
        ],
    )
    body = send(
        "m-5",
        [
            {"point": "GT-101", "at": at(-240), "value": 30.0},  # duplicate of a stored reading
            {"point": "GT-101", "at": at(-260), "value": 24.0},  # older than the last: never clears
        ],
    ).json()
    assert (body["accepted"], body["duplicates"]) == (1, 1)
    assert not EarlyWarning.objects.filter(rule_kind="rate").exists()
    w = EarlyWarning.objects.get(rule_kind="high")
    assert w.cleared_at is None
    gas_point.refresh_from_db()
    assert gas_point.last_value == 30.0
    send("m-6", [{"point": "GT-101", "at": at(-180), "value": 24.0}])
    w.refresh_from_db()
    assert w.cleared_at is not None


def test_r4_3_without_a_valid_gateway_key_nothing_is_stored(send, gas_point):
    r = send("m-7", [{"point": "GT-101", "at": at(0), "value": 1.0}], key_="gw_wrong")
    assert r.status_code == 401
    assert Reading.objects.count() == 0


def test_r4_3_a_batch_without_a_message_id_is_a_422_naming_the_field(send, gas_point):
    r = send("", [{"point": "GT-101", "at": at(0), "value": 1.0}])
    assert r.status_code == 422
    assert r.json()["field"] == "message_id"


@time_machine.travel(T0, tick=False)
def test_r4_3_a_csv_batch_refuses_its_bad_rows_and_keeps_the_rest(client, gateway, level_point):
    _cred, key = gateway
    csv = f"point,at,value\nLT-201,{at(-3)},10.5\nLT-201,{at(-2)},abc\nLT-201,{at(-1)},17.0\n"
    r = client.post(
        "/api/v1/monitoring/ingest.csv",
        csv,
        content_type="text/csv",
        HTTP_X_GATEWAY_KEY=key,
        HTTP_X_MESSAGE_ID="c-1",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["accepted"], body["refused"]) == (2, 1)
    assert body["problems"][0]["row"] == 1 and body["problems"][0]["field"] == "value"
    assert EarlyWarning.objects.filter(point=level_point, rule_kind="high").exists()
