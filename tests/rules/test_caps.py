"""Annual on-site caps, exemptions, the -10% check and enforcement levels (R3, R4.1, R5)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairinspect.rules.caps import (
    CELL_FIELDS,
    CELLS,
    DEFAULT_2025,
    EXEMPT_TRIGGERS,
    REQUIRED_JUSTIFICATION,
    CapPolicy,
    CapStage,
    CapTable,
    CapTableError,
    Grade,
    Justification,
    JustificationKind,
    Level,
    ProposedVisit,
    Trigger,
    VisitFact,
    VisitKind,
    VisitStatus,
    cap_for,
    check_district_reinspection,
    check_enforcement_level,
    check_exemption,
    check_non_high_risk_reduction,
    decide_cap,
    quota,
    validate_cap_table,
)

YEAR = 2025
TODAY = date(2025, 6, 18)
DEFAULT = CapPolicy()
COUNTS = CapPolicy(exempt_consumes_cap=True)
SEED_TABLE = [
    (True, Grade.ONE, 2),
    (True, Grade.TWO, 4),
    (True, Grade.THREE, 8),
    (True, Grade.NONE, 12),
    (False, Grade.ONE, 1),
    (False, Grade.TWO, 1),
    (False, Grade.THREE, 3),
    (False, Grade.NONE, 5),
]
ORDINARY_TRIGGERS = sorted(set(Trigger) - EXEMPT_TRIGGERS)


def papers(trigger, *, day=date(2025, 5, 1), **changes):
    """A complete justification of the kind the trigger needs."""
    kind = REQUIRED_JUSTIFICATION.get(trigger, JustificationKind.COMPLAINT_RECORD)
    j = Justification(
        kind=kind,
        reference="乌应急投〔2025〕12号",
        date=day,
        summary="群众反映该企业夜间违规动火作业。",
    )
    return replace(j, **changes)


def visit(
    vid,
    *,
    kind=VisitKind.ON_SITE,
    trigger=Trigger.ANNUAL_PLAN,
    day=date(2025, 3, 1),
    status=VisitStatus.DONE,
    group=None,
    justification=None,
):
    return VisitFact(
        visit_id=vid,
        kind=kind,
        trigger=trigger,
        date=day,
        status=status,
        merge_group=group,
        justification=justification,
    )


def done_visits(n, **kwargs):
    return [visit(f"v{i}", **kwargs) for i in range(n)]


def propose(
    *,
    kind=VisitKind.ON_SITE,
    trigger=Trigger.ANNUAL_PLAN,
    day=TODAY,
    group=None,
    justification=None,
    visit_id=None,
):
    return ProposedVisit(
        kind=kind,
        trigger=trigger,
        date=day,
        merge_group=group,
        justification=justification,
        visit_id=visit_id,
    )


def decide(
    visits,
    proposed=None,
    *,
    high_risk=True,
    grade=Grade.ONE,
    policy=DEFAULT,
    table=DEFAULT_2025,
    year=YEAR,
    today=TODAY,
    stage=CapStage.CHECK_IN,
):
    return decide_cap(
        table=table,
        policy=policy,
        high_risk=high_risk,
        grade=grade,
        year=year,
        visits=visits,
        proposed=proposed or propose(),
        today=today,
        stage=stage,
    )


def codes(decision):
    return [r.code for r in decision.reasons]


# ------------------------------------------------------------------ R3.2 the table


@pytest.mark.parametrize(("high_risk", "grade", "cap"), SEED_TABLE)
def test_r3_2_the_2025_default_table_holds_the_seed_cap_for_every_cell(high_risk, grade, cap):
    assert cap_for(DEFAULT_2025, high_risk, grade) == cap
    assert DEFAULT_2025.year == 2025
    assert "2025年规范涉企行政检查工作方案》三(一)" in DEFAULT_2025.source


@pytest.mark.parametrize(("high_risk", "grade", "cap"), SEED_TABLE)
def test_r3_2_an_enterprise_one_visit_below_its_cap_is_allowed(high_risk, grade, cap):
    d = decide(done_visits(cap - 1), high_risk=high_risk, grade=grade)
    assert (d.allowed, d.cap, d.used, d.remaining, d.consumes_slot) == (True, cap, cap - 1, 1, True)
    assert codes(d) == ["within_cap"]
    assert "本次检查后剩余0次" in d.reasons[0].message


@pytest.mark.parametrize(("high_risk", "grade", "cap"), SEED_TABLE)
def test_r3_2_an_enterprise_at_its_cap_is_refused_with_the_reason(high_risk, grade, cap):
    d = decide(done_visits(cap), high_risk=high_risk, grade=grade)
    assert (d.allowed, d.used, d.remaining) == (False, cap, 0)
    assert codes(d) == ["cap_reached"]
    assert f"已达上限{cap}次" in d.reasons[0].message
    assert ("高危行业" if high_risk else "非高危行业") in d.reasons[0].message
    assert grade.label in d.reasons[0].message


def test_r3_2_a_grade_one_high_risk_enterprise_allows_two_visits_and_says_why_not_a_third():
    assert decide(done_visits(1)).allowed
    d = decide(done_visits(2))
    assert d.reasons[0].message.startswith(
        "该企业2025年度现场执法检查已达上限2次（高危行业、标准化一级），"
    )
    assert "本次检查不属于投诉举报等不受频次限制的情形。" in d.reasons[0].message


def test_r3_2_remaining_is_never_negative_when_an_enterprise_is_already_over_its_cap():
    d = decide(done_visits(5))
    assert (d.used, d.remaining, d.allowed) == (5, 0, False)


def test_r3_2_special_inspections_and_random_draws_count_against_the_cap():
    visits = [visit("a", trigger=Trigger.SPECIAL), visit("b", trigger=Trigger.RANDOM_DRAW)]
    assert decide(visits).used == 2
    assert not decide(visits, propose(trigger=Trigger.SPECIAL)).allowed


def test_r3_2_a_table_of_an_earlier_year_is_applied_with_a_note():
    d = decide([], propose(day=date(2026, 2, 1)), year=2026, today=date(2026, 1, 5))
    assert d.allowed
    assert codes(d) == ["cap_table_from_other_year", "within_cap"]
    assert "2026年度尚无频次上限表" in d.reasons[0].message


def test_r3_2_a_proposal_outside_the_year_asked_is_a_programming_error():
    with pytest.raises(ValueError):
        decide([], propose(day=date(2024, 12, 31)))


# ------------------------------------------------------------------ R3.2 validating edits


def good_cells():
    return DEFAULT_2025.cells()


def test_r3_2_a_valid_table_has_no_errors_and_round_trips_through_from_mapping():
    assert validate_cap_table(year=2026, source="2026年方案", cells=good_cells()) == []
    table = CapTable.from_mapping(2026, "2026年方案", good_cells())
    assert table.cells() == good_cells()
    assert table.year == 2026


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "required"),
        (-1, "negative"),
        (2.0, "not_integer"),
        ("3", "not_integer"),
        (True, "not_integer"),
        (366, "too_large"),
    ],
)
@pytest.mark.parametrize("cell", CELLS, ids=lambda c: CELL_FIELDS[c] if isinstance(c, tuple) else c)
def test_r3_2_validate_cap_table_rejects_each_bad_cell_with_its_field_name(cell, value, code):
    cells = good_cells()
    if value is None:
        del cells[cell]
    else:
        cells[cell] = value
    errors = validate_cap_table(year=2025, source="方案", cells=cells)
    assert [(e.field, e.code) for e in errors] == [(CELL_FIELDS[cell], code)]
    assert "企业的年度现场执法检查上限" in errors[0].message


@pytest.mark.parametrize(
    ("year", "source", "field", "code"),
    [
        (1999, "方案", "year", "year_out_of_range"),
        (2101, "方案", "year", "year_out_of_range"),
        ("2025", "方案", "year", "year_out_of_range"),
        (2025, "", "source", "blank"),
        (2025, "   ", "source", "blank"),
        (2025, None, "source", "blank"),
    ],
)
def test_r3_2_validate_cap_table_rejects_a_bad_year_or_an_empty_source(year, source, field, code):
    errors = validate_cap_table(year=year, source=source, cells=good_cells())
    assert [(e.field, e.code) for e in errors] == [(field, code)]


def test_r3_2_validate_cap_table_reports_every_problem_at_once_and_unknown_cells():
    cells = {**good_cells(), (True, Grade.ONE): -2, ("x", "y"): 1}
    errors = validate_cap_table(year=3000, source="", cells=cells)
    assert {(e.field, e.code) for e in errors} == {
        ("year", "year_out_of_range"),
        ("source", "blank"),
        ("cells", "unknown_cell"),
        ("high_risk_grade_1", "negative"),
    }


def test_r3_2_zero_and_365_are_the_bounds_an_administrator_may_enter():
    cells = {**good_cells(), (False, Grade.ONE): 0, (True, Grade.NONE): 365}
    assert validate_cap_table(year=2000, source="方案", cells=cells) == []
    assert validate_cap_table(year=2100, source="方案", cells=cells) == []


def test_r3_2_an_invalid_cap_table_cannot_be_constructed():
    with pytest.raises(CapTableError) as err:
        replace(DEFAULT_2025, high_risk_grade_2=-1)
    assert [e.field for e in err.value.errors] == ["high_risk_grade_2"]
    with pytest.raises(CapTableError):
        CapTable.from_mapping(2025, "方案", {(True, Grade.ONE): 2})


# ------------------------------------------------------------------ R3.3 exemptions


def test_r3_3_each_exempt_trigger_needs_its_own_kind_of_record():
    assert (
        set(REQUIRED_JUSTIFICATION)
        == EXEMPT_TRIGGERS
        == {
            Trigger.COMPLAINT,
            Trigger.REFERRAL,
            Trigger.MONITORING,
            Trigger.APPLICATION,
            Trigger.FOLLOW_UP,
        }
    )
    assert set(REQUIRED_JUSTIFICATION.values()) == set(JustificationKind)
    for enum in (Trigger, JustificationKind, Grade, Level):
        assert all(member.label and not member.label.isascii() for member in enum)


@pytest.mark.parametrize("trigger", sorted(EXEMPT_TRIGGERS))
def test_r3_3_an_exempt_trigger_with_its_record_is_allowed_at_the_cap(trigger):
    d = decide(done_visits(2), propose(trigger=trigger, justification=papers(trigger)))
    assert (d.allowed, d.consumes_slot, d.used, d.remaining) == (True, False, 2, 0)
    assert codes(d) == ["exempt_trigger_justified", "exempt_not_counted"]
    assert trigger.label in d.reasons[0].message
    assert "乌应急投〔2025〕12号" in d.reasons[0].message


@pytest.mark.parametrize("trigger", sorted(EXEMPT_TRIGGERS))
def test_r3_3_an_exempt_trigger_without_its_record_is_ordinary_and_refused_at_the_cap(trigger):
    d = decide(done_visits(2), propose(trigger=trigger))
    assert not d.allowed
    assert codes(d) == ["justification_missing", "exemption_not_applied", "cap_reached"]
    assert REQUIRED_JUSTIFICATION[trigger].label in d.reasons[0].message


@pytest.mark.parametrize("trigger", sorted(EXEMPT_TRIGGERS))
@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"kind": "wrong"}, "justification_wrong_kind"),
        ({"reference": "  "}, "justification_reference_blank"),
        ({"date": date(2025, 6, 19)}, "justification_date_in_future"),
        ({"summary": ""}, "justification_summary_blank"),
    ],
)
def test_r3_3_an_incomplete_record_does_not_exempt_and_names_the_failure(trigger, changes, code):
    if changes.get("kind") == "wrong":
        changes = {
            "kind": next(k for k in JustificationKind if k != REQUIRED_JUSTIFICATION[trigger])
        }
    j = papers(trigger, **changes)
    decision = check_exemption(trigger, j, today=TODAY)
    assert not decision.exempt
    assert code in [r.code for r in decision.reasons]
    d = decide(done_visits(2), propose(trigger=trigger, justification=j, day=date(2025, 6, 20)))
    assert not d.allowed
    assert code in codes(d)


def test_r3_3_a_record_dated_after_the_visit_cannot_justify_it():
    j = papers(Trigger.COMPLAINT, day=date(2025, 6, 10))
    decision = check_exemption(Trigger.COMPLAINT, j, today=TODAY, visit_date=date(2025, 6, 9))
    assert [r.code for r in decision.reasons] == ["justification_after_visit"]
    assert check_exemption(Trigger.COMPLAINT, j, today=TODAY, visit_date=date(2025, 6, 10)).exempt


def test_r3_3_every_failure_of_a_record_is_reported_together():
    j = Justification(JustificationKind.REFERRAL_DOCUMENT, "", date(2025, 7, 1), " ")
    decision = check_exemption(Trigger.COMPLAINT, j, today=TODAY)
    assert [r.code for r in decision.reasons] == [
        "justification_wrong_kind",
        "justification_reference_blank",
        "justification_date_in_future",
        "justification_summary_blank",
    ]


@pytest.mark.parametrize("trigger", ORDINARY_TRIGGERS)
def test_r3_3_ordinary_triggers_are_never_exempt_even_with_a_record(trigger):
    decision = check_exemption(trigger, papers(Trigger.COMPLAINT), today=TODAY)
    assert not decision.exempt
    assert [r.code for r in decision.reasons] == ["trigger_not_exempt"]


def test_r3_3_by_default_exempt_visits_use_no_slot_and_are_reported_apart():
    j = papers(Trigger.COMPLAINT, day=date(2025, 2, 1))
    visits = [
        visit("c1", trigger=Trigger.COMPLAINT, justification=j),
        visit("c2", trigger=Trigger.COMPLAINT, justification=j),
        visit("p1"),
    ]
    d = decide(visits)
    assert (d.allowed, d.used, d.exempt_used) == (True, 1, 2)
    assert d.counted_visits == ("p1",)
    assert d.exempt_visits == ("c1", "c2")


def test_r3_3_when_the_policy_counts_exempt_visits_they_fill_ordinary_slots():
    j = papers(Trigger.COMPLAINT, day=date(2025, 2, 1))
    visits = [
        visit("c1", trigger=Trigger.COMPLAINT, justification=j),
        visit("c2", trigger=Trigger.COMPLAINT, justification=j),
    ]
    d = decide(visits, policy=COUNTS)
    assert (d.allowed, d.used, d.exempt_used) == (False, 2, 2)
    assert d.counted_visits == ("c1", "c2")
    assert codes(d) == ["cap_reached"]


def test_r3_3_when_the_policy_counts_exempt_visits_an_exempt_one_is_still_allowed_over_cap():
    proposal = propose(trigger=Trigger.MONITORING, justification=papers(Trigger.MONITORING))
    d = decide(done_visits(2), proposal, policy=COUNTS)
    assert (d.allowed, d.consumes_slot) == (True, True)
    assert codes(d) == ["exempt_trigger_justified", "exempt_over_cap"]
    below = decide(done_visits(1), proposal, policy=COUNTS)
    assert (below.allowed, below.consumes_slot) == (True, True)
    assert codes(below) == ["exempt_trigger_justified", "exempt_counted"]


def test_r3_3_a_past_visit_with_an_exempt_trigger_but_no_record_counts_as_ordinary():
    visits = [visit("c1", trigger=Trigger.COMPLAINT), visit("p1")]
    d = decide(visits)
    assert (d.used, d.exempt_used, d.allowed) == (2, 0, False)


# ------------------------------------------------------------------ R4.1 and which visits count


def test_r4_1_off_site_inspections_never_count_and_an_off_site_proposal_is_always_allowed():
    visits = [*done_visits(2), *(visit(f"o{i}", kind=VisitKind.OFF_SITE) for i in range(9))]
    d = decide(visits, propose(kind=VisitKind.OFF_SITE))
    assert (d.allowed, d.used, d.consumes_slot) == (True, 2, False)
    assert codes(d) == ["off_site_not_counted"]
    assert all(v.startswith("v") for v in d.counted_visits)


def test_r3_2_cancelled_visits_never_count_at_check_in_or_in_planning():
    visits = done_visits(5, status=VisitStatus.CANCELLED)
    assert decide(visits).used == 0
    assert decide(visits, stage=CapStage.PLANNING).used == 0


def test_r3_2_only_visits_of_the_calendar_year_asked_count():
    visits = [
        visit("old", day=date(2024, 12, 31)),
        visit("new", day=date(2026, 1, 1)),
        visit("now", day=date(2025, 1, 1)),
    ]
    d = decide(visits)
    assert (d.used, d.counted_visits) == (1, ("now",))


def test_r3_4_at_check_in_only_visits_checked_in_or_done_have_used_a_slot():
    statuses = [
        VisitStatus.PLANNED,
        VisitStatus.APPROVED,
        VisitStatus.IN_PROGRESS,
        VisitStatus.DONE,
    ]
    visits = [visit(s.value, status=s) for s in statuses]
    d = decide(visits)
    assert (d.used, d.counted_visits, d.stage) == (2, ("done", "in_progress"), CapStage.CHECK_IN)


def test_r3_4_at_planning_approved_plans_hold_their_slot_but_drafts_do_not():
    visits = [
        visit("draft", status=VisitStatus.PLANNED),
        visit("approved", status=VisitStatus.APPROVED),
        visit("done"),
    ]
    d = decide(visits, stage=CapStage.PLANNING)
    assert (d.allowed, d.used, d.stage) == (False, 2, CapStage.PLANNING)
    assert "含已批准待实施的计划" in d.reasons[0].message
    assert decide(visits).allowed


def test_r3_4_the_visit_being_checked_in_is_not_counted_against_itself():
    visits = [visit("v0"), visit("me", status=VisitStatus.IN_PROGRESS)]
    assert decide(visits, propose(visit_id="me")).allowed
    assert not decide(visits, propose(visit_id="other")).allowed


def test_r6_1_quota_gives_the_year_numbers_with_pending_plans_apart():
    j = papers(Trigger.COMPLAINT, day=date(2025, 2, 1))
    visits = [
        visit("d1"),
        visit("a1", status=VisitStatus.APPROVED),
        visit("c1", trigger=Trigger.COMPLAINT, justification=j),
        visit("x", status=VisitStatus.CANCELLED),
    ]
    q = quota(
        table=DEFAULT_2025,
        policy=DEFAULT,
        high_risk=False,
        grade=Grade.THREE,
        year=YEAR,
        visits=visits,
        today=TODAY,
    )
    assert (q.year, q.cap, q.used, q.remaining, q.exempt_used, q.pending) == (2025, 3, 1, 2, 1, 1)
    assert (q.counted_visits, q.exempt_visits) == (("d1",), ("c1",))


# ------------------------------------------------------------------ R5.2 merged visits


def test_r5_2_a_merged_visit_counts_once():
    visits = [visit("a", group="m1"), visit("b", group="m1"), visit("c", group="m1")]
    d = decide(visits)
    assert (d.used, d.remaining, d.allowed) == (1, 1, True)
    assert d.counted_visits == ("a", "b", "c")


def test_r5_2_the_same_merge_label_on_different_days_is_two_trips():
    visits = [
        visit("a", group="m1", day=date(2025, 3, 1)),
        visit("b", group="m1", day=date(2025, 4, 1)),
    ]
    assert decide(visits).used == 2


def test_r5_2_joining_a_counted_merged_visit_needs_no_new_slot_even_at_the_cap():
    visits = [visit("a", group="m1", day=TODAY), visit("b")]
    d = decide(visits, propose(group="m1"))
    assert (d.allowed, d.consumes_slot, d.remaining) == (True, False, 0)
    assert codes(d) == ["joins_merged_visit"]
    assert not decide(visits, propose(group="m2")).allowed


def test_r5_2_joining_a_merged_visit_of_only_exempt_inspections_needs_a_slot_by_default():
    j = papers(Trigger.FOLLOW_UP, day=date(2025, 6, 1))
    follow_up = visit("f", trigger=Trigger.FOLLOW_UP, justification=j, group="m1", day=TODAY)
    visits = [*done_visits(2), follow_up]
    assert not decide(visits, propose(group="m1")).allowed
    joined = decide(visits, propose(group="m1"), policy=COUNTS)
    assert (joined.used, joined.consumes_slot) == (3, False)
    assert joined.allowed


def test_r5_2_when_exempt_visits_count_one_joining_a_counted_merged_visit_takes_no_new_slot():
    visits = [visit("a", group="m1", day=TODAY), visit("b")]
    proposal = propose(group="m1", trigger=Trigger.REFERRAL, justification=papers(Trigger.REFERRAL))
    d = decide(visits, proposal, policy=COUNTS)
    assert (d.allowed, d.consumes_slot) == (True, False)
    assert codes(d) == ["exempt_trigger_justified", "exempt_joins_merged_visit"]


# ------------------------------------------------------------------ R3.5 the -10% check


@pytest.mark.parametrize(
    ("previous", "planned", "ok", "max_allowed", "code"),
    [
        (10, 9, True, 9, "reduction_ok"),
        (10, 10, False, 9, "reduction_insufficient"),
        (3, 2, True, 2, "reduction_ok"),
        (3, 3, False, 2, "reduction_insufficient"),
        (1, 0, True, 0, "reduction_ok"),
        (0, 0, True, 0, "no_previous_inspections"),
        (0, 1, False, 0, "increase_without_baseline"),
        (20, 18, True, 18, "reduction_ok"),
        (19, 18, False, 17, "reduction_insufficient"),
        (5, 7, False, 4, "reduction_insufficient"),
    ],
)
def test_r3_5_non_high_risk_plans_must_be_at_least_ten_percent_fewer(
    previous, planned, ok, max_allowed, code
):
    check = check_non_high_risk_reduction(previous, planned)
    assert (check.ok, check.previous, check.planned, check.max_allowed) == (
        ok,
        previous,
        planned,
        max_allowed,
    )
    assert [r.code for r in check.reasons] == [code]
    assert isinstance(check.reduction_pct, Decimal)


def test_r3_5_the_reduction_is_an_exact_decimal_percentage():
    assert check_non_high_risk_reduction(10, 9).reduction_pct == Decimal("10.0")
    assert check_non_high_risk_reduction(3, 2).reduction_pct == Decimal("33.3")
    assert check_non_high_risk_reduction(5, 7).reduction_pct == Decimal("-40.0")
    assert check_non_high_risk_reduction(0, 0).reduction_pct == Decimal("0")
    assert "不得超过9次" in check_non_high_risk_reduction(10, 10).reasons[0].message


def test_r3_5_negative_counts_are_a_programming_error():
    with pytest.raises(ValueError):
        check_non_high_risk_reduction(-1, 0)


# ------------------------------------------------------------------ R5.3 one level per enterprise

C, D = Level.CITY, Level.DISTRICT


@pytest.mark.parametrize(
    ("supervising", "inspecting", "trigger", "partner", "allowed", "joint", "code"),
    [
        (C, C, Trigger.ANNUAL_PLAN, False, True, False, "same_level"),
        (D, D, Trigger.RANDOM_DRAW, False, True, False, "same_level"),
        (C, D, Trigger.ANNUAL_PLAN, False, False, False, "city_supervised_enterprise"),
        (C, D, Trigger.RANDOM_DRAW, True, False, False, "city_supervised_enterprise"),
        (C, D, Trigger.COMPLAINT, False, True, False, "level_exception_exempt_trigger"),
        (D, C, Trigger.RANDOM_DRAW, True, True, True, "joint_with_district"),
        (D, C, Trigger.RANDOM_DRAW, False, False, True, "joint_with_district_required"),
        (D, C, Trigger.SPECIAL, False, False, True, "joint_with_district_required"),
        (D, C, Trigger.COMPLAINT, False, True, False, "level_exception_exempt_trigger"),
        (D, C, Trigger.REFERRAL, False, True, False, "level_exception_exempt_trigger"),
    ],
)
def test_r5_3_one_enterprise_one_enforcement_level(
    supervising, inspecting, trigger, partner, allowed, joint, code
):
    d = check_enforcement_level(supervising, inspecting, trigger, partner)
    assert (d.allowed, d.joint_required, [r.code for r in d.reasons]) == (allowed, joint, [code])


@pytest.mark.parametrize(
    ("inspecting", "trigger", "city_items", "items", "allowed", "code"),
    [
        (D, Trigger.ANNUAL_PLAN, {"A01"}, {"A01", "B02"}, False, "city_already_inspected"),
        (D, Trigger.RANDOM_DRAW, {"A01"}, {"B02"}, False, "city_already_inspected"),
        (D, Trigger.FOLLOW_UP, {"A01"}, {"A01"}, True, "follow_up_after_city"),
        (D, Trigger.COMPLAINT, {"A01"}, {"A01"}, True, "exempt_trigger_after_city"),
        (D, Trigger.ANNUAL_PLAN, set(), {"A01"}, True, "city_has_not_inspected"),
        (C, Trigger.ANNUAL_PLAN, {"A01"}, {"A01"}, True, "city_inspection_not_restricted"),
    ],
)
def test_r5_3_a_district_does_not_inspect_again_what_the_city_inspected_except_follow_ups(
    inspecting, trigger, city_items, items, allowed, code
):
    d = check_district_reinspection(inspecting, trigger, city_items, items)
    assert (d.allowed, [r.code for r in d.reasons]) == (allowed, [code])
    assert d.overlapping_items == tuple(sorted(city_items & items))


def test_r5_3_a_refused_district_reinspection_names_the_repeated_items():
    d = check_district_reinspection(D, Trigger.ANNUAL_PLAN, {"B02", "A01"}, {"A01", "B02", "C"})
    assert "A01、B02" in d.reasons[0].message


# ------------------------------------------------------------------ properties

DAYS = [date(2025, 3, 1), date(2025, 3, 2), date(2025, 9, 9)]


@st.composite
def proposals(draw):
    trigger = draw(st.sampled_from(Trigger))
    day = draw(st.sampled_from(DAYS))
    paper = draw(st.sampled_from(["valid", "none", "blank", "late"]))
    justification = {
        "valid": papers(trigger, day=day),
        "none": None,
        "blank": papers(trigger, day=day, reference=""),
        "late": papers(trigger, day=date(2025, 12, 30)),
    }[paper]
    return propose(
        kind=draw(st.sampled_from(VisitKind)),
        trigger=trigger,
        day=day,
        group=draw(st.sampled_from([None, "m1", "m2"])),
        justification=justification,
    )


def applied_in_order(steps, *, high_risk, grade, policy, planning):
    """Apply proposals in order, keeping a visit only when allowed; yield each step."""
    stage, status = (
        (CapStage.PLANNING, VisitStatus.APPROVED)
        if planning
        else (CapStage.CHECK_IN, VisitStatus.DONE)
    )
    visits = []
    for i, proposal in enumerate(steps):
        proposal = replace(proposal, visit_id=f"p{i}")
        d = decide(
            visits,
            proposal,
            high_risk=high_risk,
            grade=grade,
            policy=policy,
            stage=stage,
            today=date(2025, 12, 31),
        )
        if d.allowed:
            visits.append(
                visit(
                    proposal.visit_id,
                    kind=proposal.kind,
                    trigger=proposal.trigger,
                    day=proposal.date,
                    status=status,
                    group=proposal.merge_group,
                    justification=proposal.justification,
                )
            )
        after = decide(
            visits,
            propose(kind=VisitKind.OFF_SITE),
            high_risk=high_risk,
            grade=grade,
            policy=policy,
            stage=stage,
            today=date(2025, 12, 31),
        )
        yield proposal, d, after


settings_for_sequences = {
    "steps": st.lists(proposals(), max_size=25),
    "high_risk": st.booleans(),
    "grade": st.sampled_from(Grade),
    "consumes": st.booleans(),
    "planning": st.booleans(),
}


@given(**settings_for_sequences)
def test_r3_2_applied_in_order_counted_visits_never_exceed_the_cap_except_through_exemptions(
    steps, high_risk, grade, consumes, planning
):
    policy = CapPolicy(exempt_consumes_cap=consumes)
    for proposal, d, after in applied_in_order(
        steps, high_risk=high_risk, grade=grade, policy=policy, planning=planning
    ):
        exempt = check_exemption(
            proposal.trigger,
            proposal.justification,
            today=date(2025, 12, 31),
            visit_date=proposal.date,
        ).exempt
        if not consumes:
            assert after.used <= after.cap
        if not exempt:
            assert after.used <= max(d.used, d.cap)
        assert after.used == d.used + (d.allowed and d.consumes_slot)


@given(**settings_for_sequences)
def test_r3_3_an_exempt_proposal_with_a_valid_record_is_never_refused_by_the_cap(
    steps, high_risk, grade, consumes, planning
):
    policy = CapPolicy(exempt_consumes_cap=consumes)
    for proposal, d, _ in applied_in_order(
        steps, high_risk=high_risk, grade=grade, policy=policy, planning=planning
    ):
        if check_exemption(
            proposal.trigger,
            proposal.justification,
            today=date(2025, 12, 31),
            visit_date=proposal.date,
        ).exempt:
            assert d.allowed


@given(**settings_for_sequences)
def test_r3_2_remaining_is_always_the_cap_minus_used_but_never_negative(
    steps, high_risk, grade, consumes, planning
):
    policy = CapPolicy(exempt_consumes_cap=consumes)
    for _, d, after in applied_in_order(
        steps, high_risk=high_risk, grade=grade, policy=policy, planning=planning
    ):
        for decision in (d, after):
            assert decision.remaining == max(decision.cap - decision.used, 0)
            assert decision.allowed or decision.remaining == 0


def test_r3_2_r3_4_the_set_based_count_parameters_are_the_rules_own():
    # issue 13 item 3: the SQL path takes every parameter from here (the limits of the
    # table, the statuses counted at planning, the records that make a visit exempt).
    from datetime import date as _date

    from fairinspect.rules import caps as c

    table = c.DEFAULT_2025
    p = c.cap_count_parameters(
        table=table,
        policy=c.CapPolicy(),
        year=2025,
        today=_date(2025, 4, 1),
        stage=c.CapStage.PLANNING,
    )
    assert dict(p.limits) == {cell: table.cap(*cell) for cell in c.CELLS}
    assert p.counted_statuses == {
        c.VisitStatus.APPROVED,
        c.VisitStatus.IN_PROGRESS,
        c.VisitStatus.DONE,
    }
    assert dict(p.required_justification) == dict(c.REQUIRED_JUSTIFICATION)
    assert not p.exempt_consumes_cap
    assert c.at_cap(2, 2) and not c.at_cap(2, 1)
