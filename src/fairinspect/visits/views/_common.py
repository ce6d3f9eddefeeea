"""Helpers the page modules share."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect

from fairinspect.core.errors import DomainError

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _back(visit_id: int):
    return redirect("visits:detail", visit_id)


def _flash(request, exc: DomainError) -> None:
    reasons = exc.extra.get("reasons") or []
    extra = "；".join(r["message"] for r in reasons if r["message"] != exc.message)
    messages.error(request, exc.message + (f"（{extra}）" if extra else ""))
