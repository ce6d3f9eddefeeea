"""rules.selfcheck: the group (R11.1), quarter coverage (R11.2), the R11.3/R7.6 link and
self-inspection eligibility (R10.4)."""

from __future__ import annotations

import datetime as dt

from fairinspect.rules import selfcheck as r

UTC = dt.UTC
STARTS = dt.date(2025, 7, 1)


def check(d: dt.date, *, reported=True, main=False, n="C") -> r.CheckFact:
    return r.CheckFact(d, reported, main, n)


# ---- R11.1


def test_r11_1_a_complete_group_has_one_leader_and_every_other_role():
    roles = ["leader", "safety_manager", "union", "worker_rep", "safety_engineer"]
    assert r.check_group(roles) == ()


def test_r11_1_a_group_without_union_and_with_two_leaders_is_told_both():
    codes = {
        x.code
        for x in r.check_group(
            ["leader", "leader", "safety_manager", "worker_rep", "safety_engineer"]
        )
    }
    assert codes == {"group_two_leaders", "group_no_union"}
    assert "group_no_leader" in {x.code for x in r.check_group([])}


# ---- R11.2


def test_r11_2_an_ended_quarter_without_a_reported_check_is_missing_and_flagged():
    cov = r.coverage(
        [check(dt.date(2025, 8, 3), main=True, n="A")],
        year=2025,
        today=dt.date(2026, 1, 10),
        starts=STARTS,
    )
    statuses = [q.status for q in cov.quarters]
    assert statuses == [
        r.QuarterStatus.NOT_REQUIRED,
        r.QuarterStatus.NOT_REQUIRED,
        r.QuarterStatus.COVERED,
        r.QuarterStatus.MISSING,
    ]
    assert [q.quarter for q in cov.missing] == [4]
    assert [f.code for f in cov.flags] == ["quarter_missing"]
    assert cov.main_person is r.QuarterStatus.COVERED


def test_r11_2_a_check_not_reported_to_the_main_person_does_not_count():
    cov = r.coverage(
        [check(dt.date(2026, 2, 1), reported=False)],
        year=2026,
        today=dt.date(2026, 4, 2),
        starts=STARTS,
    )
    assert cov.quarters[0].status is r.QuarterStatus.MISSING
    assert cov.quarters[1].status is r.QuarterStatus.DUE
    assert cov.quarters[2].status is r.QuarterStatus.FUTURE


def test_r11_2_the_quarter_is_not_missing_on_its_last_day():
    cov = r.coverage([], year=2026, today=dt.date(2026, 3, 31), starts=STARTS)
    assert cov.quarters[0].status is r.QuarterStatus.DUE and not cov.flags


def test_r11_2_a_year_ended_without_the_main_person_is_flagged():
    checks = [check(dt.date(2026, m, 5), n=str(m)) for m in (1, 4, 7, 10)]
    cov = r.coverage(checks, year=2026, today=dt.date(2027, 1, 1), starts=STARTS)
    assert not cov.missing
    assert cov.main_person is r.QuarterStatus.MISSING
    assert [f.code for f in cov.flags] == ["main_person_missing"]
    during = r.coverage(checks, year=2026, today=dt.date(2026, 12, 31), starts=STARTS)
    assert during.main_person is r.QuarterStatus.DUE and not during.flags


def test_r11_2_quarters_before_the_bureau_began_counting_are_not_required():
    cov = r.coverage([], year=2024, today=dt.date(2026, 1, 1), starts=STARTS)
    assert all(q.status is r.QuarterStatus.NOT_REQUIRED for q in cov.quarters)
    assert cov.main_person is r.QuarterStatus.NOT_REQUIRED and not cov.flags


# ---- R11.3 / R7.6

FOUND_AT = dt.datetime(2026, 5, 10, 10, tzinfo=UTC)


def report(**kw) -> r.SelfReport:
    values = dict(
        number="SR-1",
        item_code="AQ-01",
        place="3号车间 （东侧）",
        reported_at=dt.datetime(2026, 4, 2, tzinfo=UTC),
        rectifying=True,
    )
    values.update(kw)
    return r.SelfReport(**values)


def found(**kw) -> r.FoundHazard:
    values = dict(level="major", item_code="AQ-01", place="3号车间东侧配电室", found_at=FOUND_AT)
    values.update(kw)
    return r.FoundHazard(**values)


def test_r11_3_the_same_item_and_place_reported_first_and_rectifying_is_not_penalised():
    d = r.decide_found_hazard(found(), [report()])
    assert d.outcome is r.HazardOutcome.NOT_PENALISED and not d.penalise
    assert d.match.report and d.match.report.number == "SR-1"
    assert "检查事项相同" in d.match.explanation[0] and "SR-1" in d.reasons[0].message
    assert "R11.3" in d.reasons[0].message


