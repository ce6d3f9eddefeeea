"""Reads of the enterprise's records, turned into rule values and decided by
`rules.selfcheck` (the pages, the API and the services ask the same functions)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Max, QuerySet

from fairinspect.registry.models import Enterprise
from fairinspect.rules import selfcheck as rule
from fairinspect.rules.checkin import effective_grade

from . import standards
from .models import GroupMember, SelfCheck, SelfInspection, SelfReportedHazard

# ---- the group


def current_members(enterprise_id: int, on: dt.date | None = None) -> QuerySet[GroupMember]:
    qs = GroupMember.objects.filter(enterprise_id=enterprise_id)
    if on is None:
        return qs.filter(left_on__isnull=True)
    return qs.filter(joined_on__lte=on).exclude(left_on__lt=on)


def group_gaps(enterprise_id: int) -> tuple[rule.Reason, ...]:
    return rule.check_group(current_members(enterprise_id).values_list("role", flat=True))


# ---- quarters (R11.2)


def check_facts(enterprise_id: int, year: int) -> list[rule.CheckFact]:
    rows = SelfCheck.objects.filter(enterprise_id=enterprise_id, year=year).values_list(
        "checked_on", "reported_to_main_person_on", "main_person_took_part", "number"
    )
    return [rule.CheckFact(d, r is not None, m, n) for d, r, m, n in rows]


def coverage_for(enterprise_id: int, year: int, today: dt.date) -> rule.Coverage:
    return rule.coverage(
        check_facts(enterprise_id, year),
        year=year,
        today=today,
        starts=standards.counting_starts(),
    )


@dataclass(frozen=True)
class FlaggedEnterprise:
    enterprise: Enterprise
    coverage: rule.Coverage


def flagged_enterprises(
    enterprises: QuerySet[Enterprise], *, year: int, today: dt.date, limit: int = 500
) -> tuple[list[FlaggedEnterprise], int]:
    """The bureau's list: enterprises among `enterprises` with a missing quarter or a year
    without the main person. One query for the checks of all of them, then the rule per
    enterprise. Returns the first `limit` flagged and how many there are in all."""
    by_ent: dict[int, list[rule.CheckFact]] = defaultdict(list)
    rows = SelfCheck.objects.filter(
        year=year, enterprise__in=enterprises.order_by().values("pk")
    ).values_list(
        "enterprise_id",
        "checked_on",
        "reported_to_main_person_on",
        "main_person_took_part",
        "number",
    )
    for eid, d, r, m, n in rows.iterator(chunk_size=2000):
        by_ent[eid].append(rule.CheckFact(d, r is not None, m, n))
    starts = standards.counting_starts()
    flagged: list[FlaggedEnterprise] = []
    total = 0
    for ent in enterprises.order_by("district_code", "name").iterator(chunk_size=2000):
        cov = rule.coverage(by_ent.get(ent.pk, []), year=year, today=today, starts=starts)
        if cov.flags:
            total += 1
            if len(flagged) < limit:
                flagged.append(FlaggedEnterprise(ent, cov))
    return flagged, total


# ---- R11.3 / R7.6: a hazard officers found


def self_report_facts(enterprise_id: int) -> list[rule.SelfReport]:
    rows = SelfReportedHazard.objects.filter(enterprise_id=enterprise_id).values_list(
        "number", "item_code", "place", "reported_at", "status", "standard_item"
    )
    return [
        rule.SelfReport(n, i, p, at, s == SelfReportedHazard.Status.RECTIFYING, si)
        for n, i, p, at, s, si in rows
    ]


def found_fact(hazard) -> rule.FoundHazard:
    return rule.FoundHazard(
        level=hazard.level,
        item_code=hazard.item.code if hazard.item_id else "",
        place=hazard.place,
        found_at=hazard.created_at,
    )


def hazard_decision(hazard) -> rule.HazardDecision:
    """What a hazard officers recorded leads to (R11.3 or R7.6): the cases service and the
    pages call this, never their own reading of the flags."""
    flagged = hazard.self_report_reference if hazard.reported_by_enterprise else ""
    return rule.decide_found_hazard(
        found_fact(hazard), self_report_facts(hazard.enterprise_id), flagged_self_report=flagged
    )


def unreported_major_hazards(enterprises: QuerySet[Enterprise]):
    """Major hazards officers found that match no self-report (R7.6), with whether a case
    was opened. Read for the bureau's list."""
    from fairinspect.visits.models import Hazard

    out = []
    qs = (
        Hazard.objects.filter(level="major", enterprise__in=enterprises.order_by().values("pk"))
        .select_related("enterprise", "item", "visit")
        .prefetch_related("cases")
        .order_by("-created_at")[:200]
    )
    for h in qs:
        d = hazard_decision(h)
        if d.outcome is rule.HazardOutcome.DOUBLE_PENALTY:
            out.append((h, d, list(h.cases.all())))
    return out


# ---- R10.4 self-inspection


def eligibility_for(enterprise: Enterprise, on: dt.date) -> rule.Eligibility:
    from fairinspect.cases.models import CreditRecord, DishonestyListing

    last_accident = CreditRecord.objects.filter(
        enterprise=enterprise, kind=CreditRecord.Kind.ACCIDENT, on__lte=on
    ).aggregate(m=Max("on"))["m"]
    listed = DishonestyListing.objects.filter(enterprise=enterprise, status="listed").exists()
    grade = effective_grade(
        enterprise.standardization_grade, enterprise.grade_valid_to, on, enterprise.grade_valid_from
    )
    facts = rule.EligibilityFacts(
        credit_level=enterprise.credit_level,
        grade=grade.value,
        registered_on=enterprise.registered_on,
        last_accident_on=last_accident,
        listed=listed,
    )
    return rule.self_inspection_eligibility(facts, on=on, criteria=standards.eligibility_criteria())


def self_inspecting_enterprise_ids(year: int) -> QuerySet:
    """Enterprises whose self-inspection report for `year` the bureau accepted (R10.4): it
    stands in for that year's routine planned visits. Planning excludes them from draws."""
    return SelfInspection.objects.filter(
        year=year, status=SelfInspection.Status.ACCEPTED
    ).values_list("enterprise_id", flat=True)
