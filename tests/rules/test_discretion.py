"""Violation catalogue, discretion baseline and no-penalty list (R7.1, R7.2, R7.3).

The expected ranges below are written from the text of the 2021 安全生产法 and the 2021
行政处罚法, not from the code.
"""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fairinspect.rules.discretion import (
    AGGRAVATIONS,
    MITIGATIONS,
    DiscretionError,
    Facts,
    Grade,
    Harm,
    LegalDataError,
    Party,
    Stage,
    check_no_penalty,
    check_outside_range,
    continuous_daily_total,
    decide,
    load_catalogue,
    load_no_penalty_list,
    parse_catalogue,
)

CATALOGUE = load_catalogue()
NO_PENALTY = load_no_penalty_list(catalogue=CATALOGUE)
BASELINE = CATALOGUE.baseline
D = Decimal


def run(code, party="unit", baseline=BASELINE, npl=NO_PENALTY, **facts):
    return decide(CATALOGUE.get(code), party, Facts(**facts), baseline, npl)


# ---- R7.1 the catalogue --------------------------------------------------------------------

ITEMS_PER_ARTICLE = {
    94: 1,
    95: 4,
    96: 1,
    97: 7,
    99: 8,
    101: 5,
    102: 1,
    105: 2,
    108: 1,
    109: 1,
    112: 1,
    114: 4,
}


@pytest.mark.parametrize(("article", "count"), ITEMS_PER_ARTICLE.items())
def test_r7_1_catalogue_ships_each_required_article_with_all_its_items(article, count):
    entries = [v for v in CATALOGUE.violations if v.article == article]
    assert len(entries) == count
    assert all(v.law == "安全生产法" and v.version == "2021" for v in entries)


def test_r7_1_every_entry_is_keyed_on_law_version_article_clause_item_and_cites_its_source():
    keys = [v.key for v in CATALOGUE.violations]
    assert len(keys) == len(set(keys))
    for v in CATALOGUE.violations:
        assert v.code.startswith(f"AQSCF2021-{v.article}")
        assert v.legal_basis.startswith("《安全生产法》第")
        assert v.penalty_basis.startswith("《安全生产法》第")
        assert "安全生产法" in v.source and "2021" in v.source
        assert v.sanctions


# (code, party, stage) -> (min, max) as written in the law; None = no fine at that stage.
LEGAL_RANGES = [
    ("AQSCF2021-94", "person", Stage.INITIAL, (20000, 50000)),
    ("AQSCF2021-94", "person", Stage.OVERDUE, (50000, 100000)),
    ("AQSCF2021-94", "unit", Stage.OVERDUE, None),  # 责令生产经营单位停产停业整顿
    ("AQSCF2021-96", "person", Stage.INITIAL, (10000, 30000)),
    ("AQSCF2021-97-3", "unit", Stage.INITIAL, (0, 100000)),
    ("AQSCF2021-97-3", "unit", Stage.OVERDUE, (100000, 200000)),
    ("AQSCF2021-97-3", "person", Stage.OVERDUE, (20000, 50000)),
    ("AQSCF2021-99-8", "unit", Stage.INITIAL, (0, 50000)),
    ("AQSCF2021-99-8", "unit", Stage.OVERDUE, (50000, 200000)),
    ("AQSCF2021-99-8", "person", Stage.OVERDUE, (10000, 20000)),
    ("AQSCF2021-101-2", "unit", Stage.OVERDUE, (100000, 200000)),
    ("AQSCF2021-102", "unit", Stage.INITIAL, (0, 50000)),
    ("AQSCF2021-102", "person", Stage.OVERDUE, (50000, 100000)),
    ("AQSCF2021-105-2", "person", Stage.INITIAL, (0, 10000)),
    ("AQSCF2021-108", "unit", Stage.INITIAL, None),  # 责令改正 only
    ("AQSCF2021-108", "unit", Stage.OVERDUE, (20000, 200000)),
    ("AQSCF2021-109", "unit", Stage.INITIAL, (50000, 100000)),
    ("AQSCF2021-109", "unit", Stage.OVERDUE, (100000, 200000)),
    ("AQSCF2021-114-1", "unit", Stage.ACCIDENT, (300000, 1000000)),
    ("AQSCF2021-114-2", "unit", Stage.ACCIDENT, (1000000, 2000000)),
    ("AQSCF2021-114-3", "unit", Stage.ACCIDENT, (2000000, 10000000)),
    ("AQSCF2021-114-4", "unit", Stage.ACCIDENT, (10000000, 20000000)),
]


