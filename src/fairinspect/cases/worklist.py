"""Cases' part of the start pages (core/worklist.py): filings, discussions and decisions
waiting for an approver; cases waiting for the legal reviewer (法制审核)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fairinspect.core.roles import Role, has_role
from fairinspect.core.worklist import WorkItem, source

from . import access
from .procedure import STEPS


def _waiting_for(actions: tuple[str, ...]) -> list[str]:
    """The statuses from which these steps of the case workflow start (cases/procedure.py)."""
    return sorted({status for action in actions for status in STEPS[action].sources})


def _items(user, statuses: list[str]) -> list[WorkItem]:
    qs = (
        access.cases_visible_to(user)
        .filter(status__in=statuses)
        .select_related("enterprise")
        .order_by("id")
    )
    return [
        WorkItem(
            f"{c} · {c.enterprise.name}",
            reverse("cases:case_detail", args=[c.pk]),
            c.get_status_display(),
        )
        for c in qs[:100]
    ]


@source(
    "approvals",
    title=_("待审批的行政处罚案件（立案、集体讨论、决定、结案）"),
    more="cases:case_list",
    order=50,
)
def cases_awaiting_approval(user, today):
    if not has_role(user, Role.APPROVER):
        return []
    return _items(user, _waiting_for(("approve_filing", "discuss", "decide", "close")))


@source("review", title=_("待法制审核的案件"), more="cases:case_list?status=notified", order=10)
def cases_awaiting_review(user, today):
    if not has_role(user, Role.LEGAL_REVIEWER):
        return []
    return _items(user, _waiting_for(("legal_review",)))
