"""Reads for the supervisor's home page and dashboard: every number is one aggregate query
(set-based, indexed), and every number carries the filter that opens the records behind it."""

from __future__ import annotations

import datetime as dt

from fairinspect.rules import complaints as crule

from .models import Breach, Complaint, ConductCase, ReviewFinding


def home_counts(today: dt.date) -> dict[str, int]:
    open_states = [s.value for s in crule.OPEN_STATES]
    return {
        "complaints_open": Complaint.objects.filter(state__in=open_states).count(),
        "complaints_overdue": Complaint.objects.filter(
            state__in=open_states, next_due__lt=today
        ).count(),
        "complaints_received": Complaint.objects.filter(state="received").count(),
        "breaches_open": Breach.objects.exclude(status="closed").count(),
        "conduct_open": ConductCase.objects.filter(status="open").count(),
        "findings_open": ReviewFinding.objects.filter(status="open").count(),
    }
