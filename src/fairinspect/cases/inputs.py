"""What each procedure step of a case takes, typed: one schema per step, shared by the API
(`POST /cases/{id}/transitions`, a union keyed by `action`) and the case page's forms.

A boolean is a boolean (`"approve": "false"` is refused, not read as true), an amount a
number, a day count a whole number, a date an ISO date. Texts a step requires are checked by
the service, which names the field the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from ninja import Schema
from pydantic import Field, create_model

from fairinspect.core.schemas import (
    Bool,
    Count,
    Date,
    Input,
    Money,
    Share,
    form_values,
    validate_form,
)


class FactsIn(Input):
    first_offence: Bool = False
    harm: Literal["none", "slight", "serious"] = "none"
    corrected_in_time: Bool = False
    overdue_uncorrected: Bool = False
    no_fault: Bool = False
    minor: Bool = False
    mitigations: list[str] = []
    aggravations: list[str] = []
    staff_affected_share: Share | None = None
    headcount: Count | None = None
    people_affected: Count | None = None
    fatal_accident_within_3_years: Bool = False
    serious_dishonesty_listed: Bool = False
    high_risk: Bool = False
    accident_level: Literal["general", "larger", "major", "extraordinary"] | None = None
    annual_income: Money | None = None


class ApproveFilingData(Input):
    on: Date | None = None
    note: str = ""


class RejectFilingData(Input):
    note: str = ""


class InvestigateData(Input):
    facts_text: str = ""
    evidence: str = ""
    # Required by the service whenever the facts give a penalty: never the range's floor
    # by default, never 0 for an empty box.
    proposed_fine: Money | None = None
    outside_range_reason: str = ""


class NotifyData(Input):
    served_on: Date | None = None


class RecordStatementData(Input):
    statement: str = ""
    statement_answer: str = ""
    hearing_requested: Bool = False
    hearing_on: Date | None = None


class LegalReviewData(Input):
    opinion: str = ""
    approve: Bool
    accept_outside_range: Bool = False


class DiscussData(Input):
    minutes: str = ""


class DecideData(Input):
    on: Date | None = None
    education_note: str = ""


class ServeData(Input):
    served_on: Date | None = None


class ExecuteData(Input):
    paid_on: Date | None = None
    amount_paid: Money | None = None
    # Days the execution was paused (行政强制法第四十二条): a whole number, 0 when none.
    paused_days: Annotated[int, Field(ge=0, le=3650, strict=True)] = 0


class CloseData(Input):
    note: str = ""


class ExtendData(Input):
    days: Annotated[int, Field(strict=True)]  # 1–90, checked by the service (bad_days)
    reason: str = ""


STEP_DATA: dict[str, type[Schema]] = {
    "approve_filing": ApproveFilingData,
    "reject_filing": RejectFilingData,
    "investigate": InvestigateData,
    "notify": NotifyData,
    "record_statement": RecordStatementData,
    "legal_review": LegalReviewData,
    "discuss": DiscussData,
    "decide": DecideData,
    "serve": ServeData,
    "execute": ExecuteData,
    "close": CloseData,
    "extend": ExtendData,
}

_BOOLEANS = {
    name: tuple(f for f, info in schema.model_fields.items() if info.annotation is bool)
    for name, schema in STEP_DATA.items()
}
_INTS = {"execute": ("paused_days",), "extend": ("days",)}


def _required(schema: type[Schema]) -> bool:
    return any(f.is_required() for f in schema.model_fields.values())


def _step_schema(action: str, data: type[Schema]):
    camel = "".join(p.title() for p in action.split("_"))
    fields: dict[str, Any] = {
        "action": (Literal[action], ...),
        "data": (data, ...) if _required(data) else (data, Field(default_factory=data)),
    }
    if action == "investigate":
        fields["facts"] = (FactsIn | None, None)
    return create_model(f"{camel}Step", __base__=Input, **fields)


STEP_SCHEMAS = {action: _step_schema(action, data) for action, data in STEP_DATA.items()}
# The body of POST /cases/{id}/transitions: `action` picks the schema of `data`.
if TYPE_CHECKING:
    TransitionIn = Any
else:
    TransitionIn = Annotated[
        Union[tuple(STEP_SCHEMAS.values())],  # noqa: UP007
        Field(discriminator="action"),
    ]


def step_data_from_form(action: str, post) -> dict[str, Any]:
    """A step's form, cleaned by the same schema as the API (wrong type → ValidationFailed
    naming the field); the values ready for services.transition."""
    schema = STEP_DATA.get(action)
    if schema is None:
        from fairinspect.core.errors import ValidationFailed

        raise ValidationFailed("unknown_action", f"action：未知的操作 {action}。", field="action")
    raw = form_values(post, booleans=_BOOLEANS[action], ints=_INTS.get(action, ()))
    raw = {k: v for k, v in raw.items() if k in schema.model_fields}
    return validate_form(schema, raw).model_dump(exclude_none=True)
