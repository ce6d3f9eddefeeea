"""Properties of the discretion as the app applies it (legal data + published list, R7.2):
the recommended range lies inside the legal range (below it only for 减轻), and adding an
aggravating fact never lowers the range."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairinspect.cases import legal
from fairinspect.core.errors import ValidationFailed
from fairinspect.rules import discretion as d

CODES = [
    v.code
    for v in legal.catalogue().violations
    if v.kind == "range"
    and not any(s.fine and s.fine.basis == "income_percent" for _, _, s in v.sanctions)
]
facts = st.fixed_dictionaries(
    {
        "first_offence": st.booleans(),
        "harm": st.sampled_from(["none", "slight", "serious"]),
        "corrected_in_time": st.booleans(),
        "overdue_uncorrected": st.booleans(),
        "mitigations": st.lists(st.sampled_from(sorted(d.MITIGATIONS)), max_size=2, unique=True),
        "aggravations": st.lists(
            st.sampled_from(
                sorted(set(d.AGGRAVATIONS) - {"caused_accident", "egregious_accident"})
            ),
            max_size=2,
            unique=True,
        ),
        "staff_affected_share": st.one_of(st.none(), st.decimals(0, 1, places=2)),
        "people_affected": st.one_of(st.none(), st.integers(0, 50)),
    }
)


def _decide(code, party, f):
    try:
        return legal.decide(code, party, legal.clean_facts(f))
    except ValidationFailed:
        return None  # no sanction for this party at this stage: refused, never a wrong range


@pytest.mark.django_db
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    code=st.sampled_from(CODES),
    party=st.sampled_from(["unit", "person"]),
    f=facts,
    extra=st.sampled_from(["refused_inspection", "forged_evidence", "repeat_within_1_year"]),
)
def test_r7_2_the_range_stays_in_the_legal_range_and_an_aggravation_never_lowers_it(
    code, party, f, extra
):
    r = _decide(code, party, f)
    if r is None or r.grade is d.Grade.NO_PENALTY or r.legal_max is None:
        return
    assert Decimal(0) <= r.fine_min <= r.fine_max <= r.legal_max
    if r.grade is not d.Grade.MITIGATED:
        assert r.fine_min >= r.legal_min
    worse = _decide(code, party, {**f, "aggravations": sorted({*f["aggravations"], extra})})
    if worse is not None and worse.grade is not d.Grade.NO_PENALTY:
        assert worse.fine_min >= r.fine_min and worse.fine_max >= r.fine_max
