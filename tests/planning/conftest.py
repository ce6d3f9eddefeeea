"""Fixtures for planning: the item list in force, a city bureau with enterprises and officers."""

from __future__ import annotations

import datetime as dt

import pytest

from fairinspect.core.roles import Role

TODAY = dt.date(2025, 3, 3)


@pytest.fixture
def items(db):
    from fairinspect.catalog.services import load_default_list

    return load_default_list()


@pytest.fixture
def city_bureau(db):
    from fairinspect.registry.models import Department

    return Department.objects.get(code="650100")


@pytest.fixture
def city_planner(make_user, make_officer):
    user = make_user("planner", Role.OFFICER, department="650100-WH", first_name="计划员")
    make_officer("计划员", department="650100-WH", user=user)
    return user


@pytest.fixture
def district_approver(make_user):
    return make_user("ts_approver", Role.APPROVER, department="650102")


@pytest.fixture
def city_enterprises(make_enterprise):
    """Twelve city-supervised hazchem enterprises and three district-supervised ones."""
    city = [make_enterprise(supervising_level="city") for _ in range(12)]
    district = [make_enterprise(supervising_level="district") for _ in range(3)]
    return city, district


@pytest.fixture
def city_officers(make_officer):
    """Six certified city officers, and four who must never be drawn."""
    good = [make_officer(f"好{i}") for i in range(5)]
    good.append(make_officer("综合", scopes=("general",), department="650100-ZD"))
    bad = {
        "expired": make_officer("过期", valid_to=dt.date(2024, 12, 31)),
        "off_post": make_officer("离岗", status="off_post"),
        "wrong_scope": make_officer("矿山", scopes=("mining",), department="650100-FM"),
        "suspended": make_officer("暂扣", cert_status="suspended"),
        "no_cert": make_officer("无证", certificate=False),
    }
    return good, bad


@pytest.fixture
def task_data():
    return {
        "title": "2025年危险化学品储存安全“双随机”抽查",
        "items": ["YJ-WH-004"],
        "window_start": "2025-04-01",
        "window_end": "2025-04-30",
        "count": "4",
    }


@pytest.fixture
def published_task(items, city_planner, city_enterprises, city_officers, task_data):
    from fairinspect.planning import draws

    task = draws.create_task(actor=city_planner, data=task_data)
    return draws.publish_pools(actor=city_planner, task=task)


@pytest.fixture
def fill_cap(db):
    """Give an enterprise ``n`` on-site visits done in February 2025 (its cap state then
    comes from the records, as the freeze reads them)."""
    from django.utils import timezone

    from fairinspect.registry.models import Department
    from fairinspect.visits.models import Visit

    def fill(enterprise, n: int) -> None:
        department = Department.objects.get(code="650100-WH")
        for i in range(n):
            day = dt.date(2025, 1, 1) + dt.timedelta(days=i)
            Visit.objects.create(
                enterprise=enterprise,
                kind="on_site",
                trigger="annual_plan",
                status="done",
                planned_date=day,
                department=department,
                inspecting_level="city",
                checked_in_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))),
            )

    return fill
