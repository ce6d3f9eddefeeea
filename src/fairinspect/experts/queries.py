"""Reads of the pool: each expert with this year's training hours, evaluations and visits."""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, Q, Sum

from fairinspect.registry.models import Expert


def pool(today: dt.date):
    year = today.year
    return (
        Expert.objects.annotate(
            training_hours=Sum("trainings__hours", filter=Q(trainings__on__year=year)),
            score=Avg("evaluations__score"),
            evaluations_n=Count("evaluations", distinct=True),
            visits_n=Count("visits", distinct=True),
        )
        .prefetch_related("conflicts")
        .order_by("name", "id")
    )


def candidates(visit):
    """Appointed experts of the pool for the plan page, each with the rule's decision."""
    from . import services

    out = []
    qs = Expert.objects.exclude(pk__in=visit.experts.values("pk")).prefetch_related(
        "ties", "conflicts"
    )
    for e in qs.filter(status="appointed").order_by("name")[:100]:
        out.append((e, services.join_decision(e, visit)))
    return out
