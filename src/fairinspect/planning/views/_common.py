"""Helpers the page modules share."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from fairinspect.core.errors import DomainError

from .. import access

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _act(request, fn, success: str) -> bool:
    """Run one service; show its refusal (with every reason) as a message."""
    try:
        fn()
    except DomainError as exc:
        reasons = exc.extra.get("reasons") or []
        detail = "".join(f"\n· {r['message']}" for r in reasons[1:]) if len(reasons) > 1 else ""
        messages.error(request, exc.message + detail)
        return False
    messages.success(request, success)
    return True


def _can_plan(user, department) -> bool:
    try:
        access.require_planner(user, department)
    except DomainError:
        return False
    return True


def _can_approve(user, department) -> bool:
    try:
        access.require_approver(user, department)
    except DomainError:
        return False
    return True


@login_required
def index(request):
    access.require_staff(request.user)
    return render(
        request,
        "planning/index.html",
        {
            "plans": access.plans_visible_to(request.user)[:10],
            "tasks": access.tasks_visible_to(request.user)[:10],
            "specials": access.specials_visible_to(request.user)[:10],
            "bureau": access.bureau_of(request.user),
        },
    )
