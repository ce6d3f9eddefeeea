"""Shared helpers of the visit services: refusals, officer lookup, document numbers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F

from fairinspect.core.errors import Conflict
from fairinspect.registry.models import Officer
from fairinspect.rules.caps import (
    CapDecision,
    Reason,
)
from fairinspect.rules.results import reason_dicts

from ..models import (
    DocumentNumber,
)

DOC_PREFIX = {
    "plan": "(乌)应急检方",
    "record": "(乌)应急现记",
    "order": "(乌)应急责改",
    "review": "(乌)应急复查",
    "application": "(乌)应急检申",
}


def _reasons(rs: Iterable[Reason]) -> list[dict[str, str]]:
    return reason_dicts(rs)


def _refuse(code: str, message: str, reasons: Iterable[Reason] = (), *, field=None) -> Conflict:
    return Conflict(code, message, field=field, extra={"reasons": _reasons(reasons)})


def officer_of(user) -> Officer | None:
    try:
        return user.officer
    except Officer.DoesNotExist:
        return None
    except AttributeError:
        return None


def next_number(kind: str, year: int) -> str:
    """The next 文号 of a kind and year, e.g. (乌)应急现记〔2025〕12号. Call inside atomic."""
    row, _ = DocumentNumber.objects.select_for_update().get_or_create(kind=kind, year=year)
    DocumentNumber.objects.filter(pk=row.pk).update(last=F("last") + 1)
    row.refresh_from_db(fields=["last"])
    return f"{DOC_PREFIX[kind]}〔{year}〕{row.last}号"


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
