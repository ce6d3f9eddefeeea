"""The group's history (R11.1), filing quarterly self-checks and missing quarters (R11.2), and
a hazard officers find against what the enterprise reported (R11.3, R7.6)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from fairinspect.cases import services as case_services
from fairinspect.cases.models import Case
from fairinspect.core.errors import Conflict, DomainError
from fairinspect.enterprise import queries, services
from fairinspect.enterprise.inputs import EnterpriseMemberIn, EnterpriseMemberLeaveIn
from fairinspect.enterprise.models import GroupChange, SelfReportedHazard
from fairinspect.visits import services as visit_services

from .conftest import TODAY


def test_r11_1_the_group_keeps_its_changes_over_time(ent_user, group):
    assert queries.group_gaps(ent_user.enterprise_id) == ()
    services.member_leaves(
        actor=ent_user,
        member_id=group["union"].pk,
        data=EnterpriseMemberLeaveIn(left_on=dt.date(2025, 5, 1), note="调岗"),
    )
    assert [g.code for g in queries.group_gaps(ent_user.enterprise_id)] == ["group_no_union"]
    services.add_member(
        actor=ent_user,
        data=EnterpriseMemberIn(name="周工会", role="union", joined_on=dt.date(2025, 5, 2)),
    )
    history = list(GroupChange.objects.filter(member__name__in=["赵工会", "周工会"]).order_by("id"))
    assert [(c.member.name, c.action) for c in history] == [
        ("赵工会", "joined"),
        ("赵工会", "left"),
        ("周工会", "joined"),
    ]
    # The group on a past day is still known.
    on_apr = {m.name for m in queries.current_members(ent_user.enterprise_id, dt.date(2025, 4, 1))}
    assert "赵工会" in on_apr and "周工会" not in on_apr
    with pytest.raises(Conflict):
        services.add_member(
            actor=ent_user,
            data=EnterpriseMemberIn(name="二组长", role="leader", joined_on=dt.date(2025, 5, 2)),
        )


def test_r11_2_a_check_is_against_the_industry_standard_and_every_item_is_answered(
    file_check, ent_user
):
    sc = file_check()
    assert sc.standard == "huagong-2017" and sc.quarter == 2
    assert {a["item"] for a in sc.answers} >= {"HG-01", "HG-14"}
    from fairinspect.enterprise.inputs import EnterpriseSelfCheckIn

    with pytest.raises(DomainError) as exc:
        services.file_self_check(
            actor=ent_user,
            data=EnterpriseSelfCheckIn.model_validate(
                {
                    "checked_on": "2025-06-11",
                    "participant_ids": [sc.participants[0]["member"]],
                    "answers": [{"item": "HG-01", "result": "ok"}],
                }
            ),
        )
    assert exc.value.code == "self_check_incomplete"
    assert any(r["code"] == "item_unanswered" for r in exc.value.extra["reasons"])


def test_r11_2_a_missing_quarter_is_flagged_to_the_enterprise_and_the_bureau(
    file_check, ent_user, client, city_officer
):
    with time_machine.travel(dt.datetime(2025, 10, 5, 9, tzinfo=dt.UTC), tick=True):
        cov = queries.coverage_for(ent_user.enterprise_id, 2025, dt.date(2025, 10, 5))
        assert [q.quarter for q in cov.missing] == [3]
        client.force_login(ent_user)
        page = client.get("/enterprise/").content.decode()
        assert "2025年第3季度未开展" in page
        client.force_login(city_officer)
        bureau = client.get("/enterprise/bureau/").content.decode()
        assert f"flagged-{ent_user.enterprise.credit_code}" in bureau
        # Filing a Q3 check late does not cover Q3 (the check is dated in Q4) ...
        file_check(dt.date(2025, 10, 4))
        cov = queries.coverage_for(ent_user.enterprise_id, 2025, dt.date(2025, 10, 5))
        assert [q.quarter for q in cov.missing] == [3]
        assert cov.quarters[3].status.value == "covered"


def test_r11_3_a_hazard_the_enterprise_reported_and_officers_then_find_is_not_penalised(
    file_check, started_visit, team, items, city_officer
):
    code = items["onsite"][0].code
    sc = file_check(hazards={"HG-05": ("2号罐区", code)})
    sr = SelfReportedHazard.objects.get(self_check=sc)
    assert sr.status == "rectifying" and sr.item_code == code
    (u1, _), _ = team
    v = started_visit()
    with time_machine.travel(dt.datetime(2025, 6, 18, 11, tzinfo=dt.UTC)):
        h = visit_services.record_hazard(
            actor=u1,
            visit=v,
            level="major",
            description="罐区紧急切断失效",
            place="2号罐区东侧",
            item_code=code,
        )
    plan = case_services.hazard_plan(h)
    assert plan["allowed"] is False and plan["self_report"] == sr.number
    assert any("检查事项相同" in m for m in plan["match"])
    with pytest.raises(Conflict) as exc:
        case_services.open_cases_from_hazard(actor=city_officer, hazard=h, on=TODAY)
    assert exc.value.code == "self_reported_hazard" and sr.number in exc.value.message
    assert not Case.objects.exists()


def test_r7_6_a_major_hazard_the_enterprise_hid_opens_the_two_linked_cases(
    file_check, started_visit, team, items, city_officer, client
):
    code = items["onsite"][0].code
    file_check(hazards={"HG-05": ("2号罐区", code)})
    (u1, _), _ = team
    v = started_visit()
    h = visit_services.record_hazard(
        actor=u1,
        visit=v,
        level="major",
        description="液氯充装未用万向管道",
        place="充装站",
        item_code=code,
    )
    plan = case_services.hazard_plan(h)
    assert plan["allowed"] and plan["double"]
    assert any("部位不同" in m for m in plan["match"])
    client.force_login(city_officer)
    assert f"unreported-{h.pk}" in client.get("/enterprise/bureau/").content.decode()
    unit, person = case_services.open_cases_from_hazard(actor=city_officer, hazard=h, on=TODAY)
    assert (unit.party, person.party) == ("unit", "person")
    assert unit.pair_id == person.pk and person.pair_id == unit.pk
    assert person.person_name == "张建国"


def test_r11_3_a_closed_self_report_does_not_shield_a_recurrence(
    file_check, started_visit, team, items, city_officer, approver_user
):
    code = items["onsite"][0].code
    sc = file_check(hazards={"HG-05": ("2号罐区", code)})
    sr = SelfReportedHazard.objects.get(self_check=sc)
    from .conftest import upload

    r = services.report_rectification(
        actor=sc.filed_by, description="已更换", files=[upload()], self_hazard_id=sr.pk
    )
    services.review_report(actor=city_officer, report=r, accepted=True)
    sr.refresh_from_db()
    assert sr.status == "rectified"
    (u1, _), _ = team
    v = started_visit()
    h = visit_services.record_hazard(
        actor=u1, visit=v, level="major", description="再次失效", place="2号罐区", item_code=code
    )
    assert case_services.hazard_plan(h)["double"] is True