@pytest.mark.parametrize(("code", "party", "stage", "expected"), LEGAL_RANGES)
def test_r7_1_statutory_fine_ranges_match_the_2021_text(code, party, stage, expected):
    sanction = CATALOGUE.get(code).sanction(Party(party), stage)
    assert sanction is not None
    if expected is None:
        assert sanction.fine is None
    else:
        assert (sanction.fine.min, sanction.fine.max) == tuple(D(x) for x in expected)
        assert sanction.fine.basis == "amount"


def test_r7_1_article_95_fines_the_main_person_in_charge_a_share_of_last_years_income():
    shares = [
        CATALOGUE.get(f"AQSCF2021-95-{i}").sanction(Party.PERSON, Stage.ACCIDENT).fine
        for i in range(1, 5)
    ]
    assert [(f.basis, f.min, f.max) for f in shares] == [
        ("income_percent", D(p), D(p)) for p in (40, 60, 80, 100)
    ]


def test_r7_1_the_daily_penalty_of_article_112_is_not_a_discretion_range():
    with pytest.raises(DiscretionError) as err:
        run("AQSCF2021-112", overdue_uncorrected=True)
    assert err.value.code == "not_discretionary"


def test_r7_1_article_112_multiplies_the_original_fine_by_the_days_after_the_order():
    assert continuous_daily_total(D(20000), date(2025, 3, 1), date(2025, 3, 11)) == D(200000)
    assert continuous_daily_total(D(20000), date(2025, 3, 1), date(2025, 3, 1)) == 0


def test_r7_1_an_unknown_violation_code_is_refused_with_a_stable_code():
    with pytest.raises(DiscretionError) as err:
        CATALOGUE.get("AQSCF2014-94-1")
    assert err.value.code == "unknown_violation"


def test_r7_2_a_baseline_tier_outside_the_legal_range_is_rejected_when_loading():
    import json

    from fairinspect.rules.discretion import LEGAL_DATA

    doc = json.loads((LEGAL_DATA / "violations_aqscf_2021.json").read_text(encoding="utf-8"))
    doc["baseline"]["entries"][0]["tiers"][0]["fine"] = ["0", "150000"]
    with pytest.raises(LegalDataError):
        parse_catalogue(doc)


# ---- R7.2 worked cases ---------------------------------------------------------------------

