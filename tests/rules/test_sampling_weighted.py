"""The weighted 双随机 draw (issue 11 item 3, R4.3, R9.2): the risk weight is in the published
pool text, the draw is deterministic from the public seed, proportional to weight, and with
every weight 1 it is exactly the unweighted draw."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairinspect.rules import monitoring, sampling

seeds = st.from_regex(r"[0-9]{6,20}", fullmatch=True)
ids = st.lists(
    st.from_regex(r"[A-Z0-9]{1,8}", fullmatch=True), min_size=1, max_size=30, unique=True
)


@st.composite
def weighted_pools(draw):
    pool = draw(ids)
    return {i: draw(st.integers(min_value=10, max_value=30)) for i in pool}


@settings(max_examples=60, deadline=None)
@given(seed=seeds, weights=weighted_pools(), data=st.data())
def test_r9_2_the_weighted_draw_is_deterministic_and_depends_only_on_pool_and_seed(
    seed, weights, data
):
    count = data.draw(st.integers(min_value=0, max_value=len(weights)))
    entries = sampling.canonical_weighted_pool(weights)
    first = sampling.select_weighted(seed, entries, count)
    # Same selection from the published file, and from the pool given in another order.
    text = sampling.weighted_pool_text(weights)
    assert sampling.verify_pool_file(text, seed, count) == first
    reordered = dict(reversed(list(weights.items())))
    assert sampling.select_weighted(seed, tuple(reversed(entries)), count) == first
    assert sampling.weighted_pool_text(reordered) == text
    assert len(set(first)) == count and set(first) <= set(weights)
    assert sampling.parse_weighted_pool_file(text) == entries
    assert sampling.weighted_pool_sha256(weights) == hashlib.sha256(text.encode()).hexdigest()


@settings(max_examples=60, deadline=None)
@given(seed=seeds, pool=ids, data=st.data())
def test_r9_2_with_every_weight_one_the_weighted_draw_is_rivests_draw(seed, pool, data):
    count = data.draw(st.integers(min_value=0, max_value=len(pool)))
    entries = sampling.canonical_weighted_pool(dict.fromkeys(pool, 1))
    assert sampling.select_weighted(seed, entries, count) == sampling.select(seed, pool, count)


def test_r4_3_r9_2_picks_are_roughly_proportional_to_weight_over_many_seeds():
    # One pick from {A: 10, B: 20, C: 30}: expected shares 1/6, 2/6, 3/6.
    entries = (("A", 10), ("B", 20), ("C", 30))
    n = 6000
    firsts = Counter(sampling.select_weighted(f"{s:08d}", entries, 1)[0] for s in range(n))
    for key, share in (("A", 1 / 6), ("B", 2 / 6), ("C", 3 / 6)):
        assert abs(firsts[key] / n - share) < 0.025, (key, firsts)
    # Without replacement: the second pick is proportional among those left. After C first,
    # A and B come second one to two.
    seconds = Counter(
        sel[1]
        for s in range(n)
        if (sel := sampling.select_weighted(f"{s:08d}", entries, 2))[0] == "C"
    )
    total = seconds["A"] + seconds["B"]
    assert abs(seconds["B"] / total - 2 / 3) < 0.04, seconds


def test_r4_3_the_draw_weight_has_a_floor_and_a_cap_and_never_zero():
    def score(total):
        return monitoring.RiskScore(total, (("warnings", total),))

    assert monitoring.draw_weight(score(0)) == monitoring.DRAW_WEIGHT_FLOOR == 10
    assert monitoring.draw_weight(score(4.9)) == 10
    assert monitoring.draw_weight(score(5)) == 11
    assert monitoring.draw_weight(score(10_000)) == monitoring.DRAW_WEIGHT_CEILING == 30
    assert monitoring.DRAW_WEIGHT_CEILING / monitoring.DRAW_WEIGHT_FLOOR == 3
    assert monitoring.pool_weight(score(50)) == 2.0


@settings(max_examples=80, deadline=None)
@given(total=st.floats(min_value=0, max_value=1e9, allow_nan=False))
def test_r4_3_every_risk_score_gives_a_weight_between_floor_and_cap(total):
    w = monitoring.draw_weight(monitoring.RiskScore(total, ()))
    assert monitoring.DRAW_WEIGHT_FLOOR <= w <= monitoring.DRAW_WEIGHT_CEILING


def test_r9_2_a_weight_of_zero_or_a_bad_weighted_line_is_refused():
    with pytest.raises(sampling.DrawInputError) as exc:
        sampling.canonical_weighted_pool({"A": 0, "B": 10})
    assert exc.value.code == "weight_invalid"
    for text, code in [
        ("A\t0\n", "weight_invalid"),
        ("A\t010\n", "weight_invalid"),
        ("A\t1.5\n", "weight_invalid"),
        ("A\n", "weight_invalid"),
        ("B\t10\nA\t10\n", "not_canonical_order"),
        ("A\t10\nA\t20\n", "duplicate_id"),
        ("A\t10", "missing_final_newline"),
    ]:
        with pytest.raises(sampling.PoolFileError) as perr:
            sampling.parse_weighted_pool_file(text)
        assert perr.value.code == code, text


def test_r9_2_the_weighted_file_keeps_the_byte_order_of_lc_all_c_sort():
    weights = {"AB": 12, "A": 30, "B": 10}
    text = sampling.weighted_pool_text(weights)
    assert text == "A\t30\nAB\t12\nB\t10\n"
    lines = text.splitlines(keepends=True)
    assert sorted(lines, key=str.encode) == lines


@settings(max_examples=60, deadline=None)
@given(weights=weighted_pools(), weighted=st.booleans())
def test_r9_2_the_streamed_pool_file_equals_the_published_text_and_hash(weights, weighted):
    # The freeze writes the file line by line with an incremental SHA-256 (issue 13 item 3).
    writer = sampling.PoolWriter(weighted=weighted)
    for i in sorted(weights):
        writer.add(i, weights[i] if weighted else None)
    text = sampling.weighted_pool_text(weights) if weighted else sampling.pool_text(weights)
    assert writer.text() == text and writer.size == len(weights)
    assert writer.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_r9_2_the_streamed_pool_file_refuses_order_repeats_and_bad_ids():
    for ids, code in [
        (["B", "A"], "not_canonical_order"),
        (["A", "A"], "duplicate_id"),
        (["A\n"], "newline_in_id"),
    ]:
        writer = sampling.PoolWriter()
        with pytest.raises(sampling.DrawInputError) as exc:
            for i in ids:
                writer.add(i)
        assert exc.value.code == code
    with pytest.raises(sampling.DrawInputError):
        sampling.PoolWriter(weighted=True).add("A", 0)
