"""Properties of the draw as planning runs it (R9.2, R1.1, R3.2), with hypothesis."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairinspect.planning import draws
from fairinspect.rules import sampling

START, END = dt.date(2025, 4, 1), dt.date(2025, 4, 30)

officer = st.builds(
    lambda n, on_duty, frm, length, scopes: draws.OfficerRow(
        sampling.OfficerCandidate(
            id=f"C{n:05d}",
            on_duty=on_duty,
            certificate_valid_from=frm,
            certificate_valid_to=None if frm is None else frm + dt.timedelta(days=length),
            certificate_scopes=frozenset(scopes),
        ),
        n,
        f"人员{n}",
    ),
    st.integers(0, 99999),
    st.booleans(),
    st.none() | st.dates(dt.date(2024, 1, 1), dt.date(2025, 12, 31)),
    st.integers(0, 800),
    st.sets(st.sampled_from(["hazchem", "mining", "industry_trade"])),
)


@given(st.lists(officer, max_size=30, unique_by=lambda r: r.candidate.id))
def test_r1_1_r9_2_every_pooled_officer_is_on_duty_and_certified_for_the_whole_window(rows):
    pool = draws.officer_pool(rows, scopes=frozenset({"hazchem"}), start=START, end=END)
    for o in pool.officers:
        assert o.on_duty and "hazchem" in o.certificate_scopes
        assert o.certificate_valid_from <= START and o.certificate_valid_to >= END
    assert set(pool.included) | {e.id for e in pool.excluded} == {r.candidate.id for r in rows}
    assert not set(pool.included) & {e.id for e in pool.excluded}
    assert all(e.reasons for e in pool.excluded)


@pytest.fixture
def conflicted_task(items, city_planner, city_enterprises, city_officers, task_data):
    from fairinspect.planning.models import OfficerConflict

    city, _ = city_enterprises
    good, _ = city_officers
    for i, e in enumerate(city):
        for o in (good[i % len(good)], good[(i + 1) % len(good)]):
            OfficerConflict.objects.create(officer=o, enterprise=e, kind="declared_conflict")
    task = draws.create_task(actor=city_planner, data=task_data)
    return draws.publish_pools(actor=city_planner, task=task)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.from_regex(r"[0-9]{6,20}", fullmatch=True))
def test_r9_2_for_any_seed_nothing_excluded_is_drawn_and_no_pairing_breaks_a_conflict(
    conflicted_task, seed
):
    published_task = conflicted_task
    pools = {p.kind: p for p in published_task.pools.all()}
    excluded_e = {e["id"] for e in pools["enterprises"].excluded}
    facts = pools["officers"].facts
    assert sum(len(f["conflicts"]) for f in facts.values()) >= 12
    result = draws.compute(published_task, seed)
    assert len(set(result.selected)) == len(result.selected) == 4
    assert not set(result.selected) & excluded_e
    for p in result.pairings:
        assert len(p.officer_ids) == 2 and len(set(p.officer_ids)) == 2
        for o in p.officer_ids:
            assert o in facts  # certified pool only
            assert not any(c[0] == p.enterprise_id for c in facts[o]["conflicts"])
    assert draws.compute(published_task, seed) == result  # same inputs, same draw
