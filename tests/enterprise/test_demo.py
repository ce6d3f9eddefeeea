"""The demo holds every state of the enterprise's side."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

TODAY = dt.date(2025, 11, 20)


@pytest.mark.django_db
def test_the_demo_holds_every_state_of_the_enterprises_side(settings, tmp_path):
    from fairinspect.cases import services as case_services
    from fairinspect.enterprise import queries
    from fairinspect.enterprise.models import (
        GroupChange,
        RectificationReport,
        SelfInspection,
        SelfReportedHazard,
    )
    from fairinspect.registry.models import User
    from fairinspect.visits.models import Hazard

    settings.MEDIA_ROOT = tmp_path
    call_command("demo", enterprises=400, today=TODAY, stdout=io.StringIO())
    ent = User.objects.get(username="enterprise").enterprise
    assert GroupChange.objects.filter(enterprise=ent, action="left").exists()
    cov = queries.coverage_for(ent.pk, TODAY.year, TODAY)
    assert [q.quarter for q in cov.missing] == [3]  # a missing quarter, flagged
    assert cov.quarters[3].status.value == "covered"
    assert {h.status for h in SelfReportedHazard.objects.filter(enterprise=ent)} == {
        "rectifying",
        "rectified",
    }
    assert {r.review for r in RectificationReport.objects.all()} >= {"pending", "accepted"}
    assert set(SelfInspection.objects.values_list("status", flat=True)) == {
        "accepted",
        "submitted",
        "returned",
    }
    matched = Hazard.objects.filter(enterprise=ent, place="2号储罐区东侧").get()
    assert case_services.hazard_plan(matched)["allowed"] is False  # R11.3
    hidden = Hazard.objects.filter(level="major").exclude(pk=matched.pk).first()
    assert hidden is not None and case_services.hazard_plan(hidden)["double"]  # R7.6