WORKED = [
    # 行政处罚法第三十三条第一款第一句: minor, corrected in time, no harm -> must not be penalised.
    (
        "minor_corrected_no_harm",
        "AQSCF2021-97-4",
        "unit",
        dict(minor=True, corrected_in_time=True),
        Grade.NO_PENALTY,
        0,
        0,
    ),
    # 第三十三条第二款: no fault proven.
    ("no_fault", "AQSCF2021-101-3", "unit", dict(no_fault=True), Grade.NO_PENALTY, 0, 0),
    # 第三十三条第一款第二句 applied through the no-penalty list, item 1 (≤10 people).
    (
        "listed_first_offence",
        "AQSCF2021-97-4",
        "unit",
        dict(first_offence=True, harm="slight", corrected_in_time=True, people_affected=5),
        Grade.NO_PENALTY,
        0,
        0,
    ),
    # Not a first offence, 5% of staff: tier 1 (0–30,000), middle third.
    (
        "tier1_ordinary",
        "AQSCF2021-97-4",
        "unit",
        dict(staff_affected_share=D("0.05")),
        Grade.ORDINARY,
        10000,
        20000,
    ),
    # 20% of staff: tier 2 (30,000–70,000), middle third.
    (
        "tier2_ordinary",
        "AQSCF2021-97-4",
        "unit",
        dict(staff_affected_share=D("0.2")),
        Grade.ORDINARY,
        43333,
        56667,
    ),
    # Repeat within a year: upper third of tier 2.
    (
        "tier2_heavier",
        "AQSCF2021-97-3",
        "unit",
        dict(staff_affected_share=D("0.2"), aggravations=("repeat_within_1_year",)),
        Grade.HEAVIER,
        56667,
        70000,
    ),
    # 逾期未改正: 100,000–200,000 by law; tier 1 of the overdue stage is 100,000–130,000.
    (
        "overdue_tier1",
        "AQSCF2021-97-4",
        "unit",
        dict(overdue_uncorrected=True, staff_affected_share=D("0.05")),
        Grade.ORDINARY,
        110000,
        120000,
    ),
    # The persons directly responsible, overdue: 20,000–50,000 by law; tier 2 is 20,000–30,000.
    (
        "overdue_person",
        "AQSCF2021-97-4",
        "person",
        dict(overdue_uncorrected=True, staff_affected_share=D("0.2")),
        Grade.ORDINARY,
        23333,
        26667,
    ),
    # 第三十二条: two statutory grounds and no aggravation -> 减轻, below the 50,000 minimum.
    (
        "mitigated",
        "AQSCF2021-109",
        "unit",
        dict(mitigations=("coerced", "confessed")),
        Grade.MITIGATED,
        0,
        49999,
    ),
    # One statutory ground -> 从轻, lower third of 50,000–100,000.
    (
        "lighter",
        "AQSCF2021-109",
        "unit",
        dict(mitigations=("actively_reduced_harm",)),
        Grade.LIGHTER,
        50000,
        66667,
    ),
    # "处十万元以下的罚款" has no minimum: 减轻 is impossible, 从轻 instead.
    (
        "no_minimum",
        "AQSCF2021-101-1",
        "unit",
        dict(mitigations=("coerced", "confessed")),
        Grade.LIGHTER,
        0,
        33333,
    ),
    # A statutory ground still applies alongside an aggravation, but only as 从轻.
    (
        "lighter_with_aggravation",
        "AQSCF2021-109",
        "unit",
        dict(mitigations=("coerced", "confessed"), aggravations=("refused_inspection",)),
        Grade.LIGHTER,
        50000,
        66667,
    ),
    # First offence corrected in time, but slight harm and not on the list (hazardous goods).
    (
        "first_offence_not_listed",
        "AQSCF2021-101-2",
        "unit",
        dict(first_offence=True, harm="slight", corrected_in_time=True),
        Grade.LIGHTER,
        0,
        33333,
    ),
    # First offence corrected in time offsets one aggravation down to 一般.
    (
        "offset",
        "AQSCF2021-99-3",
        "unit",
        dict(first_offence=True, corrected_in_time=True, aggravations=("endangers_public",)),
        Grade.ORDINARY,
        16667,
        33333,
    ),
    # Minor and corrected, but obstructing the inspection: not minor any more -> 从重.
    (
        "minor_but_obstructed",
        "AQSCF2021-97-5",
        "unit",
        dict(minor=True, corrected_in_time=True, aggravations=("refused_inspection",)),
        Grade.HEAVIER,
        66667,
        100000,
    ),
    # 第三十条: a person of 16 -> 从轻 (overdue, 10,000–20,000; tier 3 of 99-5 is 15,000–20,000).
    (
        "minor_age",
        "AQSCF2021-99-5",
        "person",
        dict(overdue_uncorrected=True, staff_affected_share=D("0.5"), mitigations=("minor_age",)),
        Grade.LIGHTER,
        15000,
        16667,
    ),
    # 第一百一十四条第一款第一项: 一般事故 300,000–1,000,000, middle third.
    ("accident_general", "AQSCF2021-114-1", "unit", dict(), Grade.ORDINARY, 533333, 766667),
    # 第一百一十四条第二款: 情节特别严重 -> 2x–5x, i.e. 600,000–5,000,000, middle third.
    (
        "accident_egregious",
        "AQSCF2021-114-1",
        "unit",
        dict(aggravations=("egregious_accident",)),
        Grade.ORDINARY,
        2066667,
        3533333,
    ),
    # 第九十五条第二项: 较大事故, 60% of last year's income of 300,000.
    (
        "art95_income",
        "AQSCF2021-95-2",
        "person",
        dict(annual_income=D(300000)),
        Grade.ORDINARY,
        180000,
        180000,
    ),
    # 第九十六条: accident -> 20%–50% of 200,000 = 40,000–100,000, middle third.
    (
        "art96_accident",
        "AQSCF2021-96",
        "person",
        dict(annual_income=D(200000), accident_level="general"),
        Grade.ORDINARY,
        60000,
        80000,
    ),
    # 第一百零八条: 拒不改正 -> 20,000–200,000.
    (
        "art108_refused",
        "AQSCF2021-108",
        "unit",
        dict(overdue_uncorrected=True),
        Grade.ORDINARY,
        80000,
        140000,
    ),
    # 第一百零八条 first stage: 责令改正 only, no fine.
    ("art108_order_only", "AQSCF2021-108", "unit", dict(), Grade.ORDINARY, 0, 0),
]


