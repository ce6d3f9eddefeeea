"""The verifiable 双随机 draw (R9.2) and the exclusions that precede it (R1.1, R5.3, R5.4).

Sampler vectors come from outside the module: SHA-256 computed here with hashlib on literal
strings, Rivest's own published transcript, and the public rivest-sampler-tests cases.
"""

import hashlib
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairinspect.rules.sampling import (
    Code,
    Conflict,
    ConflictKind,
    DrawInputError,
    EnterpriseCandidate,
    OfficerCandidate,
    PoolFileError,
    build_enterprise_pool,
    build_officer_pool,
    count_from_ratio,
    officer_seed,
    pair_officers,
    parse_pool_file,
    picks,
    pool_sha256,
    pool_text,
    run_draw,
    sample,
    select,
    validate_seed,
    verify,
    verify_pool_file,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
SNAKE = re.compile(r"[a-z]+(_[a-z0-9]+)*")
DAY = date(2025, 6, 18)
ITEMS = frozenset({"粉尘防爆", "有限空间"})


def by_hand(text: str, pool_size: int) -> int:
    """Rivest's pick, written independently of the module: SHA-256, big-endian, mod n, + 1."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) % pool_size + 1


seeds = st.from_regex(r"[0-9]{6,64}", fullmatch=True)
ids = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=1, max_size=6)
id_sets = st.lists(ids, unique=True, max_size=25)


# --- The sampler against its specification ------------------------------------------------


def test_r9_2_the_ith_pick_hashes_seed_comma_i_with_i_starting_at_one():
    expected = tuple(by_hand(f"20250618,{i}", 100) for i in (1, 2, 3))
    assert len(set(expected)) == 3  # no duplicate to skip, so the picks are the raw hashes
    assert sample("20250618", 100, 3) == expected
    assert next(picks("20250618", 100)) == by_hand("20250618,1", 100)


def test_r9_2_a_repeated_pick_is_skipped_while_the_counter_moves_on():
    raw = [by_hand(f"12345678,{i}", 3) for i in range(1, 40)]
    distinct = tuple(dict.fromkeys(raw))  # first occurrences, in order
    assert len(distinct) == 3 and len(raw) > 3
    assert sample("12345678", 3, 3) == distinct


def test_r9_2_the_sampler_reproduces_rivests_published_transcript():
    # From the docstring of Rivest's sampler.py (November 14, 2011): range 1..876, 47 picks
    # without replacement; hash 32 gave 611 again and was rejected.
    rivest = (
        740, 180, 264, 789, 238, 448, 272, 611, 761, 208, 596, 88, 160, 113, 766, 427, 184,
        816, 653, 411, 779, 331, 339, 487, 594, 235, 65, 527, 821, 490, 461, 251, 471, 414,
        174, 567, 300, 134, 144, 357, 786, 792, 218, 550, 787, 537, 197,
    )  # fmt: skip
    assert sample("3546311556112163624615351222", 876, 47) == rivest


@pytest.mark.parametrize(
    ("seed", "expected"),
    [("999999999999999999999999", (544, 800, 654)), ("0000000000", (978, 359, 132))],
)
def test_r9_2_the_sampler_matches_the_public_rivest_sampler_test_cases(seed, expected):
    # github.com/cjerdonek/rivest-sampler-tests, tests.json, total 1000, count 3.
    assert sample(seed, 1000, 3) == expected


def test_r9_2_pinned_draws_catch_any_change_of_the_algorithm():
    assert sample("20250618", 100, 10) == (83, 22, 20, 4, 100, 95, 17, 56, 30, 66)
    assert sample("314159265358", 7, 7) == (7, 5, 3, 2, 6, 4, 1)
    pool = [f"91650100MA{n:08d}" for n in range(20, 0, -1)]
    assert select("20250618", pool, 3) == (
        "91650100MA00000003",
        "91650100MA00000002",
        "91650100MA00000020",
    )


def test_r9_2_officer_seed_is_the_draw_seed_slash_officers_slash_enterprise_id():
    officers = [_officer(f"证{n}") for n in (3, 1, 2, 5, 4)]
    canonical = sorted(o.id for o in officers)
    assert officer_seed("20250618", "E1") == "20250618/officers/E1"
    pairing = pair_officers("20250618", ["E1"], officers)[0]
    assert pairing.officer_ids[0] == canonical[by_hand("20250618/officers/E1,1", 5) - 1]


# --- Determinism and the published pools ---------------------------------------------------


@given(seed=seeds, pool=id_sets, data=st.data())
def test_r9_2_same_inputs_always_give_the_same_draw(seed, pool, data):
    count = data.draw(st.integers(0, len(pool)))
    officers = [_officer(f"O{n}") for n in range(6)]
    first = run_draw(seed=seed, enterprise_pool=pool, officer_pool=officers, count=count)
    again = run_draw(
        seed=seed,
        enterprise_pool=data.draw(st.permutations(pool)),
        officer_pool=data.draw(st.permutations(officers)),
        count=count,
    )
    assert first == again
    assert verify(pool, seed, count) == first.selected
    assert first.enterprise_pool_sha256 == pool_sha256(pool)


@given(pool=id_sets, data=st.data())
def test_r9_2_canonical_order_does_not_depend_on_input_order(pool, data):
    shuffled = data.draw(st.permutations(pool))
    assert pool_text(shuffled) == pool_text(pool)
    assert pool_sha256(shuffled) == pool_sha256(pool)


@given(pool=st.lists(ids, unique=True, min_size=1, max_size=25), extra=ids, data=st.data())
def test_r9_2_any_change_to_the_pool_changes_its_hash(pool, extra, data):
    original = pool_sha256(pool)
    victim = data.draw(st.sampled_from(pool))
    if extra not in pool:
        assert pool_sha256([*pool, extra]) != original  # added
        assert pool_sha256([extra if i == victim else i for i in pool]) != original  # changed
    assert pool_sha256([i for i in pool if i != victim]) != original  # removed


def test_r9_2_pool_file_is_one_id_per_line_in_code_point_order_hashed_as_utf8():
    ids_ = ["916501009", "91650100A", "张三-01", "10"]
    expected = "10\n916501009\n91650100A\n张三-01\n"
    assert pool_text(ids_) == expected
    assert pool_sha256(ids_) == hashlib.sha256(expected.encode("utf-8")).hexdigest()
    assert pool_text([]) == "" and parse_pool_file("") == ()


@given(pool=id_sets)
def test_r9_2_a_pool_file_round_trips_exactly(pool):
    text = pool_text(pool)
    assert parse_pool_file(text) == tuple(sorted(pool))
    assert pool_text(parse_pool_file(text)) == text


def test_r9_2_verifying_the_published_pool_file_repeats_the_draw():
    pool = [f"91650100MA{n:08d}" for n in range(1, 31)]
    assert verify_pool_file(pool_text(pool), "20250618", 4) == select("20250618", pool, 4)


@pytest.mark.parametrize(
    ("text", "line", "code"),
    [
        ("A\n\nB\n", 2, "blank_line"),
        ("A\n \n", 2, "blank_line"),
        ("A\nB\n\n", 3, "blank_line"),
        ("A\r\nB\r\n", 1, "carriage_return"),
        ("\ufeffA\nB\n", 1, "bom"),
        ("A\nB\nA\n", 3, "duplicate_id"),
        ("B\nA\n", 2, "not_canonical_order"),
        ("A\nB", 2, "missing_final_newline"),
        ("A\n B\n", 2, "surrounding_space"),
        ("A\nB\tC\n", 2, "unprintable_character"),
    ],
)
def test_r9_2_pool_file_errors_name_the_line(text, line, code):
    with pytest.raises(PoolFileError) as caught:
        parse_pool_file(text)
    assert (caught.value.line, caught.value.code) == (line, code)
    assert f"第{line}行" in str(caught.value) and CJK.search(caught.value.message)


def test_r9_2_pool_ids_that_cannot_be_one_line_or_repeat_are_refused():
    for bad in (["A", "A"], ["A\nB"], [""], " A", ["A "]):
        with pytest.raises(DrawInputError) as caught:
            pool_text(bad)
        assert caught.value.field == "pool"


# --- Without replacement ---------------------------------------------------------------------


@given(seed=seeds, size=st.integers(0, 60), data=st.data())
def test_r9_2_positions_are_distinct_and_inside_the_pool(seed, size, data):
    count = data.draw(st.integers(0, size))
    positions = sample(seed, size, count)
    assert len(positions) == count == len(set(positions))
    assert all(1 <= p <= size for p in positions)


@given(seed=seeds, size=st.integers(0, 60))
def test_r9_2_drawing_the_whole_pool_gives_a_permutation(seed, size):
    assert sorted(sample(seed, size, size)) == list(range(1, size + 1))
    assert sorted(picks(seed, size)) == list(range(1, size + 1))  # and picks() then stops


def test_r9_2_drawing_more_than_the_pool_is_refused_naming_count():
    with pytest.raises(DrawInputError) as caught:
        sample("123456", 3, 4)
    assert (caught.value.field, caught.value.code) == ("count", "count_exceeds_pool")
    with pytest.raises(DrawInputError):
        select("123456", ["A", "B"], 3)


@pytest.mark.parametrize(
    ("pool_size", "ratio", "expected"),
    [
        (0, "0.1", 0),
        (100, "0", 0),
        (25, "0.1", 3),  # 2.5 rounds half up
        (24, "0.1", 2),  # 2.4 rounds down
        (10, "0.04", 1),  # 0.4 would be 0, but a positive ratio draws at least one
        (7, "1", 7),
        (3, "0.5", 2),
    ],
)
def test_r9_2_count_from_ratio_rounds_half_up_and_draws_at_least_one(pool_size, ratio, expected):
    assert count_from_ratio(pool_size, Decimal(ratio)) == expected


@pytest.mark.parametrize("ratio", [Decimal("1.01"), Decimal("-0.1"), Decimal("NaN"), 0.1])
def test_r9_2_a_ratio_outside_zero_to_one_or_not_decimal_is_refused(ratio):
    with pytest.raises(DrawInputError) as caught:
        count_from_ratio(10, ratio)
    assert caught.value.field == "ratio"


# --- The seed ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "seed",
    [
        "12345",
        "1" * 65,
        "12345a",
        " 123456",
        "123456 ",
        "１２３４５６",
        "",
        "123-456",
        123456,
        None,
    ],
)
def test_r9_2_a_seed_must_be_six_to_sixty_four_ascii_digits(seed):
    with pytest.raises(DrawInputError) as caught:
        validate_seed(seed)
    assert caught.value.field == "seed" and CJK.search(caught.value.message)
    with pytest.raises(DrawInputError):
        verify_pool_file("A\n", seed, 1)


@pytest.mark.parametrize("seed", ["123456", "0" * 64, "000123"])
def test_r9_2_digit_seeds_keep_their_leading_zeros(seed):
    assert validate_seed(seed) == seed
    assert sample("000123", 1000, 5) != sample("123000", 1000, 5)


# --- Exclusions before freezing (R5.3, R5.4, R1.1) -------------------------------------------


def _officer(officer_id, **changes):
    values = {
        "id": officer_id,
        "on_duty": True,
        "certificate_valid_from": date(2024, 1, 1),
        "certificate_valid_to": date(2027, 12, 31),
        "certificate_scopes": frozenset({"工贸"}),
    }
    return OfficerCandidate(**(values | changes))


def test_r5_3_r5_4_enterprises_are_excluded_with_every_reason_listed():
    candidates = [
        EnterpriseCandidate("E-ok", False, "city", frozenset({"其他事项"})),
        EnterpriseCandidate("E-cap", True, "city"),
        EnterpriseCandidate("E-district", False, "district"),
        EnterpriseCandidate("E-nolevel", False, None),
        EnterpriseCandidate("E-again", True, "district", frozenset({"粉尘防爆"})),
    ]
    pool = build_enterprise_pool(candidates, items=ITEMS, inspecting_level="city")
    assert pool.included == ("E-ok",)
    assert pool.sha256 == pool_sha256(["E-ok"])
    reasons = {e.id: [r.code for r in e.reasons] for e in pool.excluded}
    assert reasons == {
        "E-again": [Code.AT_CAP, Code.OTHER_LEVEL, Code.ALREADY_INSPECTED],
        "E-cap": [Code.AT_CAP],
        "E-district": [Code.OTHER_LEVEL],
        "E-nolevel": [Code.LEVEL_MISSING],
    }
    again = next(e for e in pool.excluded if e.id == "E-again").reasons[-1]
    assert "粉尘防爆" in again.message


def test_r1_1_officers_are_excluded_with_every_reason_listed():
    candidates = [
        _officer("ok-first-day", certificate_valid_from=DAY),
        _officer("ok-last-day", certificate_valid_to=DAY),
        _officer("none", certificate_valid_from=None, certificate_valid_to=None),
        _officer("early", certificate_valid_from=DAY + timedelta(days=1)),
        _officer("expired", certificate_valid_to=DAY - timedelta(days=1)),
        _officer("scope", certificate_scopes=frozenset({"危化"})),
        _officer("off", on_duty=False, certificate_valid_to=DAY - timedelta(days=1)),
    ]
    pool = build_officer_pool(candidates, required_scopes={"工贸"}, on_date=DAY)
    assert pool.included == ("ok-first-day", "ok-last-day")
    assert [o.id for o in pool.officers] == list(pool.included)
    assert {e.id: [r.code for r in e.reasons] for e in pool.excluded} == {
        "none": [Code.NO_CERTIFICATE],
        "early": [Code.CERTIFICATE_NOT_YET_VALID],
        "expired": [Code.CERTIFICATE_EXPIRED],
        "scope": [Code.SCOPE_NOT_COVERED],
        "off": [Code.CERTIFICATE_EXPIRED, Code.OFF_POST],
    }


def test_r9_2_reason_codes_are_stable_snake_case_and_messages_chinese():
    pool = build_enterprise_pool(
        [EnterpriseCandidate("E", True, None, ITEMS)], items=ITEMS, inspecting_level="city"
    )
    for reason in pool.excluded[0].reasons:
        assert SNAKE.fullmatch(reason.code) and CJK.search(reason.message)
    assert all(SNAKE.fullmatch(code) for code in Code)


enterprise_ids = [f"E{n}" for n in range(8)]
enterprise_candidates = st.lists(
    st.builds(
        EnterpriseCandidate,
        id=st.sampled_from(enterprise_ids),
        at_cap=st.booleans(),
        supervising_level=st.sampled_from(["city", "district", None]),
        visited_items_this_year=st.frozensets(st.sampled_from(["粉尘防爆", "有限空间", "消防"])),
    ),
    unique_by=lambda c: c.id,
)


@given(candidates=enterprise_candidates, seed=seeds, data=st.data())
def test_r9_2_excluded_enterprises_are_never_drawn(candidates, seed, data):
    pool = build_enterprise_pool(candidates, items=ITEMS, inspecting_level="city")
    excluded = {e.id for e in pool.excluded}
    assert excluded | set(pool.included) == {c.id for c in candidates}
    assert all(e.reasons for e in pool.excluded)
    for c in candidates:
        eligible = not c.at_cap and c.supervising_level == "city"
        eligible = eligible and not (ITEMS & c.visited_items_this_year)
        assert (c.id in pool.included) == eligible
    drawn = select(seed, pool.included, data.draw(st.integers(0, len(pool.included))))
    assert not excluded & set(drawn)


# --- Pairing officers (回避, at least two) ---------------------------------------------------


def test_r9_2_a_conflict_bars_an_officer_from_that_enterprise_only():
    officers = [
        _officer("A", conflicts=frozenset({Conflict("E1", ConflictKind.RELATIVE)})),
        _officer("B", last_inspected=frozenset({"E1"})),
        _officer("C"),
        _officer("D"),
    ]
    (e1,) = pair_officers("20250618", ["E1"], officers, officers_per_visit=2)
    assert set(e1.officer_ids) == {"C", "D"}
    # Three are needed but only C and D may go: every officer is walked, A and B are skipped.
    (short,) = pair_officers("20250618", ["E1"], officers, officers_per_visit=3)
    assert {s.officer_id: s.reason.code for s in short.skipped} == {
        "A": "relative",
        "B": "last_inspector",
    }
    (e2,) = pair_officers("20250618", ["E2"], officers, officers_per_visit=4)
    assert set(e2.officer_ids) == {"A", "B", "C", "D"} and e2.skipped == ()


def test_r9_2_a_declared_conflict_is_reported_first_whatever_the_recording_order():
    both = frozenset({Conflict("E1", ConflictKind.RELATIVE), Conflict("E1", ConflictKind.DECLARED)})
    officers = [_officer("A", conflicts=both, last_inspected=frozenset({"E1"})), _officer("B")]
    (pairing,) = pair_officers("20250618", ["E1"], officers)
    assert [(s.officer_id, s.reason.code) for s in pairing.skipped] == [("A", "declared_conflict")]


def test_r9_2_an_exhausted_officer_pool_gives_an_unpaired_entry_with_a_reason():
    officers = [
        _officer("A", conflicts=frozenset({Conflict("E1", ConflictKind.FORMER_EMPLOYER)})),
        _officer("B"),
    ]
    (pairing,) = pair_officers("20250618", ["E1"], officers)
    assert not pairing.paired and pairing.officer_ids == ()
    assert pairing.unpaired_reason.code == Code.OFFICERS_EXHAUSTED
    assert pairing.skipped == (("A", pairing.skipped[0].reason),)
    assert pairing.skipped[0].reason.code == "former_employer"


def test_r9_2_max_visits_per_officer_is_respected_across_the_draw():
    officers = [_officer(n) for n in "ABCD"]
    pairings = pair_officers("20250618", ["E1", "E2", "E3"], officers, 2, 1)
    assert [p.paired for p in pairings] == [True, True, False]
    assert {o for p in pairings for o in p.officer_ids} == set("ABCD")
    assert {s.reason.code for s in pairings[2].skipped} == {Code.MAX_LOAD_REACHED}


def test_r9_2_officers_found_for_an_unstaffed_visit_are_not_charged_a_visit():
    officers = [_officer("A", conflicts=frozenset({Conflict("E1", ConflictKind.DECLARED)}))]
    officers.append(_officer("B"))
    e1, e2 = pair_officers("20250618", ["E1", "E2"], officers, 2, 1)
    assert not e1.paired  # only B could go to E1, and one officer is not a visit
    assert e2.paired and set(e2.officer_ids) == {"A", "B"}  # so B is still free for E2


@pytest.mark.parametrize(
    ("per_visit", "max_visits", "field"),
    [
        (1, None, "officers_per_visit"),
        (0, None, "officers_per_visit"),
        (2, 0, "max_visits_per_officer"),
    ],
)
def test_r1_1_fewer_than_two_officers_per_visit_is_refused(per_visit, max_visits, field):
    with pytest.raises(DrawInputError) as caught:
        pair_officers("20250618", ["E1"], [_officer("A")], per_visit, max_visits)
    assert caught.value.field == field


officer_candidates = st.lists(
    st.builds(
        OfficerCandidate,
        id=st.sampled_from([f"O{n}" for n in range(12)]),
        on_duty=st.booleans(),
        certificate_valid_from=st.none() | st.integers(-3, 3).map(lambda d: DAY + timedelta(d)),
        certificate_valid_to=st.none() | st.integers(-3, 3).map(lambda d: DAY + timedelta(d)),
        certificate_scopes=st.frozensets(st.sampled_from(["工贸", "危化", "矿山"])),
        conflicts=st.frozensets(
            st.builds(
                Conflict,
                enterprise_id=st.sampled_from(enterprise_ids),
                kind=st.sampled_from(ConflictKind),
            )
        ),
        last_inspected=st.frozensets(st.sampled_from(enterprise_ids)),
    ),
    unique_by=lambda o: o.id,
)


@given(
    candidates=officer_candidates,
    selected=st.lists(st.sampled_from(enterprise_ids), unique=True),
    seed=seeds,
    per_visit=st.integers(2, 4),
    max_visits=st.none() | st.integers(1, 3),
)
def test_r9_2_no_pairing_gives_an_uncertified_or_conflicted_officer(
    candidates, selected, seed, per_visit, max_visits
):
    pool = build_officer_pool(candidates, required_scopes={"工贸"}, on_date=DAY)
    pairings = pair_officers(seed, selected, pool.officers, per_visit, max_visits)
    assert [p.enterprise_id for p in pairings] == selected
    by_id = {c.id: c for c in candidates}
    load: dict[str, int] = {}
    for pairing in pairings:
        if not pairing.paired:
            assert pairing.officer_ids == ()
            assert pairing.unpaired_reason.code == Code.OFFICERS_EXHAUSTED
            continue
        assert len(pairing.officer_ids) == len(set(pairing.officer_ids)) == per_visit >= 2
        for officer_id in pairing.officer_ids:
            o = by_id[officer_id]
            assert o.on_duty and "工贸" in o.certificate_scopes
            assert o.certificate_valid_from <= DAY <= o.certificate_valid_to
            assert pairing.enterprise_id not in {c.enterprise_id for c in o.conflicts}
            assert pairing.enterprise_id not in o.last_inspected
            load[officer_id] = load.get(officer_id, 0) + 1
    if max_visits is not None:
        assert all(n <= max_visits for n in load.values())


def test_r9_2_a_drawn_team_keeps_its_order_and_a_named_team_is_led_by_its_arranger():
    from fairinspect.rules.sampling import lead_order

    assert lead_order([6, 1, 9], 1, drawn=True) == [6, 1, 9]
    assert lead_order([6, 1, 9], 1, drawn=False) == [1, 6, 9]
    assert lead_order([6, 1, 9], 4, drawn=False) == [6, 1, 9]  # the arranger is not on it
    assert lead_order([6, 1, 9], None, drawn=False) == [6, 1, 9]
