"""The risk ranking (R4.3): derived from records, each factor's share shown, territory-bound,
and never a way around a cap (it only orders work and offers a draw weight)."""

from __future__ import annotations

import time_machine

from fairinspect.monitoring import ranking

from .conftest import T0, at


def test_r4_3_open_warnings_and_credit_move_an_enterprise_up_the_ranking(
    send, gas_point, make_enterprise, tianshan_officer, client, api_token
):
    quiet = make_enterprise(
        name="天山平稳企业", district_code="650102", credit_level="A", standardization_grade=1
    )
    with time_machine.travel(T0, tick=False):
        send(
            "r-1",
            [
                {"point": "GT-101", "at": at(-120), "value": 45.0},
                {"point": "GT-101", "at": at(-60), "value": 55.0},
            ],
        )
    rows = ranking.ranking_for(tianshan_officer)
    ids = [r.enterprise_id for r in rows]
    assert ids.index(gas_point.enterprise_id) < ids.index(quiet.pk)
    top = next(r for r in rows if r.enterprise_id == gas_point.enterprise_id)
    parts = dict(top.score.parts)
    assert parts["warnings"] > 0
    assert abs(sum(s for _n, s in top.score.shares()) - 1) < 1e-9

    body = client.get("/api/v1/monitoring/ranking", **api_token(tianshan_officer)).json()
    first = next(r for r in body if r["enterprise_id"] == gas_point.enterprise_id)
    assert {f["factor"] for f in first["factors"]} == set(ranking.FACTOR_LABELS)
    assert 1 <= first["pool_weight"] <= 3


def test_r4_3_a_district_officer_ranks_only_the_enterprises_of_the_district(
    make_enterprise, tianshan_officer, tianshan_enterprise
):
    other = make_enterprise(district_code="650103")
    ids = {r.enterprise_id for r in ranking.ranking_for(tianshan_officer)}
    assert tianshan_enterprise.pk in ids and other.pk not in ids
