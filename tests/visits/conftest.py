"""Fixtures for visits: the item list in force, a team of two certified officers, visits in
any state, made through the services (so the tests walk the same path a user does)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine

from fairinspect.core.roles import Role

TODAY = dt.date(2025, 6, 18)
_nonce = itertools.count(1)


def nonce() -> str:
    return f"nonce-{next(_nonce):06d}"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2025, 6, 18, 9, 30, tzinfo=dt.UTC), tick=True):
        yield


@pytest.fixture
def items(db):
    from fairinspect.catalog.models import InspectionItem
    from fairinspect.catalog.services import load_default_list

    load_default_list()
    hz = InspectionItem.objects.filter(version__status="published", domain="hazchem")
    return {
        "onsite": list(hz.filter(offsite_capable=False).order_by("code")[:3]),
        "offsite": list(hz.filter(offsite_capable=True).order_by("code")[:1]),
    }


@pytest.fixture
def city_enterprise(make_enterprise):
    return make_enterprise(
        name="乌市示例石化有限公司",
        supervising_level="city",
        high_risk=True,
        standardization_grade=1,
    )


@pytest.fixture
def team(make_user, make_officer):
    """Two city officers with logins and valid hazchem certificates."""
    u1 = make_user("wh_officer1", Role.OFFICER, department="650100-WH", first_name="李明")
    u2 = make_user("wh_officer2", Role.OFFICER, department="650100-WH", first_name="张华")
    o1 = make_officer("李明", department="650100-WH", user=u1)
    o2 = make_officer("张华", department="650100-WH", user=u2)
    return (u1, o1), (u2, o2)


@pytest.fixture
def approver_user(make_user):
    return make_user("approver_wh", Role.APPROVER, department="650100-WH", first_name="赵科长")


@pytest.fixture
def new_visit(items, team, city_enterprise):
    from fairinspect.visits import services

    (u1, o1), (_u2, o2) = team

    def make(
        enterprise=None,
        *,
        trigger="annual_plan",
        justification=None,
        officers=None,
        item_codes=None,
        planned_date=TODAY,
        kind="on_site",
        **kw,
    ):
        return services.create_visit(
            actor=u1,
            enterprise=enterprise or city_enterprise,
            kind=kind,
            trigger=trigger,
            planned_date=planned_date,
            item_codes=item_codes or [i.code for i in items["onsite"][:2]],
            officer_ids=officers or [o1.pk, o2.pk],
            justification=justification,
            today=TODAY,
            **kw,
        )

    return make


@pytest.fixture
def approved_visit(new_visit, team, approver_user):
    from fairinspect.visits import services

    (u1, _o1), _ = team

    def make(*args, **kw):
        v = new_visit(*args, **kw)
        services.submit_plan(actor=u1, visit=v)
        return services.approve_plan(actor=approver_user, visit=v, today=TODAY)

    return make


@pytest.fixture
def started_visit(approved_visit, team):
    from fairinspect.visits import services

    (u1, _o1), (u2, _o2) = team

    def make(*args, **kw):
        v = approved_visit(*args, **kw)
        services.confirm_check_in(actor=u1, visit_id=v.pk, nonce=nonce())
        out = services.confirm_check_in(actor=u2, visit_id=v.pk, nonce=nonce())
        assert out.started
        return out.visit

    return make


def complaint(ref="TS-2025-0001", day=dt.date(2025, 6, 1)):
    return {
        "kind": "complaint_record",
        "reference": ref,
        "date": day.isoformat(),
        "summary": "群众举报储罐区违规动火",
    }
