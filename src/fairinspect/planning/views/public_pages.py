"""The public site."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render

from fairinspect.catalog.queries import items_in_force
from fairinspect.core.errors import DomainError

from .. import access, draws
from ..models import Draw, Pool, SamplingTask
from .draw_pages import _names
from .plan_pages import _plan_context


def public_index(request):
    return render(
        request,
        "planning/public_index.html",
        {
            "plans": access.public_plans()[:50],
            "tasks": access.public_tasks()[:50],
            "specials": access.public_specials()[:50],
        },
    )


def public_plan(request, plan_id: int):
    plan = access.get_public_plan(plan_id)
    ctx = _plan_context(request, plan) | {
        "editable": False,
        "can_submit": False,
        "can_approve": False,
    }
    return render(request, "planning/public_plan.html", ctx)


def public_task(request, task_id: int):
    task = access.get_public_task(task_id)
    ent, off = draws.pools_of(task)
    all_draws = list(task.draws.filter(drawn_at__isnull=False).order_by("-sequence"))
    seed = request.GET.get("seed", "").strip()
    count_text = request.GET.get("count", "").strip()
    recomputed, error = None, None
    if seed or count_text:
        try:
            count = int(count_text)
        except ValueError:
            error = "抽取数量须为整数。"
        else:
            try:
                recomputed = draws.recompute(task, seed=seed, count=count)
            except DomainError as exc:
                error = exc.message
    codes = {c for d in all_draws for c in d.selected} | set(recomputed or ())
    return render(
        request,
        "planning/public_task.html",
        {
            "task": task,
            "ent_pool": ent,
            "off_pool": off,
            "draws": all_draws,
            "pending": task.draws.exclude(drawn_at__isnull=False)
            .exclude(status="rejected")
            .first(),
            "count": draws.draw_count(task, ent.size),
            "names": _names(codes),
            "seed": seed,
            "count_text": count_text,
            "recomputed": recomputed,
            "error": error,
        },
    )


def public_draw(request, draw_id: int):
    draw = access.get_public_draw(draw_id)
    ent, off = draws.pools_of(draw.task)
    check = draws.cached_verification(draw)
    officer_names = {k: v["name"] for k, v in off.facts.items()}
    return render(
        request,
        "planning/public_draw.html",
        {
            "draw": draw,
            "task": draw.task,
            "ent_pool": ent,
            "off_pool": off,
            "check": check,
            "names": _names(draw.selected),
            "officer_names": officer_names,
            "rows": [
                (i + 1, p, [(o, officer_names.get(o, "")) for o in p["officers"]])
                for i, p in enumerate(draw.pairings)
            ],
        },
    )


def public_pool_file(request, task_id: int, kind: str):
    task = access.get_public_task(task_id)
    if kind not in Pool.Kind.values:
        return HttpResponse(status=404)
    pool = task.pools.only("text").get(kind=kind)
    resp = HttpResponse(pool.text.encode("utf-8"), content_type="text/plain; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="task-{task.pk}-{kind}.txt"'
    return resp


def public_specials(request):
    return render(request, "planning/public_specials.html", {"specials": access.public_specials()})


def public_cross_items(request):
    return render(
        request,
        "planning/public_cross_items.html",
        {"items": items_in_force().filter(cross_department=True)},
    )


__all__ = ["Draw", "SamplingTask", "dt"]
