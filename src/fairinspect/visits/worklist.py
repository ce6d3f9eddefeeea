"""The visits' part of each role's start page (core/worklist.py): the officer's visits of
today, and the on-site plans waiting for an approver."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fairinspect.core.roles import Role, has_role
from fairinspect.core.worklist import WorkItem, source

from . import access
from .models import Visit
from .services.common import officer_of


def _item(v: Visit) -> WorkItem:
    return WorkItem(
        label=v.enterprise.name,
        url=reverse("visits:detail", args=[v.pk]),
        detail=f"{v.planned_date:%Y-%m-%d} · {v.get_status_display()}",
    )


@source("today", title=_("今天的检查"), more="visits:day", order=10)
def todays_visits(user, today):
    officer = officer_of(user)
    if officer is None:
        return []
    qs = (
        access.visits_visible_to(user)
        .filter(team__officer=officer, planned_date=today)
        .exclude(status=Visit.Status.CANCELLED)
        .select_related("enterprise")
        .order_by("id")
    )
    return [_item(v) for v in qs]


@source(
    "approvals",
    title=_("待审批的检查方案（一企一方案）"),
    more="visits:mine?scope=approve",
    order=10,
)
def plans_awaiting_approval(user, today):
    if not has_role(user, Role.APPROVER):
        return []
    qs = (
        access.visits_visible_to(user)
        .filter(status=Visit.Status.PLAN_SUBMITTED)
        .select_related("enterprise")
        .order_by("planned_date", "id")
    )
    return [_item(v) for v in qs[:100]]
