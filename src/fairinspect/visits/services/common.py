"""Shared helpers of the visit services: refusals, officer lookup."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fairinspect.core.errors import Conflict
from fairinspect.registry.access import officer_of  # noqa: F401  (defined once there)
from fairinspect.rules.caps import (
    CapDecision,
    Reason,
)
from fairinspect.rules.results import reason_dicts


def _reasons(rs: Iterable[Reason]) -> list[dict[str, str]]:
    return reason_dicts(rs)


def _refuse(code: str, message: str, reasons: Iterable[Reason] = (), *, field=None) -> Conflict:
    return Conflict(code, message, field=field, extra={"reasons": _reasons(reasons)})


def _decision_data(d: CapDecision) -> dict[str, Any]:
    return {
        "allowed": d.allowed,
        "cap": d.cap,
        "used": d.used,
        "remaining": d.remaining,
        "exempt_used": d.exempt_used,
        "consumes_slot": d.consumes_slot,
        "reasons": _reasons(d.reasons),
    }
