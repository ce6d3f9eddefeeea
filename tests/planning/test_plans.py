"""Annual plans (R9.1, R3.2, R3.5): classes within caps, the −10% for non-high-risk
enterprises beside last year's numbers, and draft → submitted → approved → filed → published."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.planning import access, services
from fairinspect.planning.models import AnnualPlan

from .conftest import TODAY


def _line(high_risk, grade, **values):
    return {"high_risk": high_risk, "grade": grade, **values}


@pytest.fixture
def plan(city_planner, city_enterprises, make_enterprise):
    make_enterprise(supervising_level="city", high_risk=False, standardization_grade=None)
    make_enterprise(
        supervising_level="city", standardization_grade=1, grade_valid_to=dt.date(2024, 12, 31)
    )
    return services.create_plan(actor=city_planner, data={"year": "2025"}, today=TODAY)


def _set(plan, actor, *lines):
    return services.update_plan_lines(actor=actor, plan=plan, lines=list(lines))


def test_r9_1_a_new_plan_counts_the_bureaus_enterprises_per_class(plan):
    counts = {(li.high_risk, li.grade): li.enterprises for li in plan.lines.all()}
    assert counts[(True, "2")] == 12  # the district-supervised three are not the city's
    assert counts[(False, "none")] == 1
    assert counts[(True, "none")] == 1  # a lapsed grade counts as ungraded
    assert sum(counts.values()) == 14 and len(counts) == 8


def test_r3_2_approval_is_refused_while_a_class_is_planned_beyond_its_caps(
    plan, city_planner, approver
):
    _set(plan, city_planner, _line(True, "2", planned_visits=49))  # 12 × 4 = 48
    with pytest.raises(Conflict) as exc:
        services.submit_plan(actor=city_planner, plan=plan)
    assert exc.value.code == "plan_breaks_rules"
    assert exc.value.extra["reasons"][0]["code"] == "plan_over_cap"
    assert "48" in exc.value.message
    _set(plan, city_planner, _line(True, "2", planned_visits=48))
    services.submit_plan(actor=city_planner, plan=plan)


def test_r3_5_approval_is_refused_until_non_high_risk_visits_fall_by_ten_percent(
    plan, city_planner, approver
):
    why = "2024年纸质台账补录的5次检查"
    _set(
        plan,
        city_planner,
        _line(False, "none", last_year_visits=5, last_year_override_reason=why, planned_visits=5),
    )
    with pytest.raises(Conflict) as exc:
        services.submit_plan(actor=city_planner, plan=plan)
    assert exc.value.extra["reasons"][0]["code"] == "reduction_insufficient"
    assert "不得超过4次" in exc.value.message
    _set(plan, city_planner, _line(False, "none", planned_visits=4))
    plan = services.submit_plan(actor=city_planner, plan=plan)
    # Broken again behind the planner's back (e.g. a cap table change): approval refuses.
    plan.lines.filter(high_risk=False, grade="none").update(planned_visits=5)
    with pytest.raises(Conflict) as exc:
        services.approve_plan(
            actor=approver,
            plan=plan,
            data={"approval_doc_no": "乌政函〔2025〕12号", "approval_date": "2025-03-10"},
        )
    assert exc.value.extra["reasons"][0]["code"] == "reduction_insufficient"
    plan.refresh_from_db()
    assert plan.status == "submitted" and plan.approval_doc_no == ""


def test_r9_1_a_plan_goes_from_draft_to_published_and_then_is_public(plan, city_planner, approver):
    assert plan not in access.public_plans()
    services.submit_plan(actor=city_planner, plan=plan)
    with pytest.raises(ValidationFailed) as exc:
        services.approve_plan(actor=approver, plan=plan, data={"approval_date": "2025-03-10"})
    assert exc.value.field == "approval_doc_no"
    services.approve_plan(
        actor=approver,
        plan=plan,
        data={"approval_doc_no": "乌政函〔2025〕12号", "approval_date": "2025-03-10"},
    )
    services.file_plan(
        actor=approver,
        plan=plan,
        data={"filing_doc_no": "乌司备〔2025〕3号", "filing_date": "2025-03-12"},
    )
    plan = services.publish_plan(actor=approver, plan=plan)
    assert plan.status == AnnualPlan.Status.PUBLISHED and plan.published_at
    assert plan in access.public_plans()


def test_r9_1_states_cannot_be_skipped(plan, city_planner, approver):
    with pytest.raises(Conflict):
        services.approve_plan(
            actor=approver, plan=plan, data={"approval_doc_no": "x", "approval_date": "2025-03-10"}
        )
    with pytest.raises(Conflict):
        services.publish_plan(actor=approver, plan=plan)


def test_r9_1_only_the_bureaus_approver_approves(plan, city_planner, district_approver):
    services.submit_plan(actor=city_planner, plan=plan)
    data = {"approval_doc_no": "x", "approval_date": "2025-03-10"}
    for who in (city_planner, district_approver):
        with pytest.raises(Forbidden):
            services.approve_plan(actor=who, plan=plan, data=data)


def test_r9_1_a_submitted_plan_cannot_be_edited_until_returned(plan, city_planner, approver):
    services.submit_plan(actor=city_planner, plan=plan)
    with pytest.raises(Conflict):
        _set(plan, city_planner, _line(True, "2", planned_visits=1))
    services.return_plan(actor=approver, plan=plan, reason="请补充重点企业")
    _set(plan, city_planner, _line(True, "2", planned_visits=1))


def test_r9_1_key_enterprises_need_a_visit_within_their_cap(plan, city_planner, city_enterprises):
    city, district = city_enterprises
    with pytest.raises(ValidationFailed) as exc:
        services.add_key_enterprise(
            actor=city_planner,
            plan=plan,
            data={"credit_code": district[0].credit_code, "reason": "重大危险源"},
        )
    assert exc.value.code == "enterprise_not_supervised"
    services.add_key_enterprise(
        actor=city_planner,
        plan=plan,
        data={"credit_code": city[0].credit_code, "planned_visits": "5", "reason": "重大危险源"},
    )
    with pytest.raises(Conflict) as exc:
        services.submit_plan(actor=city_planner, plan=plan)
    assert exc.value.extra["reasons"][0]["code"] == "key_over_cap"


def test_r9_1_bad_line_values_name_the_field_and_save_nothing(plan, city_planner):
    for row, field in [
        (_line(True, "2", planned_visits="-1"), "planned_visits"),
        (_line(True, "2", sampling_ratio="1.5"), "sampling_ratio"),
        (_line(True, "9", planned_visits="1"), "lines.0"),
    ]:
        with pytest.raises(ValidationFailed) as exc:
            _set(plan, city_planner, row)
        assert exc.value.field == field
    assert not plan.lines.filter(planned_visits__gt=0).exists()


def test_r9_1_one_plan_per_bureau_and_year(plan, city_planner):
    with pytest.raises(Conflict):
        services.create_plan(actor=city_planner, data={"year": "2025"})


def test_r9_1_the_database_refuses_an_approved_plan_without_its_document(plan):
    with pytest.raises(IntegrityError), transaction.atomic():
        AnnualPlan.objects.filter(pk=plan.pk).update(status="approved")


@pytest.mark.parametrize(
    ("url", "data", "field"),
    [
        ("lines/", {"hr_2_planned": "abc", "hr_2_last": "0"}, "hr_2_planned"),
        ("key/", {"credit_code": "X", "planned_visits": "abc", "reason": "重点"}, "planned_visits"),
    ],
)
def test_r13_1_the_plan_page_forms_refuse_a_wrong_type_and_keep_what_was_typed(
    plan, city_planner, client, url, data, field
):
    """Issue 8 item 5 (the plan page's forms are not reached by the form sweep's crawl)."""
    client.force_login(city_planner)
    before = [(li.pk, li.planned_visits) for li in plan.lines.order_by("pk")]
    r = client.post(f"/planning/plans/{plan.pk}/{url}", data)
    assert r.status_code == 422
    body = r.content.decode()
    assert 'value="abc"' in body and 'class="msg-error"' in body
    assert [(li.pk, li.planned_visits) for li in plan.lines.order_by("pk")] == before
    assert not plan.key_enterprises.exists()


def test_r13_1_the_approval_form_refuses_a_wrong_date_and_keeps_it(
    plan, city_planner, approver, client
):
    services.submit_plan(actor=city_planner, plan=plan)
    client.force_login(approver)
    r = client.post(
        f"/planning/plans/{plan.pk}/approve/",
        {"approval_doc_no": "乌政函〔2025〕1号", "approval_date": "abc"},
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert 'value="abc"' in body and "approval_date" in body
    plan.refresh_from_db()
    assert plan.status == "submitted" and not plan.approval_doc_no
