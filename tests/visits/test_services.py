"""Visits through the services: caps per cell, exemptions, check-in and its refusals,
the idempotent retry, the day's work and the follow-up (R1.3, R3.2-R3.4, R6)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.rules.caps import CELLS, DEFAULT_2025, EXEMPT_TRIGGERS, Grade
from fairinspect.visits import queries, services
from fairinspect.visits.models import CheckIn, Visit

from .conftest import TODAY, complaint, nonce

pytestmark = pytest.mark.django_db

JUSTIFY = {
    "complaint": ("complaint_record", "投诉举报记录"),
    "referral": ("referral_document", "转办交办"),
    "monitoring": ("monitoring_warning", "监测预警"),
    "application": ("enterprise_application", "企业申请"),
    "follow_up": ("rectification_order", "整改指令"),
}


def fill(enterprise, n, *, trigger="annual_plan", day=dt.date(2025, 3, 1), **extra):
    """n visits already done this year, written directly (history, not the path under test)."""
    from fairinspect.registry.models import Department

    dept = Department.objects.get(code="650100-WH")
    at = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
    Visit.objects.bulk_create(
        Visit(
            enterprise=enterprise,
            kind="on_site",
            trigger=trigger,
            status="done",
            planned_date=day,
            department=dept,
            inspecting_level="city",
            checked_in_at=at,
            checked_out_at=at + dt.timedelta(hours=2),
            **extra,
        )
        for _ in range(n)
    )


def _grade_fields(grade: Grade):
    return {"standardization_grade": None if grade is Grade.NONE else int(grade.value)}


@pytest.mark.parametrize(("high_risk", "grade"), CELLS, ids=lambda x: str(x))
def test_r3_2_the_cap_of_every_cell_of_the_seed_table_holds_through_the_service(
    high_risk, grade, make_enterprise, approved_visit, new_visit, team, approver_user
):
    cap = DEFAULT_2025.cap(high_risk, grade)
    ent = make_enterprise(supervising_level="city", high_risk=high_risk, **_grade_fields(grade))
    fill(ent, cap - 1)
    q = queries.quota_for(ent, year=2025, today=TODAY)
    assert (q.cap, q.used, q.remaining) == (cap, cap - 1, 1)
    approved_visit(ent)  # the last slot: approved (held at planning stage)
    v = new_visit(ent)
    services.submit_plan(actor=team[0][0], visit=v)
    with pytest.raises(Conflict) as e:
        services.approve_plan(actor=approver_user, visit=v, today=TODAY)
    assert e.value.code == "cap_reached"
    assert f"上限{cap}次" in e.value.message


def test_r3_2_an_expired_grade_counts_as_ungraded_through_the_service(make_enterprise):
    ent = make_enterprise(
        high_risk=True,
        standardization_grade=1,
        grade_valid_from=dt.date(2022, 1, 1),
        grade_valid_to=dt.date(2025, 1, 31),
    )
    assert queries.quota_for(ent, year=2025, today=TODAY).cap == 12


def test_r3_2_a_grade_not_yet_in_force_does_not_set_the_cap_at_check_in(
    make_enterprise, started_visit, approved_visit, team
):
    """Graded 一级 from September: in June the enterprise is still 未定级 (cap 5, not 2)."""
    ent = make_enterprise(
        supervising_level="city",
        high_risk=True,
        standardization_grade=1,
        grade_valid_from=dt.date(2025, 9, 1),
        grade_valid_to=dt.date(2028, 8, 31),
    )
    assert queries.quota_for(ent, year=2025, today=TODAY).cap == 12
    fill(ent, 2)  # 一级 would be full (2); 未定级 high risk allows 12
    v = started_visit(ent)
    assert v.status == "in_progress"


def test_r3_2_an_administrator_set_table_replaces_the_default(city_enterprise):
    from fairinspect.visits.models import CapTableSetting

    CapTableSetting.objects.create(year=2025, source="测试文件", high_risk_grade_1=3)
    assert queries.quota_for(city_enterprise, year=2025, today=TODAY).cap == 3
    table, _ = queries.cap_setting(2026)
    assert table is DEFAULT_2025  # no row for 2026: the seed's table, with its source


def _record(records, trigger, enterprise=None, **kw):
    """A real record of the kind the trigger needs (complaints: the stand-in registry)."""
    ent = enterprise or records.enterprise
    if trigger == "complaint":
        return complaint(ent, **kw)
    if trigger == "monitoring":
        return {"kind": "monitoring_warning", "reference": "W-2025-1", "summary": "超限报警"}
    return {
        "application": records.application,
        "referral": records.referral,
        "follow_up": records.order,
    }[trigger](ent, **kw)[1]


@pytest.mark.parametrize("trigger", ["application", "complaint", "follow_up", "referral"])
def test_r3_3_an_exempt_visit_resting_on_a_matching_record_goes_ahead_beyond_the_cap(
    trigger, city_enterprise, started_visit, records
):
    just = _record(records, trigger)  # an order comes with the visit that issued it
    fill(city_enterprise, 2 - queries.quota_for(city_enterprise, year=2025, today=TODAY).used)
    v = started_visit(trigger=trigger, justification=just)  # grade 1, high risk: cap 2, used up
    assert v.status == "in_progress"
    assert v.justification_round == 1 and v.justification_enterprise_id == city_enterprise.pk
    q = queries.quota_for(city_enterprise, year=2025, today=TODAY)
    assert (q.used, q.exempt_used) == (2, 1)


@pytest.mark.parametrize("trigger", sorted(t.value for t in EXEMPT_TRIGGERS))
def test_r3_3_an_exempt_trigger_without_its_justification_is_refused_with_the_reason(
    trigger, new_visit
):
    with pytest.raises(ValidationFailed) as e:
        new_visit(trigger=trigger, justification=None)
    assert e.value.code == "justification_missing"
    assert JUSTIFY[trigger][0] in str(e.value.extra) or "须关联" in e.value.message
    assert not Visit.objects.exists()


def test_r3_3_a_justification_of_the_wrong_kind_or_dated_after_the_visit_is_refused(
    new_visit, city_enterprise
):
    wrong = {**complaint(city_enterprise), "kind": "referral_document"}
    with pytest.raises(ValidationFailed) as e:
        new_visit(trigger="complaint", justification=wrong)
    assert (e.value.code, e.value.field) == ("justification_wrong_kind", "justification.kind")
    late = complaint(city_enterprise, "TS-LATE", day=dt.date(2025, 6, 30))
    with pytest.raises(ValidationFailed) as e:
        new_visit(trigger="complaint", justification=late)
    assert (e.value.code, e.value.field) == ("justification_after_visit", "justification.reference")


def test_r3_3_the_database_refuses_an_exempt_visit_without_a_reference(city_enterprise):
    from fairinspect.registry.models import Department

    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.create(
            enterprise=city_enterprise,
            kind="on_site",
            trigger="complaint",
            planned_date=TODAY,
            department=Department.objects.get(code="650100-WH"),
            inspecting_level="city",
        )


def test_r2_3_items_must_be_in_the_list_in_force(new_visit):
    with pytest.raises(ValidationFailed) as e:
        new_visit(item_codes=["NOPE-001"])
    assert e.value.code == "item_not_in_force" and e.value.field == "item_codes"


def test_r4_2_an_offsite_capable_item_needs_its_reason_before_submission(new_visit, items, team):
    u1 = team[0][0]
    code = items["offsite"][0].code
    v = new_visit(item_codes=[code])
    with pytest.raises(Conflict) as e:
        services.submit_plan(actor=u1, visit=v)
    assert e.value.extra["reasons"][0]["code"] == "offsite_reason_missing"
    services.update_plan(actor=u1, visit=v, data={"offsite_reasons": {code: "须现场核验"}})
    assert services.submit_plan(actor=u1, visit=v).status == "plan_submitted"


def test_r6_2_the_plan_is_drafted_from_items_profile_and_open_hazards(
    started_visit, new_visit, team
):
    v = started_visit()
    services.record_hazard(actor=team[0][0], visit=v, level="major", description="储罐无液位报警")
    v2 = new_visit(planned_date=dt.date(2025, 7, 1))
    assert "储罐无液位报警" in v2.plan.key_points
    assert v2.plan.drafted_from["open_hazards"] == 1
    assert [i["code"] for i in v2.plan.items] == list(v2.items.values_list("code", flat=True))


def test_r6_2_only_an_approver_approves_and_not_a_member_of_the_team(new_visit, team):
    u1 = team[0][0]
    v = new_visit()
    services.submit_plan(actor=u1, visit=v)
    with pytest.raises(Forbidden):
        services.approve_plan(actor=u1, visit=v, today=TODAY)


# ------------------------------------------------ check-in


def test_r1_3_check_in_starts_when_the_second_officer_confirms(approved_visit, team):
    (u1, _), (u2, _) = team
    v = approved_visit()
    first = services.confirm_check_in(actor=u1, visit_id=v.pk, nonce=nonce(), lat=43.8, lng=87.6)
    assert not first.started
    assert first.reasons[-1]["code"] == "awaiting_confirmation"
    second = services.confirm_check_in(actor=u2, visit_id=v.pk, nonce=nonce())
    assert second.started and second.visit.status == "in_progress"
    assert second.cap is not None and second.cap.allowed
    assert sorted(second.confirmed) == ["张华", "李明"]


def test_r3_4_a_retry_with_the_same_nonce_never_counts_twice(approved_visit, team, city_enterprise):
    (u1, _), (u2, _) = team
    v = approved_visit()
    services.confirm_check_in(actor=u1, visit_id=v.pk, nonce="retry-nonce-1")
    a = services.confirm_check_in(actor=u2, visit_id=v.pk, nonce="retry-nonce-2")
    b = services.confirm_check_in(actor=u2, visit_id=v.pk, nonce="retry-nonce-2")
    c = services.confirm_check_in(actor=u1, visit_id=v.pk, nonce="retry-nonce-1")
    assert a.started and b.started and b.replay and c.replay
    assert CheckIn.objects.filter(visit=v).count() == 2
    assert queries.quota_for(city_enterprise, year=2025, today=TODAY).used == 1


def test_r1_3_an_expired_certificate_is_refused_with_its_reason(approved_visit, team):
    (u1, o1), _ = team
    v = approved_visit()
    o1.certificates.update(valid_to=dt.date(2025, 6, 17))
    with pytest.raises(Conflict) as e:
        services.confirm_check_in(actor=u1, visit_id=v.pk, nonce=nonce())
    assert e.value.code == "no_valid_certificate"
    assert "没有有效的行政执法证件" in e.value.message
    assert not CheckIn.objects.exists()


def test_r1_3_a_single_officer_is_refused(new_visit, team, approved_visit):
    (u1, o1), _ = team
    with pytest.raises(ValidationFailed) as e:
        new_visit(officers=[o1.pk])
    assert e.value.code == "too_few_officers"
    v = approved_visit()
    with pytest.raises(Conflict) as e:
        services.confirm_check_in(actor=u1, visit_id=v.pk, nonce=nonce(), officer_ids=[o1.pk])
    assert e.value.code == "too_few_officers"


def test_r1_3_an_expert_is_never_the_second_person(approved_visit, team, expert_user):
    (u1, _o1), (_u2, o2) = team
    v = approved_visit()
    with pytest.raises(Forbidden) as e:
        services.confirm_check_in(actor=expert_user, visit_id=v.pk, nonce=nonce())
    assert "专家" in e.value.message
    # A team of one officer and an expert cannot check in either.
    v.team.filter(officer=o2).delete()
    with pytest.raises(Conflict) as e:
        services.confirm_check_in(actor=u1, visit_id=v.pk, nonce=nonce())
    assert e.value.code == "too_few_officers"


def test_r6_2_check_in_before_the_plan_is_approved_is_refused(new_visit, team):
    (u1, _), _ = team
    v = new_visit()
    with pytest.raises(Conflict) as e:
        services.confirm_check_in(actor=u1, visit_id=v.pk, nonce=nonce())
    assert e.value.code == "plan_not_approved"
    assert e.value.extra["reasons"][0]["message"].startswith("现场检查方案尚未")


def test_r3_4_check_in_when_the_cap_is_reached_is_refused_with_the_numbers(
    approved_visit, team, city_enterprise
):
    (u1, _), _ = team
    v = approved_visit()
    fill(city_enterprise, 2)
    with pytest.raises(Conflict) as e:
        services.confirm_check_in(actor=u1, visit_id=v.pk, nonce=nonce())
    assert e.value.code == "cap_reached"
    assert "已达上限2次" in e.value.message
    assert not CheckIn.objects.exists()


def test_r1_3_someone_not_on_the_team_cannot_confirm(approved_visit, city_officer):
    v = approved_visit()
    with pytest.raises(Forbidden):
        services.confirm_check_in(actor=city_officer, visit_id=v.pk, nonce=nonce())


def test_r3_2_a_merged_visit_counts_once(started_visit, city_enterprise):
    started_visit(merge_group="M-1")
    started_visit(merge_group="M-1")
    q = queries.quota_for(city_enterprise, year=2025, today=TODAY)
    assert q.used == 1 and len(q.counted_visits) == 2


# ------------------------------------------------ on site and after


def test_r6_3_r6_4_findings_hazards_order_checkout_and_follow_up(
    started_visit, team, approver_user, city_enterprise
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    (u1, o1), (u2, o2) = team
    v = started_visit()
    code = v.items.first().code
    rec = services.start_recording(actor=u1, visit=v, device="DSJ-0001")
    jpeg = b"\xff\xd8\xff\xe0" + b"0" * 100
    m = services.upload_media(
        actor=u1, visit=v, recording=rec, upload=SimpleUploadedFile("a.jpg", jpeg, "image/jpeg")
    )
    import hashlib

    assert m.sha256 == hashlib.sha256(jpeg).hexdigest() and m.size == len(jpeg)
    with pytest.raises(ValidationFailed) as e:
        services.upload_media(
            actor=u1, visit=v, upload=SimpleUploadedFile("x.jpg", b"MZ\x90\x00evil", "image/jpeg")
        )
    assert e.value.code == "file_type_not_allowed"
    services.end_recording(actor=u1, recording=rec)
    services.record_finding(actor=u1, visit=v, item_code=code, result="non_compliant", notes="无")
    h = services.record_hazard(actor=u2, visit=v, level="general", description="消防通道堵塞")
    order = services.issue_order(
        actor=u1, visit=v, hazard_ids=[h.pk], deadline=dt.date(2025, 7, 18), today=TODAY
    )
    assert order.number == "乌应急责改〔2025〕1号"
    done = services.check_out(actor=u1, visit=v)
    assert done.status == "done" and not done.missing_recording and done.record_number

    f = services.create_follow_up(
        actor=u1,
        order=order,
        planned_date=dt.date(2025, 7, 20),
        officer_ids=[o1.pk, o2.pk],
        today=TODAY,
    )
    assert f.trigger == "follow_up" and f.justification_reference == order.number
    services.submit_plan(actor=u1, visit=f)
    services.approve_plan(actor=approver_user, visit=f, today=TODAY)
    services.confirm_check_in(actor=u1, visit_id=f.pk, nonce=nonce())
    services.confirm_check_in(actor=u2, visit_id=f.pk, nonce=nonce())
    services.record_follow_up_result(actor=u1, visit=f, result="rectified", notes="已清理")
    order.refresh_from_db()
    h.refresh_from_db()
    assert order.status == "rectified" and h.status == "rectified"
    q = queries.quota_for(city_enterprise, year=2025, today=TODAY)
    assert (q.used, q.exempt_used) == (1, 1)  # the follow-up is exempt


def test_r6_3_a_visit_checked_out_without_recording_is_flagged(started_visit, team):
    v = services.check_out(actor=team[0][0], visit=started_visit())
    assert v.missing_recording
    assert list(queries.visits_without_recording()) == [v]


def test_r6_1_the_enterprise_rates_a_finished_visit_once(started_visit, team, make_user):
    from fairinspect.core.roles import Role

    v = started_visit()
    services.check_out(actor=team[0][0], visit=v)
    ent_user = make_user("ent_rater", Role.ENTERPRISE, enterprise=v.enterprise)
    r = services.rate_visit(actor=ent_user, visit=v, score=5, comment="规范")
    assert r.score == 5
    with pytest.raises(Conflict):
        services.rate_visit(actor=ent_user, visit=v, score=4)
    with pytest.raises(Forbidden):
        services.rate_visit(actor=team[0][0], visit=v, score=1)
