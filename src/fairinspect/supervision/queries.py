"""Reads for complaints: filters of the register, deadlines, the actions a viewer may take,
possible duplicates and what the public lookup shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from django.db.models import Q, QuerySet

from fairinspect.cases.procedure import is_workday
from fairinspect.rules import complaints as rule

from .models import Complaint
from .services.complaints import deadline_table


@dataclass(frozen=True)
class ComplaintFilter:
    state: str = ""
    channel: str = ""
    subject: str = ""
    overdue: bool = False
    q: str = ""

    @classmethod
    def from_query(cls, get) -> ComplaintFilter:
        return cls(
            state=get.get("state", ""),
            channel=get.get("channel", ""),
            subject=get.get("subject", ""),
            overdue=get.get("overdue") == "1",
            q=(get.get("q") or "").strip(),
        )


def filter_complaints(qs: QuerySet[Complaint], f: ComplaintFilter, *, today: dt.date):
    if f.state in {s.value for s in rule.State}:
        qs = qs.filter(state=f.state)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.subject:
        qs = qs.filter(subject=f.subject)
    if f.overdue:
        qs = overdue(qs, today=today)
    if f.q:
        qs = qs.filter(
            Q(number=f.q.upper())
            | Q(work_order_number=f.q)
            | Q(content__contains=f.q)
            | Q(enterprise__name__contains=f.q)
        )
    return qs.select_related("enterprise", "handling_unit").order_by("-received_at", "-id")


def overdue(qs: QuerySet[Complaint], *, today: dt.date) -> QuerySet[Complaint]:
    return qs.filter(next_due__lt=today, state__in=[s.value for s in rule.OPEN_STATES])


def dues_of(c: Complaint) -> list[dict]:
    out = []
    done = {
        "accept": c.accepted_on or (c.received_on if c.state == "refused" else None),
        "assign": c.assigned_on,
        "verify": c.verified_on,
        "handle": c.handled_on,
        "reply": c.replied_on,
    }
    for d in rule.all_dues(
        table=deadline_table(),
        received_on=c.received_on,
        accepted_on=c.accepted_on,
        is_workday=is_workday,
    ):
        out.append(
            {
                "step": d.step,
                "label": d.label,
                "due": d.due,
                "source": d.rule.source,
                "done": done.get(d.step),
                "current": d.step == c.next_due_step,
            }
        )
    return out


def allowed_actions(c: Complaint, who: str | None) -> list[str]:
    if who is None:
        return []
    return [
        a.value
        for a, s in rule.STEPS.items()
        if rule.State(c.state) in s.sources and rule.Actor(who) in s.actors
    ]


def possible_duplicates(c: Complaint, *, days: int = 30) -> QuerySet[Complaint]:
    """Other complaints about the same enterprise or officer within a month: candidates the
    supervisor may merge (merging stays a human decision)."""
    if not (c.enterprise_id or c.officer_id):
        return Complaint.objects.none()
    same = Q(enterprise_id=c.enterprise_id) if c.enterprise_id else Q(officer_id=c.officer_id)
    lo, hi = c.received_on - dt.timedelta(days=days), c.received_on + dt.timedelta(days=days)
    return (
        Complaint.objects.filter(same, received_on__range=(lo, hi))
        .exclude(pk=c.pk)
        .exclude(state__in=["merged", "refused"])
        .order_by("received_on")[:10]
    )


def public_view(c: Complaint) -> Complaint:
    """A merged complaint shows the progress and reply of the one it was merged into."""
    seen = 0
    while c.merged_into_id and seen < 5:
        c = cast(Complaint, c.merged_into)  # merged_into_id is set
        seen += 1
    return c
