"""The public site."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render

from fairinspect.catalog.queries import items_in_force
from fairinspect.core import pagecache
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
    ent, off = draws.pools_of(task, light=True)
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


DRAW_PAGE = 50  # selected enterprises per page of the public draw page


def public_draw(request, draw_id: int):
    """One page of the result by position (the rows' (draw, position) index), the stored
    verification checked against the stored digests: a handful of queries, whatever the
    size of the draw (the full selection is the streamed selected.txt). The verification is
    checked first, then the page's HTML comes from the cache (core/pagecache.py) under the
    key of everything it shows: a changed pool text or row changes the verification key."""
    draw, ent, off = access.get_public_draw_page(draw_id)
    check = draws.cached_verification(draw, (ent, off))
    total = draw.count or 0
    pages = max(1, -(-total // DRAW_PAGE))
    try:
        page = min(pages, max(1, int(request.GET.get("page") or 1)))
    except ValueError:
        page = 1

    def context() -> dict:
        first = (page - 1) * DRAW_PAGE
        shown = draws.pairings_page(draw, first, DRAW_PAGE)
        return {
            "draw": draw,
            "task": draw.task,
            "ent_pool": ent,
            "off_pool": off,
            "check": check,
            "rows": [
                (r.position + 1, r, list(zip(r.officers, r.officer_names, strict=False)))
                for r in shown
            ],
            "page": page,
            "pages": pages,
            "total": total,
        }

    return pagecache.serve(
        request,
        name="public_draw",
        parts=_public_draw_key(draw, ent, off, check, page),
        template="planning/public_draw.html",
        context=context,
    )


def _public_draw_key(draw: Draw, ent: Pool, off: Pool, check: draws.Verdict, page: int) -> tuple:
    """Everything the public draw page shows that can change: the verification key (the
    pool texts' and the result's digests as stored now, the published hashes, the seed, the
    count), the verdict, the draw's and its task's facts, the page."""
    task = draw.task
    return (
        draw.pk,
        (draw.verification or {}).get("key"),
        check.ok,
        check.code,
        sorted(check.params.items()),
        check.stored_message,
        draw.sequence,
        draw.status,
        draw.redraw_reason,
        draw.seed,
        draw.seed_entered_by,
        draw.seed_entered_at,
        draw.count,
        draw.selected_sha256,
        task.pk,
        task.title,
        task.pools_published_at,
        task.weighted_by_risk,
        ent.size,
        ent.sha256,
        off.size,
        off.sha256,
        page,
    )


def public_draw_selected(request, draw_id: int):
    """The selection file: one credit code a line in drawn order (what `draw-verify` prints
    from the published pool, seed and count), streamed a slice of rows at a time."""
    from django.http import StreamingHttpResponse

    draw = access.get_public_draw(draw_id)
    resp = StreamingHttpResponse(
        draws.selected_lines(draw.pk), content_type="text/plain; charset=utf-8"
    )
    resp["Content-Disposition"] = f'attachment; filename="draw-{draw.pk}-selected.txt"'
    return resp


POOL_SLICE = 1 << 20  # characters per slice of a streamed pool file


def _pool_slices(pool_pk: int, length: int):
    """The pool text in slices read with SUBSTR (on PostgreSQL the column is stored
    EXTERNAL, so each slice reads only its TOAST chunks): never the whole text at once."""
    from django.db.models import Value
    from django.db.models.functions import Substr

    for start in range(1, length + 1, POOL_SLICE):
        part = (
            Pool.objects.filter(pk=pool_pk)
            .annotate(part=Substr("text", Value(start), Value(POOL_SLICE)))
            .values_list("part", flat=True)
            .get()
        )
        yield part.encode("utf-8")


def public_pool_file(request, task_id: int, kind: str):
    from django.db.models.functions import Length
    from django.http import StreamingHttpResponse

    task = access.get_public_task(task_id)
    if kind not in Pool.Kind.values:
        return HttpResponse(status=404)
    pk, length = (
        task.pools.filter(kind=kind).annotate(n=Length("text")).values_list("pk", "n").get()
    )
    resp = StreamingHttpResponse(_pool_slices(pk, length), content_type="text/plain; charset=utf-8")
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
