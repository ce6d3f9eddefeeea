"""Monitoring pages: the wall, an enterprise's points with charts, the warning queue and a
warning's disposal, the risk ranking. Thin: access, one service, render or redirect."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fairinspect.core import paging
from fairinspect.core.errors import DomainError, NotFound
from fairinspect.registry.access import get_enterprise, is_staff

from . import access, queries, ranking, services
from .models import EarlyWarning


@login_required
def wall(request):
    access.require_staff_viewer(request.user)
    rows = queries.wall(request.user)
    counts = {
        g: sum(1 for r in rows if r["grade_code"] == g)
        for g in ("red", "orange", "yellow", "blue", "none")
    }
    return render(request, "monitoring/wall.html", {"rows": rows, "counts": counts})


@login_required
def enterprise_points(request, credit_code: str):
    access.require_monitoring_viewer(request.user)
    ent = get_enterprise(request.user, credit_code)
    points = list(access.points_visible_to(request.user).filter(enterprise=ent).order_by("code"))
    since = timezone.now() - dt.timedelta(hours=24)
    charts = []
    for p in points:
        data = [
            [r.at.isoformat(), r.value] for r in queries.recent_readings(p, since=since, limit=720)
        ]
        charts.append(
            {
                "id": p.pk,
                "code": p.code,
                "name": p.name,
                "unit": p.unit,
                "range_low": p.range_low,
                "range_high": p.range_high,
                "rate": p.rate_per_minute,
                "active": p.active,
                "limits": {k: getattr(p, k) for k in ("low_low", "low", "high", "high_high")},
                "data": data,
            }
        )
    live = queries.warning_queue(request.user).filter(enterprise=ent)
    return render(
        request,
        "monitoring/enterprise.html",
        {
            "enterprise": ent,
            "points": points,
            "charts": charts,
            "warnings": live[:50],
            "staff": is_staff(request.user),
        },
    )


@login_required
def warning_queue(request):
    access.require_monitoring_viewer(request.user)
    stage = request.GET.get("stage") or None
    if stage not in (None, *EarlyWarning.Stage.values):
        stage = None
    page = paging.paginate(
        request, queries.warning_queue(request.user, stage=stage), scope="monitoring.warnings"
    )
    return render(
        request,
        "monitoring/queue.html",
        {
            "page": page,
            "stage": stage,
            "stages": EarlyWarning.Stage.choices,
            "now": timezone.now(),
        },
    )


@login_required
def warning_detail(request, number: str):
    access.require_monitoring_viewer(request.user)
    w = access.get_warning(request.user, number)
    own = request.user.enterprise_id == w.enterprise_id
    return render(
        request,
        "monitoring/warning.html",
        {
            "w": w,
            "can_ack": own and w.stage == "open",
            "can_report": own and w.stage == "acknowledged",
            "can_review": is_staff(request.user) and w.stage == "reported",
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def warning_action(request, number: str, action: str):
    w = access.get_warning(request.user, number)
    try:
        if action == "acknowledge":
            services.acknowledge(actor=request.user, warning=w)
            messages.success(request, _("已签收。请在期限内报告处置情况。"))
        elif action == "report":
            services.report_action(
                actor=request.user, warning=w, text=request.POST.get("action_text", "")
            )
            messages.success(request, _("处置情况已报告，等待监管部门审核。"))
        elif action == "review":
            services.review(
                actor=request.user,
                warning=w,
                decision=request.POST.get("decision", ""),
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("审核意见已保存。"))
        else:
            raise NotFound()
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        messages.error(request, exc.message)
    return redirect("monitoring:warning", number=w.number)


@login_required
def ranking_page(request):
    access.require_staff_viewer(request.user)
    rows = ranking.ranking_for(request.user)
    page = paging.paginate_sequence(
        request, rows, lambda r: (-r.score.total, r.enterprise_id), scope="monitoring.ranking"
    )
    return render(
        request,
        "monitoring/ranking.html",
        {"page": page, "labels": ranking.FACTOR_LABELS},
    )