@pytest.mark.parametrize(
    ("name", "code", "party", "facts", "grade", "lo", "hi"), WORKED, ids=[w[0] for w in WORKED]
)
def test_r7_2_worked_cases_follow_the_law_and_the_baseline(name, code, party, facts, grade, lo, hi):
    result = run(code, party, **facts)
    assert (result.grade, result.fine_min, result.fine_max) == (grade, D(lo), D(hi))
    assert result.reasons and all(r.code and r.message for r in result.reasons)


def test_r7_2_first_minor_violation_corrected_in_time_is_not_penalised():
    result = run("AQSCF2021-97-4", minor=True, first_offence=True, corrected_in_time=True)
    assert result.grade is Grade.NO_PENALTY
    assert result.penalty_types == ()
    assert "批评教育" in result.measures
    assert any("第三十三条第一款" in r.message for r in result.reasons)


def test_r7_2_every_reason_cites_a_rule_in_chinese():
    result = run(
        "AQSCF2021-97-3",
        staff_affected_share=D("0.2"),
        mitigations=("confessed",),
        aggravations=("repeat_within_1_year",),
    )
    for reason in result.reasons:
        assert reason.code.isascii()
    cited = [r for r in result.reasons if "《" in r.message or "裁量基准" in r.message]
    assert len(cited) == len(result.reasons)


def test_r7_2_overdue_stage_adds_suspension_of_production_for_article_97():
    result = run("AQSCF2021-97-1", overdue_uncorrected=True)
    assert result.stage is Stage.OVERDUE
    assert "责令停产停业整顿" in result.penalty_types


def test_r7_2_serious_circumstances_add_suspension_under_article_99():
    result = run("AQSCF2021-99-2", overdue_uncorrected=True, aggravations=("endangers_public",))
    assert result.grade is Grade.HEAVIER
    assert "责令停产停业整顿" in result.penalty_types


def test_r7_2_a_party_without_a_sanction_at_that_stage_is_refused():
    with pytest.raises(DiscretionError) as err:
        run("AQSCF2021-97-4", "person")  # persons are fined only when the unit is overdue
    assert err.value.code == "no_sanction"


def test_r7_2_income_based_fines_need_last_years_income():
    with pytest.raises(DiscretionError) as err:
        run("AQSCF2021-95-1", "person")
    assert err.value.code == "missing_annual_income"


def test_r7_2_causing_the_accident_is_not_counted_twice_in_the_accident_stage():
    plain = run("AQSCF2021-96", "person", annual_income=D(200000), accident_level="general")
    twice = run(
        "AQSCF2021-96",
        "person",
        annual_income=D(200000),
        accident_level="general",
        aggravations=("caused_accident",),
    )
    assert (twice.grade, twice.fine_min) == (plain.grade, plain.fine_min)
    assert any(r.code == "not_double_counted" for r in twice.reasons)


