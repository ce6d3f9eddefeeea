"""Reads for 谁执法谁普法 (R2.4) and the entry kinds of R8.6: the guidance a visit proposes,
what an enterprise received, and the counts supervisors see (as activity, never targets)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractYear

from fairinspect.catalog import guidance as guidance_list
from fairinspect.rules.guidance import EntryKind, GuidanceProposal, propose_guidance

from .models import Finding, GuidanceGiven, Visit

ENTRY_KINDS_FILE = Path(__file__).resolve().parent / "data" / "entry_kinds.json"


@cache
def entry_kinds() -> dict[str, EntryKind]:
    data = json.loads(ENTRY_KINDS_FILE.read_text(encoding="utf-8"))
    return {k["code"]: EntryKind(k["code"], k["label"], k["premises"]) for k in data["kinds"]}


def entry_kind_label(code: str) -> str:
    kind = entry_kinds().get(code)
    return kind.label if kind else code


def proposals_for(visit: Visit) -> tuple[GuidanceProposal, ...]:
    """What the list in force proposes for this visit: by the enterprise's industry, the
    visit's items and the items found non-compliant at its earlier visits."""
    version = guidance_list.version_in_force()
    if version is None:
        return ()
    past_items = (
        Finding.objects.filter(
            visit__enterprise_id=visit.enterprise_id, result=Finding.Result.NON_COMPLIANT
        )
        .exclude(visit=visit)
        .values_list("item__code", flat=True)
        .distinct()
    )
    return propose_guidance(
        guidance_list.facts(version.entries.all()),
        industry_code=visit.enterprise.industry_id or "",
        item_codes=[i.code for i in visit.items.all()],
        past_item_codes=list(past_items),
    )


def given_at(visit: Visit) -> QuerySet[GuidanceGiven]:
    return visit.guidance_given.select_related("entry").order_by("entry__code")


def received_by(enterprise_id: int) -> QuerySet[GuidanceGiven]:
    return (
        GuidanceGiven.objects.filter(enterprise_id=enterprise_id)
        .select_related("entry", "visit")
        .order_by("-recorded_at", "entry__code")
    )


def activity_by_year(enterprises) -> list[dict]:
    """Per year: visits with guidance recorded, entries explained, enterprises reached."""
    return list(
        GuidanceGiven.objects.filter(enterprise__in=enterprises)
        .annotate(year=ExtractYear("recorded_at"))
        .values("year")
        .annotate(
            entries=Count("id"),
            visits=Count("visit", distinct=True),
            enterprises=Count("enterprise", distinct=True),
        )
        .order_by("-year")
    )


def activity_by_enterprise(enterprises, year: int, *, limit: int = 200) -> list[dict]:
    return list(
        GuidanceGiven.objects.filter(enterprise__in=enterprises, recorded_at__year=year)
        .values("enterprise__credit_code", "enterprise__name")
        .annotate(entries=Count("id"), visits=Count("visit", distinct=True))
        .order_by("enterprise__name")[:limit]
    )
