"""Sampling tasks and draws."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fairinspect.catalog.queries import items_in_force
from fairinspect.core import paging
from fairinspect.core.errors import DomainError
from fairinspect.registry.models import Enterprise
from fairinspect.registry.queries import district_names

from .. import access, draws
from ..models import SamplingTask
from ._common import _act, _can_approve, _can_plan


@login_required
def task_list(request):
    tasks = access.tasks_visible_to(request.user)
    page = paging.paginate(request, tasks, scope="planning.tasks")
    return render(request, "planning/task_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request):
    access.require_planner(request.user)
    values = request.POST if request.method == "POST" else {}
    error = None
    if request.method == "POST":
        data = request.POST.dict()
        data["items"] = request.POST.getlist("items")
        try:
            task = draws.create_task(actor=request.user, data=data)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("已创建抽查任务。下一步：公布名录库。"))
            return redirect("planning:task_detail", task.pk)
    return render(
        request,
        "planning/task_form.html",
        {
            "values": values,
            "chosen": request.POST.getlist("items") if request.method == "POST" else [],
            "error": error,
            "items": items_in_force(),
            "districts": sorted(district_names().items()),
        },
        status=422 if error else 200,
    )


@login_required
def task_detail(request, task_id: int):
    task = access.get_task(request.user, task_id)
    pools = {p.kind: p for p in task.pools.defer("text", "facts")}
    all_draws = list(task.draws.order_by("-sequence").select_related("approved_by"))
    live = draws.live_draw(task)
    pending = next((d for d in all_draws if d.status == "awaiting_approval"), None)
    return render(
        request,
        "planning/task_detail.html",
        {
            "task": task,
            "ent_pool": pools.get("enterprises"),
            "off_pool": pools.get("officers"),
            "draws": all_draws,
            "live": live,
            "pending": pending,
            "can_plan": _can_plan(request.user, task.department),
            "can_approve": _can_approve(request.user, task.department),
            "redraw_approval": (
                access.approval(request.user, access.redraw_duty(pending)) if pending else None
            ),
            "count": draws.draw_count(task, pools["enterprises"].size) if pools else None,
            "names": _names(live.selected if live else []),
            "officer_names": _officer_names(task) if live and live.selected else {},
        },
    )


def _officer_names(task: SamplingTask) -> dict[str, str]:
    facts = task.pools.filter(kind="officers").values_list("facts", flat=True).first() or {}
    return {k: v["name"] for k, v in facts.items()}


def _names(codes) -> dict[str, str]:
    return dict(
        Enterprise.objects.filter(credit_code__in=list(codes)).values_list("credit_code", "name")
    )


@login_required
@require_POST
def task_publish_pools(request, task_id: int):
    task = access.get_task(request.user, task_id)
    _act(
        request,
        lambda: draws.publish_pools(actor=request.user, task=task),
        "名录库已固定并公布（含SHA-256）。请在公开抽取现场产生随机种子。",
    )
    return redirect("planning:task_detail", task.pk)


@login_required
@require_POST
def task_redraw(request, task_id: int):
    task = access.get_task(request.user, task_id)
    _act(
        request,
        lambda: draws.request_redraw(
            actor=request.user, task=task, reason=request.POST.get("reason", "")
        ),
        "已提交重新抽取申请，待审批负责人批准。",
    )
    return redirect("planning:task_detail", task.pk)


DRAW_ACTIONS = {
    "seed": (
        lambda u, d, p: draws.record_seed(
            actor=u, draw=d, seed=p.get("seed", ""), entered_by=p.get("entered_by", "")
        ),
        "随机种子已录入。",
    ),
    "run": (lambda u, d, p: draws.run(actor=u, draw=d), "抽取完成。"),
    "publish": (lambda u, d, p: draws.publish_result(actor=u, draw=d), "抽取结果已公布。"),
    "approve": (
        lambda u, d, p: draws.decide_redraw(actor=u, draw=d, approve=True),
        "已批准重新抽取。",
    ),
    "reject": (
        lambda u, d, p: draws.decide_redraw(actor=u, draw=d, approve=False),
        "未批准重新抽取。",
    ),
}


@login_required
@require_POST
def draw_action(request, draw_id: int, action: str):
    draw = access.get_draw(request.user, draw_id)
    fn, msg = DRAW_ACTIONS.get(action, (None, ""))
    if fn is None:
        return HttpResponse(status=404)
    _act(request, lambda: fn(request.user, draw, request.POST), msg)
    return redirect("planning:task_detail", draw.task_id)