def test_r7_2_a_missing_fact_leaves_the_tier_open_and_says_which_fact():
    result = run("AQSCF2021-97-4")
    assert result.tier is None
    assert any(
        r.code == "tier_undetermined" and "staff_affected_share" in r.message
        for r in result.reasons
    )


def test_r7_2_unknown_circumstance_codes_are_refused():
    with pytest.raises(DiscretionError):
        Facts(aggravations=("bad_mood",))


# ---- R7.2 leaving the range needs a reason ---------------------------------------------------


def test_r7_2_an_amount_inside_the_recommended_range_needs_no_reason():
    result = run("AQSCF2021-109")
    check = check_outside_range(D(75000), result)
    assert (check.needs_reason, check.unlawful, check.reason) == (False, False, None)


@pytest.mark.parametrize(
    ("amount", "code", "unlawful"),
    [
        (D(90000), "outside_recommendation", False),
        (D(40000), "below_legal_min", False),
        (D(100001), "above_legal_max", True),
        (D(-1), "negative_amount", True),
    ],
)
def test_r7_2_an_amount_outside_the_range_is_flagged_for_review(amount, code, unlawful):
    check = check_outside_range(amount, run("AQSCF2021-109"))
    assert check.needs_reason and check.reason.code == code and check.unlawful is unlawful


def test_r7_2_fining_despite_a_mandatory_exemption_is_unlawful():
    check = check_outside_range(D(1000), run("AQSCF2021-97-4", no_fault=True))
    assert check.needs_reason and check.unlawful


def test_r7_2_fining_despite_the_no_penalty_list_needs_a_reviewed_reason():
    result = run("AQSCF2021-97-5", first_offence=True, corrected_in_time=True)
    assert result.grade is Grade.NO_PENALTY
    check = check_outside_range(D(1000), result)
    assert check.needs_reason and not check.unlawful


# ---- R7.2 properties -------------------------------------------------------------------------

RANGED = [(v, p) for v in CATALOGUE.violations if v.kind == "range" for p in Party]

facts_strategy = st.builds(
    Facts,
    first_offence=st.booleans(),
    harm=st.sampled_from(list(Harm)),
    corrected_in_time=st.booleans(),
    overdue_uncorrected=st.booleans(),
    no_fault=st.just(False) | st.booleans(),
    minor=st.booleans(),
    mitigations=st.lists(st.sampled_from(sorted(MITIGATIONS)), max_size=3).map(tuple),
    aggravations=st.lists(st.sampled_from(sorted(AGGRAVATIONS)), max_size=3).map(tuple),
    staff_affected_share=st.none() | st.decimals(0, 1, places=2),
    headcount=st.none() | st.integers(0, 2000),
    people_affected=st.none() | st.integers(0, 30),
    fatal_accident_within_3_years=st.booleans(),
    serious_dishonesty_listed=st.booleans(),
    high_risk=st.booleans(),
    annual_income=st.decimals(0, 5_000_000, places=2),
)


def decide_or_skip(violation, party, facts):
    try:
        return decide(violation, party, facts, BASELINE, NO_PENALTY)
    except DiscretionError:
        assume(False)


@settings(max_examples=300)
@given(pair=st.sampled_from(RANGED), facts=facts_strategy)
def test_r7_2_property_recommended_range_lies_inside_the_legal_range(pair, facts):
    result = decide_or_skip(*pair, facts)
    assert result.fine_min <= result.fine_max
    if result.grade is Grade.NO_PENALTY or result.legal_min is None:
        assert result.fine_min == result.fine_max == 0
    elif result.grade is Grade.MITIGATED:
        assert 0 <= result.fine_min <= result.fine_max < result.legal_min
    else:
        assert result.legal_min <= result.fine_min <= result.fine_max <= result.legal_max


