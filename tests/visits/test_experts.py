"""Experts on a visit (R12.1, R12.2): added from the plan page through the conflict rule,
never counted as officers and never alone, their advice recorded apart from the decision, an
evaluation after the visit."""

from __future__ import annotations

import datetime as dt

import pytest

from fairinspect.audit.models import AuditEvent
from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.core.roles import Role
from fairinspect.experts import services
from fairinspect.experts.models import Advice, Evaluation
from fairinspect.visits import services as visits

from .conftest import TODAY, nonce


@pytest.fixture
def pool_admin(make_user):
    return make_user("pool_admin", Role.ADMIN, department="650100-ZH")


@pytest.fixture
def expert(pool_admin):
    return services.select_expert(
        actor=pool_admin,
        name="钱专家",
        title="高级工程师",
        employer="新疆化工设计院",
        specialties=["hazchem"],
        method="open",
        selected_on=dt.date(2024, 12, 1),
        basis="公开遴选，资格审查合格，考核85分。",
        term_from=dt.date(2025, 1, 1),
        term_to=dt.date(2027, 12, 31),
        document_number="乌应急专聘〔2025〕1号",
    )


def test_r12_1_selection_records_the_appointment_and_the_registry_term(expert):
    assert expert.status == "appointed" and expert.appointed_to == dt.date(2027, 12, 31)
    assert expert.appointments.get().method == "open"
    assert AuditEvent.objects.filter(action="expert.appoint").exists()


def test_r12_1_only_administrators_and_approvers_manage_the_pool(make_user, expert):
    officer = make_user("plain_officer", Role.OFFICER, department="650100-WH")
    with pytest.raises(Forbidden):
        services.record_training(actor=officer, expert=expert, on=TODAY, topic="x", hours=2)


def test_r12_2_the_team_adds_an_expert_on_the_plan_page(new_visit, team, expert, client):
    v = new_visit()
    (u1, _), _ = team
    client.force_login(u1)
    page = client.get(f"/visits/{v.pk}/").content.decode()
    assert "从专家库添加专家" in page and "钱专家" in page
    r = client.post(f"/experts/visit/{v.pk}/add/", {"expert": expert.pk})
    assert r.status_code == 302
    assert list(v.experts.all()) == [expert]
    assert "不计入执法人员" in client.get(f"/visits/{v.pk}/").content.decode()


def test_r12_1_an_expert_who_consulted_the_enterprise_two_years_ago_is_refused(
    new_visit, team, expert, pool_admin, city_enterprise
):
    services.declare_tie(
        actor=pool_admin,
        expert=expert,
        enterprise=city_enterprise,
        kind="consulted",
        started_on=dt.date(2022, 1, 1),
        ended_on=dt.date(2023, 6, 30),
        note="为该企业编制安全评价报告",
    )
    v = new_visit()
    with pytest.raises(Conflict) as exc:
        services.add_to_visit(actor=team[0][0], visit=v, expert=expert)
    assert exc.value.code == "expert_conflict_of_interest"
    assert v.experts.count() == 0
    # The create service (and so the API's expert_ids) asks the same rule.
    with pytest.raises(Conflict):
        new_visit(expert_ids=[expert.pk])


def test_r12_2_never_alone_an_expert_is_not_added_to_a_one_officer_team(
    new_visit, team, expert, make_officer
):
    v = new_visit()
    v.team.filter(officer=team[1][1]).delete()  # one officer left on the draft
    with pytest.raises(Conflict) as exc:
        services.add_to_visit(actor=team[0][0], visit=v, expert=expert)
    assert exc.value.code == "experts_need_two_officers"


def test_r12_2_never_counted_an_expert_does_not_replace_the_second_officer_at_check_in(
    approved_visit, team, expert
):
    v = approved_visit(expert_ids=[expert.pk])
    out = visits.confirm_check_in(actor=team[0][0], visit_id=v.pk, nonce=nonce())
    assert not out.started  # one officer and one expert: not a team
    out = visits.confirm_check_in(actor=team[1][0], visit_id=v.pk, nonce=nonce())
    assert out.started


def test_r12_2_advice_is_recorded_apart_and_an_evaluation_follows_the_visit(
    started_visit, team, expert
):
    (u1, _), _ = team
    v = started_visit(expert_ids=[expert.pk])
    with pytest.raises(Conflict):
        services.evaluate(actor=u1, visit=v, expert=expert, score=5, on=TODAY)  # not done
    a = services.record_advice(
        actor=u1, visit=v, expert=expert, text="建议对储罐区防火堤进行复测。"
    )
    assert a.visit_id == v.pk and not v.hazards.exists() and not v.findings.exists()
    v = visits.check_out(actor=u1, visit=v)
    with pytest.raises(ValidationFailed):
        services.evaluate(actor=u1, visit=v, expert=expert, score=9, on=TODAY)
    services.evaluate(actor=u1, visit=v, expert=expert, score=4, comment="意见专业。", on=TODAY)
    with pytest.raises(Conflict):
        services.evaluate(actor=u1, visit=v, expert=expert, score=4, on=TODAY)
    assert Evaluation.objects.get().score == 4 and Advice.objects.count() == 1


def test_r12_1_the_pool_page_shows_hours_and_scores_to_staff_only(
    expert, pool_admin, client, enterprise_user
):
    services.record_training(actor=pool_admin, expert=expert, on=TODAY, topic="危化品", hours=8)
    client.force_login(pool_admin)
    page = client.get("/experts/").content.decode()
    assert "钱专家" in page and "8" in page
    assert client.get(f"/experts/{expert.pk}/").status_code == 200
    client.force_login(enterprise_user)
    assert client.get("/experts/").status_code == 403


def test_r12_1_a_refused_reappointment_shows_the_page_again_with_what_was_typed(
    expert, pool_admin, client
):
    from fairinspect.experts.models import Appointment

    client.force_login(pool_admin)
    before = Appointment.objects.count()
    r = client.post(
        f"/experts/{expert.pk}/appoint/",
        {"method": "open", "selected_on": "abc", "basis": "考核合格", "term_from": "2025-07-01",
         "term_to": "2027-06-30", "document_number": "安监〔2025〕9号"},
    )  # fmt: skip
    page = r.content.decode()
    assert r.status_code == 422 and Appointment.objects.count() == before
    assert "selected_on" in page and 'value="abc"' in page and "考核合格" in page