def test_r7_6_an_unreported_major_hazard_is_a_double_penalty_and_the_non_match_is_explained():
    d = r.decide_found_hazard(
        found(),
        [
            report(number="SR-2", item_code="AQ-09"),
            report(number="SR-3", place="原料库"),
            report(number="SR-4", reported_at=FOUND_AT + dt.timedelta(hours=1)),
            report(number="SR-5", rectifying=False),
        ],
    )
    assert d.outcome is r.HazardOutcome.DOUBLE_PENALTY and d.penalise
    text = "\n".join(d.match.explanation)
    assert "SR-2：检查事项不同" in text
    assert "SR-3：部位不同" in text
    assert "SR-4：自报时间不早于检查发现时间" in text
    assert "SR-5：该自报隐患已整改销号" in text
    assert "一案双罚" in d.reasons[0].message and "责任倒查" in d.reasons[0].message


def test_r7_6_without_item_or_place_nothing_can_be_shown_to_be_the_same():
    d = r.decide_found_hazard(found(item_code=""), [report()])
    assert d.outcome is r.HazardOutcome.DOUBLE_PENALTY
    assert "无法与企业自报隐患比对" in d.match.explanation[0]


def test_a_general_hazard_is_an_ordinary_case_and_an_officer_flag_is_honoured():
    assert r.decide_found_hazard(found(level="general"), []).outcome is r.HazardOutcome.ORDINARY
    d = r.decide_found_hazard(found(), [], flagged_self_report="ZB-7")
    assert d.outcome is r.HazardOutcome.NOT_PENALISED and "ZB-7" in d.reasons[0].message


def test_places_compare_as_written_without_spaces_punctuation_or_width():
    assert r.normalise_place("３号 车间（东侧）") == r.normalise_place("3号车间东侧")


# ---- R10.4

CRITERIA = r.EligibilityCriteria(frozenset({"A"}), frozenset({"1", "2"}), 5)
ON = dt.date(2026, 6, 1)


def facts(**kw) -> r.EligibilityFacts:
    values = dict(
        credit_level="A",
        grade="2",
        registered_on=dt.date(2015, 1, 1),
        last_accident_on=None,
        listed=False,
    )
    values.update(kw)
    return r.EligibilityFacts(**values)


def test_r10_4_an_a_level_grade_two_enterprise_five_years_without_accident_is_eligible():
    e = r.self_inspection_eligibility(facts(), on=ON, criteria=CRITERIA)
    assert e.eligible and {x.code for x in e.reasons} == {"credit_ok", "grade_ok", "accident_free"}
    assert e.accident_free_since == dt.date(2021, 6, 1)


def test_r10_4_every_unmet_condition_is_given():
    e = r.self_inspection_eligibility(
        facts(credit_level="B", grade="none", last_accident_on=dt.date(2022, 3, 1), listed=True),
        on=ON,
        criteria=CRITERIA,
    )
    assert not e.eligible
    assert {x.code for x in e.reasons} == {
        "credit_level",
        "standardisation_grade",
        "recent_accident",
        "listed",
    }


def test_r10_4_five_years_means_five_years_of_existence_and_an_accident_just_outside_counts_not():
    young = r.self_inspection_eligibility(
        facts(registered_on=dt.date(2022, 1, 1)), on=ON, criteria=CRITERIA
    )
    assert [x.code for x in young.reasons] == ["too_young"]
    unknown = r.self_inspection_eligibility(facts(registered_on=None), on=ON, criteria=CRITERIA)
    assert [x.code for x in unknown.reasons] == ["founding_unknown"]
    old = r.self_inspection_eligibility(
        facts(last_accident_on=dt.date(2021, 6, 1)), on=ON, criteria=CRITERIA
    )
    assert old.eligible


# ---- the checklist


def test_r11_2_a_self_check_answers_every_item_once_and_a_hazard_names_place_and_finding():
    items = ("A", "B")
    ok = [r.ChecklistAnswer("A", "ok"), r.ChecklistAnswer("B", "hazard", "罐区", "报警器失效")]
    assert r.check_answers(items, ok) == ()
    bad = [
        r.ChecklistAnswer("A", "hazard"),
        r.ChecklistAnswer("A", "ok"),
        r.ChecklistAnswer("Z", "ok"),
    ]
    codes = {x.code for x in r.check_answers(items, bad)}
    assert codes == {"hazard_details", "item_twice", "item_unanswered", "unknown_item"}
