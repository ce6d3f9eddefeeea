"""Planning's part of the approver's start page (core/worklist.py): annual plans, special
inspections and re-draws waiting for the approver of their bureau."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fairinspect.core.errors import Forbidden
from fairinspect.core.roles import Role, has_role
from fairinspect.core.worklist import WorkItem, source

from . import access
from .models import AnnualPlan, Draw, SpecialInspection


def _may_approve(user, department) -> bool:
    try:
        access.require_approver(user, department)
    except Forbidden:
        return False
    return True


@source("approvals", title=_("待审批的年度计划"), more="planning:plan_list", order=20)
def plans_awaiting_approval(user, today):
    if not has_role(user, Role.APPROVER):
        return []
    qs = access.plans_visible_to(user).filter(status=AnnualPlan.Status.SUBMITTED).order_by("id")
    return [
        WorkItem(p.title, reverse("planning:plan_detail", args=[p.pk]), p.department.name)
        for p in qs
        if _may_approve(user, p.department)
    ]


@source("approvals", title=_("待审批的专项检查"), more="planning:special_list", order=30)
def specials_awaiting_approval(user, today):
    if not has_role(user, Role.APPROVER):
        return []
    qs = (
        access.specials_visible_to(user)
        .filter(status=SpecialInspection.Status.SUBMITTED)
        .select_related("department")
        .order_by("id")
    )
    return [
        WorkItem(s.title, reverse("planning:special_detail", args=[s.pk]), s.department.name)
        for s in qs
        if _may_approve(user, s.department)
    ]


@source("approvals", title=_("待批准的重新抽取"), more="planning:task_list", order=40)
def redraws_awaiting_approval(user, today):
    if not has_role(user, Role.APPROVER):
        return []
    qs = (
        Draw.objects.filter(
            task__in=access.tasks_visible_to(user), status=Draw.Status.AWAITING_APPROVAL
        )
        .select_related("task", "task__department")
        .order_by("id")
    )
    return [
        WorkItem(d.task.title, reverse("planning:task_detail", args=[d.task_id]), d.redraw_reason)
        for d in qs
        if _may_approve(user, d.task.department)
    ]
