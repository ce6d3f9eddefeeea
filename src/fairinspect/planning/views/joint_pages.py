"""Joint and merged visits."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fairinspect.catalog.queries import items_in_force
from fairinspect.core.errors import DomainError
from fairinspect.core.roles import Role, has_role
from fairinspect.registry.models import Department

from .. import access, joint
from ._common import _act


@login_required
def joint_index(request):
    return _joint_page(request)


def _joint_page(request, *, posted=None):
    """The merge proposals and joint plans; with `posted` (a refused merge) that proposal's
    form shows what was typed and the page answers 422."""
    access.require_staff(request.user)
    window = request.GET.get("window", "30")
    window_days = int(window) if window.isdigit() and 1 <= int(window) <= 180 else 30
    proposals = list(joint.merge_proposals(user=request.user, window_days=window_days))
    typed_index = -1
    if posted is not None:
        ids = sorted(posted.getlist("visit_ids"))
        for i, prop in enumerate(proposals):
            if sorted(str(v.pk) for v in prop.visits) == ids:
                typed_index = i
    return render(
        request,
        "planning/joint.html",
        {
            "proposals": proposals,
            "posted": posted,
            "typed_index": typed_index,
            "window": window_days,
            "plans": joint.joint_plans_visible_to(request.user)[:50],
            "can_merge": has_role(request.user, Role.APPROVER, Role.ADMIN),
            "cross_items": items_in_force().filter(cross_department=True),
            "today": timezone.localdate(),
        },
        status=422 if posted is not None else 200,
    )


@login_required
@require_POST
def merge_approve(request):
    data = {
        "visit_ids": request.POST.getlist("visit_ids"),
        "planned_date": request.POST.get("planned_date", ""),
        "reason": request.POST.get("reason", ""),
    }
    if not _act(
        request,
        lambda: joint.merge(actor=request.user, data=data),
        "已合并为一次检查（综合查一次）。",
    ):
        return _joint_page(request, posted=request.POST)
    return redirect("planning:joint")


@login_required
@require_http_methods(["GET", "POST"])
def joint_create(request):
    access.require_planner(request.user)
    error, check = None, None
    if request.method == "POST":
        p = request.POST
        parties = []
        for code, role, duties in zip(
            p.getlist("party_department"),
            p.getlist("party_role"),
            p.getlist("party_duties"),
            strict=False,
        ):
            if code.strip():
                key = (
                    "department_code"
                    if Department.objects.filter(code=code.strip()).exists()
                    else "external_name"
                )
                parties.append({key: code.strip(), "role": role, "duties": duties})
        data = {
            "credit_code": p.get("credit_code", ""),
            "items": p.getlist("items"),
            "planned_date": p.get("planned_date", ""),
            "trigger": p.get("trigger", "annual_plan"),
            "officer_ids": p.getlist("officer_ids"),
            "parties": parties,
            "notes": p.get("notes", ""),
        }
        try:
            plan = joint.create_joint_plan(actor=request.user, data=data)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("已生成联合检查计划和检查（计为一次）。"))
            for w in plan.warnings:
                messages.warning(request, w["message"])
            return redirect("planning:joint")
    from fairinspect.registry.access import officers_visible_to

    return render(
        request,
        "planning/joint_form.html",
        {
            "values": request.POST,
            "error": error,
            "check": check,
            "items": items_in_force(),
            "departments": Department.objects.filter(kind="bureau"),
            "officers": officers_visible_to(request.user).filter(status="on_duty")[:300],
            "today": timezone.localdate(),
        },
        status=422 if error else 200,
    )
