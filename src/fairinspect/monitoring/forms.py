"""Typed bodies shared by the monitoring pages and the API: a point's configuration, an
off-site inspection's method, an assistant request. A page runs the same schema over its POST
(`core.schemas.validate_form`), so both refuse the same input with the same message."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from ninja import Field
from pydantic import StrictFloat

from fairinspect.core.schemas import Bool, Id, Input, form_values

# A configured number: a JSON number (never a string), finite, of a sane size.
Number = Annotated[StrictFloat, Field(ge=-1e12, le=1e12, allow_inf_nan=False)]
PointKind = Literal[
    "major_hazard", "tank", "gas", "temperature", "pressure", "level", "video_alarm"
]
NUMBER_FIELDS = (
    "range_low",
    "range_high",
    "low_low",
    "low",
    "high",
    "high_high",
    "rate_per_minute",
)


class MonitoringPointEditIn(Input):
    name: str = Field(min_length=1, max_length=100)
    kind: PointKind
    unit: str = Field(min_length=1, max_length=16)
    range_low: Number
    range_high: Number
    low_low: Number | None = None
    low: Number | None = None
    high: Number | None = None
    high_high: Number | None = None
    rate_per_minute: Number | None = None
    active: Bool = True


class MonitoringPointIn(MonitoringPointEditIn):
    enterprise_id: Id
    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.\-]+$")


class MonitoringOffsiteIn(Input):
    visit_id: Id
    method: Literal["document_review", "remote_video", "data_comparison"]
    material: str = Field(min_length=4, max_length=4000)
    warning_number: str = Field("", max_length=24)


class MonitoringDraftIn(Input):
    purpose: Literal["visit_summary", "plan_points", "reasoning", "warning_digest"]
    enterprise_id: Id | None = None
    visit_id: Id | None = None
    facts: str = Field("", max_length=2000)


_FLOAT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def form_float(value: Any) -> Any:
    """A form field's text as the number it spells, or unchanged (the schema then names the
    field: `应为数字`)."""
    if isinstance(value, str) and _FLOAT.match(value.strip()):
        return float(value)
    return value


def point_form_values(post) -> dict:
    """A point form's POST as the API's JSON body."""
    out = form_values(post, booleans=("active",), ints=("enterprise_id",))
    for k in NUMBER_FIELDS:
        if k in out:
            out[k] = form_float(out[k])
    return out
