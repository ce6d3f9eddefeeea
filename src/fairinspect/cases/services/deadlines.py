"""The legal deadlines of a case (R7.4), working days from the official calendar."""

from __future__ import annotations

from fairinspect.rules import deadlines as dl

from ..models import (
    Case,
)
from ..procedure import is_workday

# ---- deadlines ---------------------------------------------------------------------------------


def deadlines(case: Case) -> dict[str, dl.Deadline]:
    if not case.filed_on:
        return {}
    exts = (
        [dl.Extension(e.days, e.reason, e.approved_on) for e in case.extensions.all()]
        if case.pk
        else []
    )
    return dl.due_dates(
        filed_on=case.filed_on,
        is_workday=is_workday,
        notice_served_on=case.notice_served_on,
        decided_on=case.decided_on,
        decision_served_on=case.served_on,
        hearing_on=case.hearing_on,
        extensions=exts,
    )


def open_deadlines(case: Case, all_due: dict[str, dl.Deadline] | None = None):
    """The deadlines the bureau (or the party, for payment) still has to meet."""
    all_due = deadlines(case) if all_due is None else all_due
    out = []
    if case.status in ("investigating", "notified", "reviewed", "discussed"):
        out.append(all_due.get("decision"))
    if case.status == "decided":
        out.append(all_due.get("service"))
    if case.decided_on and case.outcome == "penalty":
        disc = getattr(case, "disclosure", None) if case.pk else None
        if disc is None or disc.published_on is None:
            out.append(all_due.get("publication"))
    if case.status == "served" and case.outcome == "penalty" and (case.fine_amount or 0) > 0:
        out.append(all_due.get("payment"))
    return [x for x in out if x is not None]


def refresh_due(case: Case) -> None:
    case.refresh_from_db()
    all_due = deadlines(case)
    pending = sorted(open_deadlines(case, all_due), key=lambda x: x.due)
    decision = all_due.get("decision")
    Case.objects.filter(pk=case.pk).update(
        decision_due=decision.due if decision else None,
        next_due=pending[0].due if pending else None,
        next_due_kind=pending[0].name if pending else "",
    )
    case.refresh_from_db()
