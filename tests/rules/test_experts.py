"""Experts (R12.1, R12.2) as pure rules: conflicts of interest with their look-back, the term,
never alone, never counted as officers (rules.checkin.decide_team unchanged by experts)."""

from __future__ import annotations

import datetime as dt

from fairinspect.rules import checkin
from fairinspect.rules import experts as rule

DAY = dt.date(2025, 6, 18)


def expert(**kw):
    base = dict(
        expert_id=1,
        name="钱专家",
        status="appointed",
        term_from=dt.date(2024, 1, 1),
        term_to=dt.date(2026, 12, 31),
    )
    base.update(kw)
    return rule.ExpertFacts(**base)


def test_r12_1_the_look_back_comes_from_data_with_its_source():
    p = rule.default_policy()
    assert p.lookback_years == 3 and "本局设定" in p.source
    assert set(p.kinds) >= {"employed", "consulted", "relative"}


def test_r12_1_a_consultancy_ended_within_three_years_is_a_conflict_and_after_it_is_not():
    tie = rule.Tie(7, "consulted", dt.date(2020, 1, 1), dt.date(2022, 6, 18))
    e = expert(ties=(tie,))
    assert [r.code for r in rule.conflicts(e, 7, DAY)] == ["expert_conflict_of_interest"]
    assert rule.conflicts(e, 7, dt.date(2025, 6, 19)) == ()
    assert rule.conflicts(e, 8, DAY) == ()  # another enterprise


def test_r12_1_a_running_tie_and_a_relative_always_conflict_a_future_one_does_not():
    e = expert(ties=(rule.Tie(7, "employed", dt.date(2024, 1, 1), None),))
    assert rule.conflicts(e, 7, DAY)
    old_relative = rule.Tie(7, "relative", dt.date(2000, 1, 1), dt.date(2010, 1, 1))
    assert rule.conflicts(expert(ties=(old_relative,)), 7, DAY) == ()  # no look-back: ended
    future = rule.Tie(7, "employed", dt.date(2026, 1, 1), None)
    assert rule.conflicts(expert(ties=(future,)), 7, DAY) == ()


def test_r12_1_the_pools_avoid_list_is_a_conflict():
    e = expert(avoid_enterprise_ids=frozenset({7}))
    assert [r.code for r in rule.conflicts(e, 7, DAY)] == ["expert_avoids_enterprise"]


def test_r12_1_only_an_appointed_expert_within_the_term_joins():
    d = rule.check_join(expert(status="suspended"), enterprise_id=7, day=DAY, officers=2)
    assert [r.code for r in d.reasons] == ["expert_not_appointed"]
    d = rule.check_join(expert(term_to=dt.date(2025, 6, 17)), enterprise_id=7, day=DAY, officers=2)
    assert [r.code for r in d.reasons] == ["expert_term_not_in_force"]
    assert rule.check_join(expert(), enterprise_id=7, day=DAY, officers=2).allowed


def test_r12_2_never_alone_a_visit_with_experts_needs_two_officers():
    d = rule.check_join(expert(), enterprise_id=7, day=DAY, officers=1)
    assert [r.code for r in d.reasons] == ["experts_need_two_officers"]
    assert rule.never_alone(officers=0, experts=3)
    assert rule.never_alone(officers=2, experts=3) == ()
    assert rule.never_alone(officers=0, experts=0) == ()


def _conf(n: int, ok: bool = True):
    return checkin.OfficerConfirmation(
        officer_id=str(n), name=f"员{n}", eligible=ok, confirmed=True
    )


def test_r12_2_never_counted_one_officer_and_any_number_of_experts_is_not_a_team():
    one = checkin.decide_team([_conf(1)], experts=5)
    assert not one.ready
    two = checkin.decide_team([_conf(1), _conf(2)], experts=5)
    assert two.ready
    # The certificate rule is unchanged by experts: an uncertified second officer fails.
    assert not checkin.decide_team([_conf(1), _conf(2, ok=False)], experts=5).ready


def test_r12_1_an_evaluation_score_is_a_whole_number_from_one_to_five():
    assert rule.check_score(3) is None
    for bad in (0, 6, True, "3", 2.5):
        assert rule.check_score(bad) is not None
