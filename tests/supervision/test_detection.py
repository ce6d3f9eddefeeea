"""R8.4: the detectors over the demo year find exactly the breaches planted in it; a second
run changes nothing; handling a breach to its close."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from fairinspect.supervision import demo
from fairinspect.supervision.models import Breach, Complaint
from fairinspect.visits.models import RectificationOrder, Visit

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 18)


@pytest.fixture
def demo_year():
    with time_machine.travel(dt.datetime(2026, 6, 18, 4, tzinfo=dt.UTC)):
        call_command("demo", enterprises=400, today=TODAY, stdout=io.StringIO())
    return set(demo.LAST_PLANTED)


def natural(rule: str) -> set[tuple[str, str]]:
    """Breaches the other demo builders put in on purpose, read back with plain ORM filters
    (an oracle independent of the detectors' SQL): the visits demo leaves ~5% of visits
    without a recording and orders open past their deadline; the cases demo leaves a case
    overdue and decisions not yet published; the registry demo gives some officers lapsed certificates."""
    lo = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) - dt.timedelta(hours=8)
    if rule == "no_recording":
        qs = Visit.objects.filter(
            missing_recording=True, status="done", kind="on_site", checked_in_at__gte=lo
        )
        return {(rule, f"visit:{pk}") for pk in qs.values_list("pk", flat=True)}
    if rule == "overdue_order":
        qs = RectificationOrder.objects.filter(
            status="issued", deadline__lt=TODAY - dt.timedelta(days=5)
        )
        return {(rule, f"order:{pk}") for pk in qs.values_list("pk", flat=True)}
    if rule == "overdue_case":
        from fairinspect.cases.models import Case
        from fairinspect.cases.queries import open_statuses

        qs = Case.objects.filter(next_due__lt=TODAY, status__in=open_statuses())
        return {(rule, f"case:{pk}") for pk in qs.values_list("pk", flat=True)}
    if rule == "overdue_disclosure":
        from django.db.models import F, Q

        from fairinspect.cases.models import Disclosure

        qs = Disclosure.objects.filter(
            Q(published_on__isnull=True, due_on__lt=TODAY) | Q(published_on__gt=F("due_on"))
        )
        return {(rule, f"disclosure:{pk}") for pk in qs.values_list("pk", flat=True)}
    if rule in ("lapsed_certificate", "too_few_certified"):
        from fairinspect.registry.models import Certificate

        out = set()
        for v in (
            Visit.objects.filter(kind="on_site", checked_in_at__gte=lo)
            .exclude(enterprise__name__startswith="监督演示")
            .prefetch_related("team")
        ):
            day = v.checked_in_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
            present = [m for m in v.team.all() if m.confirmed_at]
            ok = [
                m
                for m in present
                if Certificate.objects.filter(
                    number=m.certificate_number,
                    status="valid",
                    valid_from__lte=day,
                    valid_to__gte=day,
                ).exists()
            ]
            if rule == "lapsed_certificate" and len(ok) < len(present):
                out.add((rule, f"visit:{v.pk}"))
            if rule == "too_few_certified" and len(ok) < 2:
                out.add((rule, f"visit:{v.pk}"))
        return out
    return set()


def test_r8_4_the_demo_year_holds_every_planted_breach_complaints_in_every_state_and_a_review_plan(
    demo_year,
):
    """One demo build (slow on a shared machine) proves four things."""
    from fairinspect.rules.breaches import Rule
    from fairinspect.rules.complaints import State
    from fairinspect.supervision.models import ReviewPlan
    from fairinspect.supervision.services import reviews

    # The detectors find exactly what was planted (and what the other builders planted).
    found = set(Breach.objects.values_list("rule", "key"))
    expected = set(demo_year)
    for rule in {r for r, _k in found} | {r for r, _k in expected}:
        expected |= natural(rule)
    assert found - expected == set() and expected - found == set()
    assert {r for r, _k in demo_year} == {r.value for r in Rule}
    # A second run changes nothing and keeps the handling of a breach.
    before = list(Breach.objects.order_by("id").values_list("id", "rule", "key", "message"))
    b = Breach.objects.first()
    b.status, b.explanation = "explained", "已说明"
    b.save()
    call_command("detect_breaches", "--today", TODAY.isoformat(), stdout=io.StringIO())
    after = list(Breach.objects.order_by("id").values_list("id", "rule", "key", "message"))
    assert after == before and Breach.objects.get(pk=b.pk).status == "explained"
    # R8.1: complaints in every state.
    assert set(Complaint.objects.values_list("state", flat=True)) == {s.value for s in State}
    # R8.3: the review plan reproduces its sample from its published seed.
    plan = ReviewPlan.objects.get()
    assert plan.status == "published" and plan.seed == "20250618"
    assert any(v["selected"] for v in plan.strata.values())
    assert reviews.verify_plan(plan)
