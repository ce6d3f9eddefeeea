"""Strict input types for the API schemas and the forms that share their cleaning.

pydantic's default ("lax") mode coerces: `"false"` becomes `False`, `true` becomes `1`,
`0` becomes 1970-01-01. For an authority's records a wrong type is an error the caller must
see, so every API body field uses one of these types: booleans are JSON booleans, integers
JSON integers, dates ISO strings `YYYY-MM-DD`, amounts decimal numbers or decimal strings
(the API prints amounts as strings, so it accepts them back), each bounded where the
database column is. A wrong type is a 422 naming the field (config/api.py).

`validate_form` runs the same schema over an HTML form's POST, so a page and the API refuse
the same input with the same message.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    StrictBool,
    StrictFloat,
    StrictInt,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .errors import ValidationFailed

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    raise PydanticCustomError("date_type", "应为日期（YYYY-MM-DD）")


def _iso_datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        return value
    raise PydanticCustomError("datetime_type", "应为日期时间（ISO 8601）")


def _decimal(value: Any) -> Any:
    # A JSON number or a decimal string; never a boolean (pydantic refuses those too) and
    # never an empty string standing for zero.
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise PydanticCustomError("decimal_type", "应为数字")
    return value


class Input(Schema):
    """The base of every request body and of its nested objects.

    ninja's Schema reads any value through attribute access (to serialise model instances),
    so a string sent where an object belongs would pass as an object of defaults. A body is
    JSON: an object must be a JSON object."""

    model_config = ConfigDict(from_attributes=False)

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler: ModelWrapValidatorHandler, info) -> Any:
        if isinstance(values, dict | BaseModel):
            return handler(values)
        raise PydanticCustomError("model_type", "应为 JSON 对象")


class ReasonOut(Schema):
    """One reason a rule gave (`rules.results.Reason`): a stable English code and a Chinese
    sentence. Every `reasons` property of every API answer is a list of these (a test walks
    the OpenAPI document to hold it so)."""

    code: str
    message: str


Bool = StrictBool
Int = StrictInt
Date = Annotated[dt.date, BeforeValidator(_iso_date)]
DateTime = Annotated[dt.datetime, BeforeValidator(_iso_datetime)]
# Primary keys are BigAutoField: a larger number can never name a row.
Id = Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]
Year = Annotated[StrictInt, Field(ge=2000, le=2100)]
# PositiveSmallIntegerField holds 0..32767 on every database Django supports.
SmallCount = Annotated[StrictInt, Field(ge=0, le=32767)]
Count = Annotated[StrictInt, Field(ge=0, le=2_147_483_647)]
# Amounts in yuan: cases.models.MONEY is max_digits=14, decimal_places=2.
Money = Annotated[
    Decimal,
    BeforeValidator(_decimal),
    Field(ge=0, max_digits=14, decimal_places=2, allow_inf_nan=False),
]
Ratio = Annotated[
    Decimal, BeforeValidator(_decimal), Field(ge=0, le=1, max_digits=5, decimal_places=4)
]
Share = Annotated[Decimal, BeforeValidator(_decimal), Field(ge=0, le=1, allow_inf_nan=False)]
Latitude = Annotated[StrictFloat, Field(ge=-90, le=90)]
Longitude = Annotated[StrictFloat, Field(ge=-180, le=180)]
Accuracy = Annotated[StrictFloat, Field(ge=0, le=100_000)]


MESSAGES = {
    "missing": "必填项缺失",
    "string_type": "应为字符串",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为布尔值（true/false）",
    "bool_parsing": "应为布尔值（true/false）",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "datetime_type": "应为日期时间（ISO 8601）",
    "datetime_parsing": "应为日期时间（ISO 8601）",
    "datetime_from_date_parsing": "应为日期时间（ISO 8601）",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "string_too_long": "过长",
    "string_too_short": "不能为空",
    "too_short": "项数不足",
    "too_long": "项数过多",
    "json_invalid": "请求体不是合法的 JSON",
    "model_attributes_type": "请求体应为 JSON 对象",
    "model_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为数组",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_max_digits": "数值位数过多",
    "decimal_max_places": "小数位数过多",
    "decimal_whole_digits": "数值位数过多",
    "finite_number": "应为有限数值",
    "greater_than_equal": "数值过小",
    "greater_than": "数值过小",
    "less_than_equal": "数值过大",
    "less_than": "数值过大",
    "union_tag_invalid": "取值不在允许范围内",
    "union_tag_not_found": "必填项缺失",
}


def message_for(error: dict) -> str:
    return MESSAGES.get(error.get("type", ""), error.get("msg", "格式不正确"))


def field_path(loc: tuple | list, body: Any) -> str:
    """The dotted path of the field at fault, as the caller wrote it (`justification.date`,
    `lines.0.planned_visits`). pydantic's location also holds the names of union members
    (the `action` of a case step); walking the caller's own body keeps only its keys."""
    parts: list[str] = []
    node = body
    loc = list(loc)
    for i, p in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, dict) and isinstance(p, str) and (p in node or last):
            parts.append(p)
            node = node.get(p)
        elif isinstance(node, list) and isinstance(p, int):
            parts.append(str(p))
            node = node[p] if 0 <= p < len(node) else None
        elif node is None or not isinstance(node, dict | list):
            # Below a missing or scalar value every remaining part is a field name.
            parts.append(str(p))
            node = None
        # else: a union member's tag, not a key of the body: skip it.
    return ".".join(parts)


