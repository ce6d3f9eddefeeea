"""The small result types every rule shares."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict


class ReasonDict(TypedDict):
    """A reason as every service, page and API answer carries it (the one shape of
    `reasons` across apps; `core.schemas.ReasonOut` is its API schema)."""

    code: str
    message: str


@dataclass(frozen=True)
class Reason:
    """Why a rule decided as it did: a stable English code and a Chinese sentence."""

    code: str
    message: str

    def as_dict(self) -> ReasonDict:
        return {"code": self.code, "message": self.message}


def reason_dicts(reasons: Iterable[Reason]) -> list[ReasonDict]:
    """Reasons as the `{code, message}` objects services store and the API returns."""
    return [r.as_dict() for r in reasons]


@dataclass(frozen=True)
class FieldError:
    """What is wrong with one input field: its name, the broken rule's code, a Chinese
    sentence naming both."""

    field: str
    code: str
    message: str
