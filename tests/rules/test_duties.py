"""R1.5 the pure separation-of-duties rule, the case workflow table and the listing rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairinspect.rules import case_workflow as wf
from fairinspect.rules import dishonesty as dis
from fairinspect.rules.duties import Act, Actor, Capacity, DutyObject, Participation, check_duty

CITY, DISTRICT = 1, 8
APPROVE = Act("批准", "approver")


def obj(*parts: Participation, bureau: int | None = CITY) -> DutyObject:
    return DutyObject("现场检查方案", bureau, "乌鲁木齐市应急管理局", parts)


@pytest.mark.parametrize(
    ("capacity", "code"),
    [
        (Capacity.DRAFTED, "drafted_by_actor"),
        (Capacity.SUBMITTED, "submitted_by_actor"),
        (Capacity.TEAM, "actor_on_team"),
        (Capacity.PROPOSED, "proposed_by_actor"),
        (Capacity.REQUESTED, "requested_by_actor"),
    ],
)
def test_r1_5_whoever_drafted_submitted_proposed_requested_or_is_on_the_team_never_approves(
    capacity, code
):
    d = check_duty(Actor(7, CITY), APPROVE, obj(Participation(7, capacity)))
    assert not d.allowed and [r.code for r in d.reasons] == [code]
    assert "不能批准" in d.reasons[0].message


def test_r1_5_another_persons_part_does_not_bind_the_approver():
    d = check_duty(
        Actor(9, CITY),
        APPROVE,
        obj(Participation(7, Capacity.DRAFTED), Participation(8, Capacity.TEAM)),
    )
    assert d.allowed and d.reasons == ()


def test_r1_5_approvers_act_only_within_their_own_bureau():
    d = check_duty(Actor(9, DISTRICT, "天山区应急管理局"), APPROVE, obj())
    assert not d.allowed and d.reasons[0].code == "other_bureau"
    assert "乌鲁木齐市应急管理局" in d.message and "天山区应急管理局" in d.message
    assert check_duty(Actor(9, None), APPROVE, obj()).reasons[0].code == "actor_without_bureau"
    assert check_duty(Actor(9, CITY), APPROVE, obj(bureau=None)).reasons[0].code == (
        "object_without_bureau"
    )


def test_r1_5_two_roles_may_be_held_but_not_used_on_one_object():
    reviewed = Participation(7, Capacity.ACTED, "legal_reviewer", "法制审核")
    d = check_duty(Actor(7, CITY), Act("作出决定", "approver"), obj(reviewed))
    assert not d.allowed and d.reasons[0].code == "other_role_used"
    assert "法制审核人员" in d.message and "审批负责人" in d.message
    # The same role twice is fine: the approver who approved filing also decides.
    filed = Participation(7, Capacity.ACTED, "approver", "批准立案")
    assert check_duty(Actor(7, CITY), Act("作出决定", "approver"), obj(filed)).allowed


def test_r1_5_every_reason_is_listed_once():
    parts = (
        Participation(7, Capacity.DRAFTED),
        Participation(7, Capacity.TEAM),
        Participation(7, Capacity.TEAM),
    )
    d = check_duty(Actor(7, DISTRICT, "天山区应急管理局"), APPROVE, obj(*parts))
    assert [r.code for r in d.reasons] == ["drafted_by_actor", "actor_on_team", "other_bureau"]


@given(
    st.lists(st.tuples(st.integers(1, 5), st.sampled_from(list(Capacity))), max_size=8),
    st.integers(1, 5),
    st.sampled_from([CITY, DISTRICT]),
)
def test_r1_5_property_allowed_exactly_when_the_actor_took_no_part_and_is_of_the_bureau(
    parts, actor, bureau
):
    ps = tuple(
        Participation(u, c, "legal_reviewer" if c is Capacity.ACTED else "") for u, c in parts
    )
    d = check_duty(Actor(actor, bureau), APPROVE, obj(*ps))
    took_part = any(p.user_id == actor for p in ps)
    assert d.allowed == (not took_part and bureau == CITY)


# ---- the case workflow (R7.4) -------------------------------------------------------------------


def test_r7_4_a_major_case_is_discussed_before_it_is_decided():
    assert not wf.discussion_rule("decide", status="reviewed", is_major=True).allowed
    assert wf.discussion_rule("decide", status="discussed", is_major=True).allowed
    assert wf.discussion_rule("decide", status="reviewed", is_major=False).allowed
    assert not wf.discussion_rule("discuss", status="reviewed", is_major=False).allowed


def test_r7_4_the_steps_offered_follow_role_state_and_the_discussion_rule():
    assert wf.available_actions(status="reviewed", is_major=True, roles=["approver"]) == [
        "discuss",
        "extend",
    ]
    assert wf.available_actions(status="reviewed", is_major=False, roles=["approver"]) == [
        "decide",
        "extend",
    ]
    assert wf.available_actions(status="reviewed", is_major=False, roles=["officer"]) == []
    assert {s.action for s in wf.STEPS.values() if s.approving} == {
        "approve_filing",
        "reject_filing",
        "legal_review",
        "discuss",
        "decide",
        "close",
        "extend",
    }


# ---- the serious-dishonesty list (R10.2) --------------------------------------------------------


def record(**kw) -> dis.CaseRecord:
    base = dict(decided=True, outcome="penalty", violation_code="AQSCF2021-97-4")
    return dis.CaseRecord(**{**base, **kw})


@pytest.mark.parametrize(
    ("ground", "established", "not_established"),
    [
        ("major_accident", record(violation_code="AQSCF2021-114-3"), record()),
        (
            "two_larger_accidents",
            record(violation_code="AQSCF2021-114-2", larger_accidents_12m=2),
            record(violation_code="AQSCF2021-114-2", larger_accidents_12m=1),
        ),
        (
            "egregious_accident",
            record(
                violation_code="AQSCF2021-114-1",
                aggravations=frozenset({"egregious_accident"}),
                fine_amount=Decimal("600000"),
                ordinary_fine_min=Decimal("300000"),
            ),
            record(
                violation_code="AQSCF2021-114-1",
                aggravations=frozenset({"egregious_accident"}),
                fine_amount=Decimal("599999"),
                ordinary_fine_min=Decimal("300000"),
            ),
        ),
        (
            "concealed_accident",
            record(aggravations=frozenset({"concealed_accident"})),
            record(aggravations=frozenset({"late_report"})),
        ),
    ],
)
def test_r10_2_each_ground_is_checked_against_what_the_case_established(
    ground, established, not_established
):
    assert dis.check_ground(ground, established).ok
    assert ground in dis.detect_grounds(established)
    bad = dis.check_ground(ground, not_established)
    assert not bad.ok and bad.reasons[0].message
    assert ground not in dis.detect_grounds(not_established)


def test_r10_2_a_ground_needs_a_decided_penalty_and_a_manual_ground_a_written_basis():
    undecided = record(decided=False, aggravations=frozenset({"concealed_accident"}))
    assert dis.check_ground("concealed_accident", undecided).reasons[0].code == "case_not_decided"
    no_fine = record(outcome="no_penalty", aggravations=frozenset({"concealed_accident"}))
    assert not dis.check_ground("concealed_accident", no_fine).ok
    assert dis.check_ground("unlicensed_operation", record()).reasons[0].code == (
        "written_basis_missing"
    )
    assert dis.check_ground("unlicensed_operation", record(), written_basis="许可证被暂扣").ok
    assert "unlicensed_operation" not in dis.detect_grounds(record())
    assert dis.check_ground("made_up", record()).reasons[0].code == "bad_ground"


def test_r10_2_the_listing_is_decided_only_after_notice_and_the_statement_period():
    due = dt.date(2025, 6, 20)
    check = dis.check_decision_timing
    assert check(status="proposed", statement_due=None, statement_given=False, on=due).reasons[
        0
    ].code == ("party_not_notified")
    assert not check(status="notified", statement_due=due, statement_given=False, on=due).allowed
    assert check(status="notified", statement_due=due, statement_given=True, on=due).allowed
    assert check(
        status="notified", statement_due=due, statement_given=False, on=due + dt.timedelta(1)
    ).allowed
    assert not check(status="listed", statement_due=due, statement_given=True, on=due).allowed