@settings(max_examples=300)
@given(
    pair=st.sampled_from(RANGED), facts=facts_strategy, extra=st.sampled_from(sorted(AGGRAVATIONS))
)
def test_r7_2_property_adding_an_aggravation_never_lowers_the_range(pair, facts, extra):
    before = decide_or_skip(*pair, facts)
    after = decide_or_skip(*pair, replace(facts, aggravations=(*facts.aggravations, extra)))
    assert list(Grade).index(after.grade) >= list(Grade).index(before.grade)
    assert after.fine_min >= before.fine_min and after.fine_max >= before.fine_max


@settings(max_examples=300)
@given(
    pair=st.sampled_from(RANGED), facts=facts_strategy, extra=st.sampled_from(sorted(MITIGATIONS))
)
def test_r7_2_property_adding_a_mitigation_never_raises_the_range(pair, facts, extra):
    before = decide_or_skip(*pair, facts)
    after = decide_or_skip(*pair, replace(facts, mitigations=(*facts.mitigations, extra)))
    assert list(Grade).index(after.grade) <= list(Grade).index(before.grade)
    assert after.fine_min <= before.fine_min and after.fine_max <= before.fine_max


# ---- R7.3 the no-penalty list ----------------------------------------------------------------

ELIGIBLE = Facts(first_offence=True, harm=Harm.SLIGHT, corrected_in_time=True, people_affected=4)


def test_r7_3_the_list_is_versioned_and_every_item_names_a_catalogued_violation():
    assert NO_PENALTY.version and NO_PENALTY.status in ("draft", "published")
    for item in NO_PENALTY.items:
        assert CATALOGUE.get(item.violation).sanction(item.party, Stage.INITIAL) is not None


def test_r7_3_an_eligible_first_offence_is_exempted_with_the_item_and_a_notice():
    decision = check_no_penalty(NO_PENALTY, "AQSCF2021-97-4", ELIGIBLE)
    assert decision.applies and decision.item.id == "1" and decision.failed_conditions == ()
    assert "不予行政处罚决定书" in decision.reasons[0].message


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (dict(first_offence=False), "first_offence"),
        (dict(harm=Harm.SERIOUS), "harm_slight"),
        (dict(corrected_in_time=False), "corrected_in_time"),
        (dict(overdue_uncorrected=True), "corrected_in_time"),
        (dict(fatal_accident_within_3_years=True), "no_fatal_accident_3y"),
        (dict(serious_dishonesty_listed=True), "not_dishonest"),
        (dict(aggravations=("repeat_within_1_year",)), "no_aggravation"),
        (dict(people_affected=11), "outside_item_scope"),
        (dict(people_affected=None), "missing_fact"),
    ],
)
def test_r7_3_each_condition_on_its_own_fails_the_list(change, code):
    decision = check_no_penalty(NO_PENALTY, "AQSCF2021-97-4", replace(ELIGIBLE, **change))
    assert not decision.applies
    assert [r.code for r in decision.failed_conditions] == [code]


def test_r7_3_high_risk_units_are_excluded_where_the_item_says_so():
    facts = replace(ELIGIBLE, people_affected=2, high_risk=True)
    decision = check_no_penalty(NO_PENALTY, "AQSCF2021-97-3", facts)
    assert [r.code for r in decision.failed_conditions] == ["high_risk_excluded"]


def test_r7_3_a_violation_not_on_the_list_is_reported_as_not_listed():
    decision = check_no_penalty(NO_PENALTY, "AQSCF2021-105-2", ELIGIBLE)
    assert not decision.applies and decision.item is None
    assert decision.failed_conditions[0].code == "not_listed"


def test_r7_3_decide_applies_the_list_automatically_and_records_the_item():
    result = decide(CATALOGUE.get("AQSCF2021-97-4"), Party.UNIT, ELIGIBLE, BASELINE, NO_PENALTY)
    assert result.grade is Grade.NO_PENALTY and result.no_penalty_item.id == "1"
    assert (result.fine_min, result.fine_max) == (0, 0)


def test_r7_3_without_the_list_the_same_facts_get_a_lighter_fine():
    result = decide(CATALOGUE.get("AQSCF2021-97-4"), Party.UNIT, ELIGIBLE, BASELINE, None)
    assert result.grade is Grade.LIGHTER and result.fine_max > 0
