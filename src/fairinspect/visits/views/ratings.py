"""Supervisors: the enterprises' ratings (R8)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from fairinspect.core import paging
from fairinspect.core.errors import Forbidden

from .. import access, queries


@login_required
def ratings(request):
    """Supervisors and administrators: the enterprises' ratings of finished visits, filtered
    by inspecting unit, score and date. The inspecting units never see this page."""
    from django.db.models import Avg, Count

    from fairinspect.registry.models import Department

    if not access.can_see_ratings(request.user):
        raise Forbidden("企业评价只有监督人员和管理员可以查看，检查单位看不到。")
    qs = queries.ratings_visible_to(request.user)
    g = request.GET
    unit = (g.get("unit") or "").strip()
    score = (g.get("score") or "").strip()
    errors = []
    if unit:
        qs = qs.filter(visit__department__code=unit)
    if score:
        if score in {"1", "2", "3", "4", "5"}:
            qs = qs.filter(score=int(score))
        else:
            errors.append("评分：应为1至5分。")
    dates = {}
    for key, label in (("date_from", "评价日期起"), ("date_to", "评价日期止")):
        raw = (g.get(key) or "").strip()
        if not raw:
            continue
        try:
            dates[key] = dt.date.fromisoformat(raw)
        except ValueError:
            errors.append(f"{label}：格式应为 YYYY-MM-DD。")
    if "date_from" in dates:
        qs = qs.filter(created_at__date__gte=dates["date_from"])
    if "date_to" in dates:
        qs = qs.filter(created_at__date__lte=dates["date_to"])
    for e in errors:
        messages.error(request, e)
    summary = qs.aggregate(n=Count("id"), avg=Avg("score"))
    units = Department.objects.filter(
        pk__in=queries.ratings_visible_to(request.user).values("visit__department")
    ).order_by("code")
    page = paging.paginate(request, qs, scope="visits.ratings", per_page=30)
    return render(
        request,
        "visits/ratings.html",
        {
            "page": page,
            "units": units,
            "unit": unit,
            "score": score,
            "date_from": g.get("date_from", ""),
            "date_to": g.get("date_to", ""),
            "summary": summary,
        },
        status=422 if errors else 200,
    )
