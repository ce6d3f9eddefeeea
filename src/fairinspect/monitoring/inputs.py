"""Typing readings as they come in (HTTP JSON, HTTP CSV, MQTT JSON): one schema for a
reading; each reading of a batch is typed on its own, so a bad one is refused with its
reason and the good ones of the same batch are kept."""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated

from ninja import Field, Schema
from pydantic import AwareDatetime, Strict, TypeAdapter, ValidationError, model_validator
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from .services.ingest import Problem, RawReading

MAX_BATCH = 5000
MESSAGE_ID = r"^[A-Za-z0-9_.:\-]{1,64}$"

_REASONS = {
    "missing": "必填项缺失",
    "float_type": "应为数字",
    "string_type": "应为字符串",
    "datetime_parsing": "应为带时区的时间（ISO 8601）",
    "datetime_type": "应为带时区的时间（ISO 8601）",
    "datetime_from_date_parsing": "应为带时区的时间（ISO 8601）",
    "timezone_aware": "时间必须带时区",
    "string_too_long": "过长",
    "string_too_short": "不能为空",
    "finite_number": "应为有限数",
    "model_attributes_type": "应为对象",
    "model_type": "应为对象",
    "extra_forbidden": "不允许的字段",
}


class ReadingIn(Schema):
    point: str = Field(min_length=1, max_length=40, description="点位编号（企业内唯一）")
    at: AwareDatetime = Field(description="采集时间，ISO 8601，带时区")
    value: Annotated[float, Strict()] = Field(description="数值（JSON 数字，不接受字符串）")


_READING = TypeAdapter(ReadingIn)


class RefusedRow(Schema):
    row: int
    field: str
    code: str
    message: str


class BatchIn(Schema):
    message_id: str = Field(pattern=MESSAGE_ID, description="消息编号：同一凭证下重复发送只计一次")
    readings: list[ReadingIn] = Field(max_length=MAX_BATCH)
    # Filled by the validator (never by the caller): the rows refused while typing them.
    refused: list[RefusedRow] = Field(default_factory=list, description="（服务端填写）")
    rows: list[int] = Field(
        default_factory=list, description="（服务端填写：每条有效数据在原批次中的行号）"
    )

    @model_validator(mode="before")
    @classmethod
    def _type_each_reading(cls, data):
        # ninja hands a Schema its input wrapped in a DjangoGetter; the JSON object is inside.
        data = getattr(data, "_obj", data)
        if isinstance(data, dict) and isinstance(data.get("readings"), list):
            good, bad = split_readings(data["readings"])
            data = {
                **data,
                "readings": [r for _n, r in good],
                "rows": [n for n, _r in good],
                "refused": [p.as_dict() for p in bad],
            }
        return data


def _problem(row: int, err: ValidationError) -> Problem:
    first = err.errors()[0]
    loc = [str(x) for x in first.get("loc", ())]
    fld = loc[0] if loc else "reading"
    return Problem(
        row,
        fld,
        first.get("type", "invalid"),
        f"{fld}: {_REASONS.get(first.get('type', ''), '格式不正确')}",
    )


def split_readings(items: list) -> tuple[list[tuple[int, ReadingIn]], list[Problem]]:
    """Each item typed on its own: (row, reading) for the good, a Problem for the bad."""
    good: list[tuple[int, ReadingIn]] = []
    bad: list[Problem] = []
    for row, raw in enumerate(items):
        try:
            good.append((row, _READING.validate_python(raw)))
        except ValidationError as e:
            bad.append(_problem(row, e))
    return good, bad


class _ReadingFields(TypedDict):
    """ReadingIn's fields and constraints as a TypedDict: validated entirely in
    pydantic-core, without building a model instance per reading."""

    point: Annotated[str, Field(min_length=1, max_length=40)]
    at: AwareDatetime
    value: Annotated[float, Strict()]


_READING_FIELDS = TypeAdapter(_ReadingFields)


def split_raw(items: list) -> tuple[list[RawReading], list[Problem]]:
    """`split_readings` then `to_raw_pairs`, for the MQTT consumer, without a ReadingIn per
    reading: a row the TypedDict accepts is exactly a row ReadingIn accepts (same fields,
    same constraints; tests/monitoring/test_ingest_fast.py); a row it refuses is typed by
    ReadingIn again, so the refusal reads the same as before."""
    good: list[RawReading] = []
    bad: list[Problem] = []
    fast = _READING_FIELDS.validate_python
    for row, raw in enumerate(items):
        try:
            d = fast(raw)
        except ValidationError:
            try:
                r = _READING.validate_python(raw)
            except ValidationError as e:
                bad.append(_problem(row, e))
                continue
            good.append(RawReading(r.point, r.at, r.value, row))
            continue
        good.append(RawReading(d["point"], d["at"], d["value"], row))
    return good, bad


def to_raw(readings: list[ReadingIn], rows: list[int] | None = None) -> list[RawReading]:
    rows = rows if rows is not None and len(rows) == len(readings) else list(range(len(readings)))
    return [RawReading(r.point, r.at, r.value, n) for n, r in zip(rows, readings, strict=True)]


def to_raw_pairs(pairs: list[tuple[int, ReadingIn]]) -> list[RawReading]:
    return [RawReading(r.point, r.at, r.value, n) for n, r in pairs]


def refused_of(batch: BatchIn) -> list[Problem]:
    return [Problem(r.row, r.field, r.code, r.message) for r in batch.refused]


def parse_csv(text: str) -> tuple[list[RawReading], list[Problem]]:
    """CSV with a header `point,at,value` (comma or semicolon). Every value is text in
    CSV, so the number is read here; the rest is typed by the same reading schema."""
    sample = text[:2000]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    missing = {"point", "at", "value"} - set(reader.fieldnames or [])
    if missing:
        return [], [
            Problem(
                0, sorted(missing)[0], "missing_column", f"缺少列：{'、'.join(sorted(missing))}"
            )
        ]
    items: list[dict[str, object] | None] = []
    bad: list[Problem] = []
    for row, rec in enumerate(reader):
        try:
            value = float((rec.get("value") or "").strip())
        except ValueError:
            bad.append(Problem(row, "value", "float_parsing", "value: 应为数字"))
            items.append(None)
            continue
        items.append(
            {
                "point": (rec.get("point") or "").strip(),
                "at": (rec.get("at") or "").strip(),
                "value": value,
            }
        )
    good, typed_bad = split_readings([i for i in items if i is not None])
    # Row numbers of the typed rows refer to the filtered list: map them back.
    index = [n for n, i in enumerate(items) if i is not None]
    bad += [Problem(index[p.row], p.field, p.code, p.message) for p in typed_bad]
    return [RawReading(r.point, r.at, r.value, index[n]) for n, r in good], bad


class MqttMessage(Schema):
    key: str = Field(min_length=8, max_length=100, description="网关接入密钥")
    message_id: str = Field(pattern=MESSAGE_ID)
    readings: list = Field(max_length=MAX_BATCH)


_MQTT = TypeAdapter(MqttMessage)


def parse_mqtt(payload: bytes) -> tuple[MqttMessage | None, str]:
    """The envelope of an MQTT message, or None and the reason it was refused."""
    try:
        return _MQTT.validate_python(json.loads(payload.decode("utf-8"))), ""
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, "not_json"
    except ValidationError as e:
        return None, "invalid:" + ".".join(str(x) for x in e.errors()[0].get("loc", ()))
