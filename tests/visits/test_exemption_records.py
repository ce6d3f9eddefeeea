"""R3.3: an exempt visit rests on a record that exists, of that enterprise, of the right kind,
dated on or before the visit, and not used up (one inspection per record round)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction

from fairinspect.core.errors import ValidationFailed
from fairinspect.visits import services
from fairinspect.visits.models import Visit

from .conftest import TODAY, complaint, nonce

pytestmark = pytest.mark.django_db

TRIGGERS = ["application", "complaint", "follow_up", "monitoring", "referral"]


def record_for(records, trigger, enterprise=None, *, day=None):
    ent = enterprise or records.enterprise
    kw = {"day": day} if day else {}
    if trigger == "complaint":
        return complaint(ent, f"TS-{ent.pk}-{day or 'x'}", **kw)
    make = {
        "application": records.application,
        "monitoring": records.warning,
        "referral": records.referral,
    }
    if trigger == "follow_up":
        return records.order(ent, **kw)[1]
    return make[trigger](ent, **kw)[1]


def refused(new_visit, trigger, justification, **kw) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as e:
        new_visit(trigger=trigger, justification=justification, **kw)
    return e.value


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_r3_3_an_exempt_visit_with_a_matching_record_links_it(trigger, new_visit, records):
    j = record_for(records, trigger)
    v = new_visit(trigger=trigger, justification=j)
    assert v.justification_reference == j["reference"]
    assert v.justification_kind == j["kind"]
    assert v.justification_enterprise_id == records.enterprise.pk
    assert v.justification_round == 1
    assert v.justification_date is not None and v.justification_date <= v.planned_date


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_r3_3_a_reference_that_matches_nothing_is_refused_naming_the_field(
    trigger, new_visit, records
):
    kind = record_for(records, trigger)["kind"]  # a record exists, but not this one
    err = refused(new_visit, trigger, {"kind": kind, "reference": "编号-不存在-404"})
    assert (err.code, err.field) == ("justification_not_found", "justification.reference")
    assert "不存在-404" in err.message
    assert not Visit.objects.filter(trigger=trigger, status="draft").exists()


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_r3_3_another_enterprises_record_is_refused(
    trigger, new_visit, records, shayibake_enterprise
):
    j = record_for(records, trigger, shayibake_enterprise)
    err = refused(new_visit, trigger, j)
    assert (err.code, err.field) == ("justification_other_enterprise", "justification.reference")


def test_r3_3_a_warning_that_is_not_serious_justifies_nothing(new_visit, records):
    """Only a serious (orange or red) monitoring warning is 数据监测监控发现的严重违法行为: a yellow
    warning of the same enterprise is a record, but not one that lifts the cap."""
    _w, j = records.warning(grade="yellow")
    err = refused(new_visit, "monitoring", j)
    assert (err.code, err.field) == ("justification_not_found", "justification.reference")
    _w, red = records.warning(grade="red")
    assert new_visit(trigger="monitoring", justification=red).justification_round == 1


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_r3_3_a_record_dated_after_the_visit_is_refused(trigger, new_visit, records):
    later = dt.date(2025, 6, 25)
    with time_machine.travel(dt.datetime(2025, 6, 25, 10, tzinfo=dt.UTC)):
        j = record_for(records, trigger, day=later)
    err = refused(new_visit, trigger, j, planned_date=dt.date(2025, 6, 20))
    assert err.code == "justification_after_visit"


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_r3_3_a_used_up_record_is_refused_until_the_first_visit_is_cancelled(
    trigger, new_visit, records, team
):
    j = record_for(records, trigger)
    first = new_visit(trigger=trigger, justification=j)
    err = refused(new_visit, trigger, j)
    assert (err.code, err.field) == ("justification_used_up", "justification.reference")
    assert f"编号{first.pk}" in err.message
    services.cancel_visit(actor=team[0][0], visit=first, reason="计划调整")
    assert new_visit(trigger=trigger, justification=j).justification_round == 1


def test_r3_3_a_reopened_referral_justifies_one_more_visit(new_visit, records, approver_user):
    ref, j = records.referral()
    new_visit(trigger="referral", justification=j)
    services.set_referral_status(actor=approver_user, referral=ref, open=False)
    assert refused(new_visit, "referral", j).code == "justification_record_closed"
    ref = services.set_referral_status(actor=approver_user, referral=ref, open=True)
    assert ref.round == 2
    assert new_visit(trigger="referral", justification=j).justification_round == 2
    assert refused(new_visit, "referral", j).code == "justification_used_up"


def test_r3_3_an_application_not_yet_accepted_does_not_justify_a_visit(new_visit, records):
    _app, j = records.application(accept=False)
    err = refused(new_visit, "application", j)
    assert err.code == "justification_record_closed" and "待受理" in err.message


def test_r3_3_an_order_justifies_its_follow_up_only_while_open_or_just_due(new_visit, records):
    _o, j = records.order(day=dt.date(2025, 4, 1), deadline=dt.date(2025, 5, 1))  # due + 48 days
    assert refused(new_visit, "follow_up", j).code == "justification_record_expired"
    _o, j = records.order(day=dt.date(2025, 5, 1), deadline=dt.date(2025, 6, 5))  # due + 13 days
    assert new_visit(trigger="follow_up", justification=j).justification_kind == (
        "rectification_order"
    )


def test_r3_3_one_follow_up_per_order_through_the_follow_up_service(records, team, items):
    order, _j = records.order()
    (u1, o1), (_u2, o2) = team
    services.create_follow_up(
        actor=u1, order=order, planned_date=TODAY, officer_ids=[o1.pk, o2.pk], today=TODAY
    )
    with pytest.raises(ValidationFailed) as e:
        services.create_follow_up(
            actor=u1, order=order, planned_date=TODAY, officer_ids=[o1.pk, o2.pk], today=TODAY
        )
    assert e.value.code == "justification_used_up"


@pytest.mark.parametrize("trigger", ["monitoring"])
def test_r3_3_a_kind_no_app_can_check_yet_is_refused(trigger, new_visit, monkeypatch):
    """A kind whose app has not registered a resolver (here: the monitoring app taken out of
    the registry) cannot justify anything."""
    from fairinspect.rules.caps import JustificationKind
    from fairinspect.visits import justifications

    monkeypatch.delitem(justifications._RESOLVERS, JustificationKind.MONITORING_WARNING)
    j = {"kind": "monitoring_warning", "reference": "W-1", "summary": "可燃气体浓度超限"}
    err = refused(new_visit, trigger, j)
    assert (err.code, err.field) == ("justification_kind_unverifiable", "justification.kind")
    assert "该类依据尚无可核对的记录" in err.message


def test_r3_3_a_record_closed_after_approval_refuses_check_in_naming_the_field(
    approved_visit, records, team
):
    from fairinspect.visits.models import RectificationOrder

    order, j = records.order()
    v = approved_visit(trigger="follow_up", justification=j)
    RectificationOrder.objects.filter(pk=order.pk).update(status="rectified")
    with pytest.raises(ValidationFailed) as e:
        services.confirm_check_in(actor=team[0][0], visit_id=v.pk, nonce=nonce())
    assert (e.value.code, e.value.field) == (
        "justification_record_closed",
        "justification.reference",
    )
    assert not v.checkins.exists()


def test_r3_3_approval_checks_the_record_again(new_visit, records, team, approver_user):
    app, j = records.application()
    v = new_visit(trigger="application", justification=j)
    services.submit_plan(actor=team[0][0], visit=v)
    type(app).objects.filter(pk=app.pk).update(status="declined", decision_note="不属于本局职责")
    with pytest.raises(ValidationFailed) as e:
        services.approve_plan(actor=approver_user, visit=v, today=TODAY)
    assert e.value.code == "justification_record_closed"
    assert Visit.objects.get(pk=v.pk).status == "plan_submitted"


def test_r3_3_the_database_keeps_one_live_visit_per_record_round(new_visit, records):
    j = record_for(records, "application")
    v = new_visit(trigger="application", justification=j)
    twin = Visit.objects.get(pk=v.pk)
    twin.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_r3_3_the_api_refuses_a_reference_that_matches_nothing_with_422_and_the_field(
    client, api_token, team, items, city_enterprise, records
):
    (u1, o1), (_u2, o2) = team
    records.application()
    body = {
        "enterprise": city_enterprise.credit_code,
        "trigger": "application",
        "planned_date": TODAY.isoformat(),
        "item_codes": [items["onsite"][0].code],
        "officer_ids": [o1.pk, o2.pk],
        "justification": {
            "kind": "enterprise_application",
            "reference": "(乌)应急检申〔2025〕99号",
        },
    }
    r = client.post("/api/v1/visits", body, content_type="application/json", **api_token(u1))
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "justification_not_found"
    assert r.json()["field"] == "justification.reference"
    assert not Visit.objects.exists()
