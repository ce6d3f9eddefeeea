"""The small result types every rule shares."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    """Why a rule decided as it did: a stable English code and a Chinese sentence."""

    code: str
    message: str


@dataclass(frozen=True)
class FieldError:
    """What is wrong with one input field: its name, the broken rule's code, a Chinese
    sentence naming both."""

    field: str
    code: str
    message: str
