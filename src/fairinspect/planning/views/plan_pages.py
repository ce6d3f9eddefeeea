"""Annual plans."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fairinspect.core.errors import DomainError

from .. import access, queries, services
from ..models import AnnualPlan
from ._common import _act, _can_approve, _can_plan


@login_required
@require_http_methods(["GET", "POST"])
def plan_list(request):
    plans = access.plans_visible_to(request.user)
    posted = None
    if request.method == "POST":
        try:
            plan = services.create_plan(actor=request.user, data=request.POST)
        except DomainError as exc:
            messages.error(request, exc.message)
            posted = request.POST  # the form again with what was typed
        else:
            messages.success(request, _("已起草年度计划，请填写各类企业的计划检查次数。"))
            return redirect("planning:plan_detail", plan.pk)
    return render(
        request,
        "planning/plan_list.html",
        {"plans": plans, "next_year": timezone.localdate().year, "posted": posted},
        status=422 if posted is not None else 200,
    )


@login_required
def plan_detail(request, plan_id: int):
    plan = access.get_plan(request.user, plan_id)
    return render(request, "planning/plan_detail.html", _plan_context(request, plan))


class _TypedLine:
    """A plan line as the refused form typed it (for the page only; nothing is saved)."""

    FIELDS = {
        "planned_visits": "planned",
        "last_year_effective": "last",
        "last_year_override_reason": "last_reason",
        "sampling_ratio": "ratio",
    }

    def __init__(self, line, posted):
        self._line, self._posted = line, posted
        self._prefix = f"{'hr' if line.high_risk else 'nhr'}_{line.grade}_"

    def __getattr__(self, name):
        key = self._prefix + self.FIELDS.get(name, "")
        if name in self.FIELDS and key in self._posted:
            return self._posted[key]
        return getattr(self._line, name)


def _plan_context(request, plan: AnnualPlan, *, posted=None) -> dict:
    """The plan page; with `posted` (a refused form) the forms show what was typed."""
    check = queries.plan_check(plan)
    lines = list(plan.lines.all())
    by_line = {(c.line.high_risk, c.line.grade.value): c for c in check.lines}
    shown = [_TypedLine(li, posted) if posted is not None else li for li in lines]
    return {
        "plan": plan,
        "posted": posted,
        "rows": [
            (s, by_line[(li.high_risk, li.grade)]) for s, li in zip(shown, lines, strict=True)
        ],
        "check": check,
        "cap_table_change": queries.cap_table_change(plan),
        "keys": plan.key_enterprises.select_related("enterprise"),
        "editable": plan.status == "draft" and _can_plan(request.user, plan.department),
        "can_submit": plan.status == "draft" and _can_plan(request.user, plan.department),
        "can_approve": _can_approve(request.user, plan.department),
        "approval": access.approval(request.user, access.plan_duty(plan)),
        "today": timezone.localdate(),
    }


@login_required
@require_POST
def plan_lines(request, plan_id: int):
    plan = access.get_plan(request.user, plan_id)
    rows = []
    for li in plan.lines.all():
        prefix = f"{'hr' if li.high_risk else 'nhr'}_{li.grade}_"
        rows.append(
            {
                "high_risk": li.high_risk,
                "grade": li.grade,
                "planned_visits": request.POST.get(prefix + "planned", li.planned_visits),
                "last_year_override": request.POST.get(prefix + "last", li.last_year_effective),
                "last_year_override_reason": request.POST.get(
                    prefix + "last_reason", li.last_year_override_reason
                ),
                "sampling_ratio": request.POST.get(prefix + "ratio", li.sampling_ratio),
            }
        )
    if not _act(
        request,
        lambda: services.update_plan_lines(actor=request.user, plan=plan, lines=rows),
        "已保存。",
    ):
        return _refused(request, plan)
    return redirect("planning:plan_detail", plan.pk)


def _refused(request, plan: AnnualPlan):
    """The plan page again after a refused form: the message, what was typed, 422."""
    plan = access.get_plan(request.user, plan.pk)
    ctx = _plan_context(request, plan, posted=request.POST)
    return render(request, "planning/plan_detail.html", ctx, status=422)


@login_required
@require_POST
def plan_key_add(request, plan_id: int):
    plan = access.get_plan(request.user, plan_id)
    if not _act(
        request,
        lambda: services.add_key_enterprise(actor=request.user, plan=plan, data=request.POST),
        "已列为重点检查企业。",
    ):
        return _refused(request, plan)
    return redirect("planning:plan_detail", plan.pk)


@login_required
@require_POST
def plan_key_remove(request, plan_id: int, key_id: int):
    plan = access.get_plan(request.user, plan_id)
    _act(
        request,
        lambda: services.remove_key_enterprise(actor=request.user, plan=plan, key_id=key_id),
        "已移出重点检查企业。",
    )
    return redirect("planning:plan_detail", plan.pk)


PLAN_ACTIONS = {
    "submit": (lambda u, p, d: services.submit_plan(actor=u, plan=p), "已报市政府审批。"),
    "return": (
        lambda u, p, d: services.return_plan(actor=u, plan=p, reason=d.get("reason", "")),
        "已退回修改。",
    ),
    "approve": (
        lambda u, p, d: services.approve_plan(actor=u, plan=p, data=d),
        "已记录市政府批准。",
    ),
    "file": (lambda u, p, d: services.file_plan(actor=u, plan=p, data=d), "已记录备案。"),
    "publish": (lambda u, p, d: services.publish_plan(actor=u, plan=p), "已向社会公开。"),
}


@login_required
@require_POST
def plan_action(request, plan_id: int, action: str):
    plan = access.get_plan(request.user, plan_id)
    fn, msg = PLAN_ACTIONS.get(action, (None, ""))
    if fn is None:
        return HttpResponse(status=404)
    if not _act(request, lambda: fn(request.user, plan, request.POST), msg):
        return _refused(request, plan)
    return redirect("planning:plan_detail", plan.pk)