def located(error: dict, loc: tuple | list, body: Any) -> dict[str, str]:
    """One pydantic error as `{field, message}`; an unknown or missing union tag names the
    discriminating field itself (`action`)."""
    path = field_path(loc, body)
    if error.get("type") in ("union_tag_invalid", "union_tag_not_found"):
        tag = str(error.get("ctx", {}).get("discriminator", "")).strip("'")
        path = f"{path}.{tag}" if path else tag
    return {"field": path, "message": message_for(error)}


def errors_of(exc: ValidationError, body: Any) -> list[dict[str, str]]:
    return [located(dict(e), e.get("loc", ()), body) for e in exc.errors()]


def validate_form(schema: type[BaseModel], raw: dict[str, Any]):
    """Run an API schema over values from a form; a bad value is a ValidationFailed naming
    the field, exactly as the API answers it."""
    try:
        return schema.model_validate(raw)
    except ValidationError as exc:
        errors = errors_of(exc, raw)
        first = errors[0]
        raise ValidationFailed(
            "invalid",
            f"{first['field'] or '请求'}: {first['message']}",
            field=first["field"] or None,
            extra={"errors": errors},
        ) from None


def form_values(
    post,
    *,
    booleans: tuple[str, ...] = (),
    ints: tuple[str, ...] = (),
    lists: tuple[str, ...] = (),
) -> dict:
    """A form's POST as the API's JSON: checkboxes are booleans (present = true), an empty
    text box is an absent value (so a required field reports `missing`, never 0), `ints`
    are parsed when they spell a whole number (anything else is passed on as text for the
    schema to refuse, naming the field), and multi-valued fields are lists."""
    out: dict[str, Any] = {}
    for key in post:
        if key == "csrfmiddlewaretoken" or key in booleans:
            continue
        if key in lists:
            out[key] = [v for v in post.getlist(key) if v != ""]
            continue
        value = post.get(key, "")
        if isinstance(value, str):
            value = value.strip()
        if value == "":
            continue
        out[key] = form_int(value) if key in ints else value
    for b in booleans:
        out[b] = post.get(b) in ("on", "1", "true")
    return out


_INT = re.compile(r"^[+-]?\d+$")


def form_int(value: Any) -> Any:
    """A form field's text as the integer it spells, or unchanged (so the schema names the
    field when it is not a number)."""
    if isinstance(value, str) and _INT.match(value.strip()):
        return int(value)
    return value
