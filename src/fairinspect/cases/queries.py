"""Reads for cases: lists with filters, the overdue list, the public disclosure list."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from .models import Case, Disclosure, NoPenaltyListVersion
from .procedure import OPEN_STATUSES

DUE_LABELS = {
    "decision": "作出处罚决定（立案后90日）",
    "service": "送达决定书（7个工作日）",
    "publication": "公开处罚决定（7个工作日）",
    "payment": "缴纳罚款（15日）",
    "statement": "陈述申辩期（3个工作日）",
    "hearing_request": "申请听证（5个工作日）",
    "hearing_notice": "通知听证（听证7个工作日前）",
}


# The case lists (page and `GET /api/v1/cases`) page by keyset (core/paging.py) in this order.
CASE_ORDER = ("-id",)
CASE_SCOPE = "cases.list"


def filter_cases(qs: QuerySet[Case], *, status: str = "", q: str = "", outside: bool = False):
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(cause__contains=q) | qs.filter(enterprise__name__contains=q)
    if outside:
        qs = qs.filter(outside_range=True)
    return qs.select_related("enterprise").order_by("-id")


def overdue(qs: QuerySet[Case], *, today: dt.date) -> QuerySet[Case]:
    """Cases whose nearest open deadline has passed, most overdue first (index on next_due)."""
    return (
        qs.filter(next_due__lt=today)
        .select_related("enterprise")
        .only(
            "id",
            "number",
            "cause",
            "status",
            "party",
            "person_name",
            "next_due",
            "next_due_kind",
            "decision_due",
            "enterprise__name",
        )
        .order_by("next_due", "id")
    )


def published_disclosures() -> QuerySet[Disclosure]:
    """Published and not ended by a granted credit repair (R10.3: 终止公示)."""
    return (
        Disclosure.objects.filter(published_on__isnull=False)
        .exclude(case__repair_applications__status="granted")
        .order_by("-decided_on", "-id")
    )


def no_penalty_versions() -> QuerySet[NoPenaltyListVersion]:
    return NoPenaltyListVersion.objects.exclude(status="draft")


def open_statuses() -> tuple[str, ...]:
    return OPEN_STATUSES


# ---- the party's own deadlines ----------------------------------------------------------------

PARTY_DEADLINES = ("statement", "hearing_request", "payment")
PARTY_DUE_LABELS = {
    "statement": "陈述、申辩（收到告知书之日起3个工作日内）",
    "hearing_request": "要求听证（收到听证告知书之日起5个工作日内）",
    "payment": "缴纳罚款（收到决定书之日起15日内，逾期每日加处3%）",
}


def party_deadlines(case: Case, today: dt.date) -> list[dict]:
    """The deadlines the party itself has to meet, for its own page and the API."""
    from .services.deadlines import deadlines

    all_due = deadlines(case)
    out = []
    for name in PARTY_DEADLINES:
        x = all_due.get(name)
        if x is None:
            continue
        if name == "hearing_request" and not case.hearing_required:
            continue
        if name == "payment" and (case.outcome != "penalty" or not case.fine_amount):
            continue
        done = (name == "payment" and case.paid_on is not None) or (
            name in ("statement", "hearing_request") and case.status != "notified"
        )
        out.append(
            {
                "name": name,
                "label": PARTY_DUE_LABELS[name],
                "due": x.due,
                "done": done,
                "passed": not done and x.due < today,
            }
        )
    return out
