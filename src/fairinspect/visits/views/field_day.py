"""The officer's day (issue 12): today's and the coming visits, each one tap from its
pre-check, plan, check-in, recording and findings; an enterprise's pre-check by its code."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from fairinspect.core.errors import Forbidden
from fairinspect.registry import access as registry_access

from .. import qr, queries, services


@login_required
def officer_day(request):
    registry_access.require_staff(request.user)
    officer = services.officer_of(request.user)
    if officer is None:
        raise Forbidden("这是执法人员的今日检查页。")
    today = timezone.localdate()
    day = queries.officer_day(officer, today=today)
    for v in day["today"] + day["coming"]:
        v.qr_token = qr.token_for(v.enterprise)  # type: ignore[attr-defined]  # for the template
    return render(
        request,
        "visits/day.html",
        {"today": today, "today_visits": day["today"], "coming": day["coming"]},
    )


def precheck_page(request, ent, *, token: str):
    """The 扫码入企 pre-check of one enterprise for a staff member who may see it."""
    today = timezone.localdate()
    officer = services.officer_of(request.user)
    try:
        page = int(request.GET.get("page") or 1)
    except ValueError:
        page = 1
    pc = queries.precheck(ent, officer=officer, today=today, page=page)
    verdicts = [
        (
            v,
            queries.verdict_for(
                v, facts=pc.facts, today=today, officer=officer, city_items=pc.city_items
            ),
        )
        for v in pc.mine
    ]
    forecast = queries.planning_forecast(
        ent, department=request.user.department, today=today, pc=pc
    )
    return render(
        request,
        "visits/precheck.html",
        {
            "pc": pc,
            "e": ent,
            "verdicts": verdicts,
            "token": token,
            "today": today,
            "forecast": forecast,
        },
    )


@login_required
def enterprise_precheck(request, credit_code: str):
    """The pre-check reached from the enterprise page (no QR code needed)."""
    registry_access.require_staff(request.user)
    ent = registry_access.get_enterprise(request.user, credit_code)
    return precheck_page(request, ent, token=qr.token_for(ent))
