"""The small result types every rule shares."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    """Why a rule decided as it did: a stable English code and a Chinese sentence.

    The one shape of `reasons` across apps: services store and raise them as
    `{"code": ..., "message": ...}` (`as_dict`, `reason_dicts`), and the API declares that
    object once, as `core.schemas.ReasonOut`."""

    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def reason_dicts(reasons: Iterable[Reason]) -> list[dict[str, str]]:
    """Reasons as the `{code, message}` objects services store and the API returns."""
    return [r.as_dict() for r in reasons]


@dataclass(frozen=True)
class FieldError:
    """What is wrong with one input field: its name, the broken rule's code, a Chinese
    sentence naming both."""

    field: str
    code: str
    message: str
