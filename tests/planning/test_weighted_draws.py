"""A task weighted by risk ranking (issue 11 item 3, R4.3, R9.2): the weights are frozen into
the published pool text and hashed with it, the draw is recomputable from the file and the
seed, a tampered weight fails verification, and the weight never lifts a cap."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from fairinspect.planning import draws
from fairinspect.planning.models import Pool
from fairinspect.rules import sampling

SEED = "20250401123456"


def _ent_pool(task) -> Pool:
    return task.pools.get(kind=Pool.Kind.ENTERPRISES)


@pytest.fixture
def risky(city_enterprises):
    """Three of the city enterprises made risky: credit D and no standardisation grade."""
    city, _ = city_enterprises
    for e in city[:3]:
        e.credit_level, e.standardization_grade = "D", None
        e.save(update_fields=["credit_level", "standardization_grade"])
    return city[:3]


def _weighted_task(planner, task_data, **change):
    task = draws.create_task(actor=planner, data={**task_data, "weighted_by_risk": "1", **change})
    return draws.publish_pools(actor=planner, task=task)


def _run(task, planner, seed=SEED):
    draw = draws.record_seed(
        actor=planner, draw=draws.live_draw(task), seed=seed, entered_by="群众代表"
    )
    return draws.run(actor=planner, draw=draw)


def test_r4_3_r9_2_weights_are_in_the_published_pool_text_and_hashed_with_it(
    items, city_planner, city_enterprises, city_officers, task_data, risky
):
    task = _weighted_task(city_planner, task_data)
    assert task.weighted_by_risk
    pool = _ent_pool(task)
    entries = sampling.parse_weighted_pool_file(pool.text)
    weights = dict(entries)
    city, district = city_enterprises
    assert not set(weights) & {e.credit_code for e in district}
    assert set(weights) == {e.credit_code for e in city}
    # credit D 30 + no grade 10 = 40 points → 1.8; credit B 5 + grade 2 3 = 8 → 1.1
    assert {weights[e.credit_code] for e in risky} == {18}
    assert {weights[e.credit_code] for e in city[3:]} == {11}
    assert pool.sha256 == sampling.weighted_pool_sha256(weights)


def test_r9_2_an_unweighted_task_publishes_the_same_plain_pool_as_before(published_task):
    text = _ent_pool(published_task).text
    assert "\t" not in text and not published_task.weighted_by_risk
    assert _ent_pool(published_task).sha256 == sampling.pool_sha256(text.splitlines())


def test_r4_3_r9_2_freeze_run_verify_with_weights_end_to_end(
    items, city_planner, city_enterprises, city_officers, task_data, risky, tmp_path, client
):
    task = _weighted_task(city_planner, task_data)
    draw = _run(task, city_planner)
    text = _ent_pool(task).text
    expected = sampling.select_weighted(SEED, sampling.parse_weighted_pool_file(text), 4)
    assert tuple(draw.selected) == expected
    assert draws.verify(draw).ok
    draw = draws.publish_result(actor=city_planner, draw=draw, today=dt.date(2025, 4, 1))
    assert draw.verification["ok"]
    # Anyone's recomputation, from the page and from the command line.
    assert draws.recompute(task, seed=SEED, count=4) == expected
    pool_file = tmp_path / "pool.txt"
    pool_file.write_bytes(text.encode("utf-8"))
    out = io.StringIO()
    call_command(
        "draw_verify",
        pool=str(pool_file),
        seed=SEED,
        count=4,
        sha256=_ent_pool(task).sha256,
        stdout=out,
    )
    assert out.getvalue().splitlines() == list(expected)
    page = client.get(reverse("planning:public_draw", args=[draw.pk])).content.decode()
    assert "验证通过" in page and "按风险排序加权" in page
    public = client.get(reverse("planning:public_task", args=[task.pk])).content.decode()
    assert "全部权重之和" in public


def test_r9_2_a_tampered_weight_in_the_pool_text_fails_verification(
    items, city_planner, city_enterprises, city_officers, task_data, risky
):
    task = _weighted_task(city_planner, task_data)
    draw = draws.publish_result(actor=city_planner, draw=_run(task, city_planner))
    assert draws.cached_verification(draw).ok
    pool = _ent_pool(task)
    first = pool.text.split("\n", 1)[0]
    ident, weight = first.split("\t")
    tampered = f"{ident}\t{30 if weight != '30' else 10}" + pool.text[len(first) :]
    Pool.objects.filter(pk=pool.pk).update(text=tampered)
    draw.refresh_from_db()
    check = draws.cached_verification(draw)
    assert not check.ok and "SHA-256" in check.message


def test_r3_2_r4_3_a_risk_weight_never_lifts_a_cap(
    items, city_planner, city_enterprises, city_officers, task_data, risky, fill_cap
):
    full = risky[0]  # the highest weight, and past any cap of the table with 40 visits
    fill_cap(full, 40)
    task = _weighted_task(city_planner, task_data, count="11")
    pool = _ent_pool(task)
    assert full.credit_code not in dict(sampling.parse_weighted_pool_file(pool.text))
    codes = {e.ident: [r["code"] for r in e.reasons] for e in pool.exclusions.all()}
    assert codes[full.credit_code] == ["at_cap"]


def test_r4_3_the_api_takes_and_shows_weighted_by_risk(
    items, city_planner, client, api_token, task_data
):
    body = {k: v for k, v in task_data.items() if k != "count"} | {"count": 4}
    r = client.post(
        "/api/v1/sampling-tasks",
        data=json.dumps({**body, "weighted_by_risk": True}),
        content_type="application/json",
        **api_token(city_planner),
    )
    assert r.status_code == 201, r.content
    assert r.json()["weighted_by_risk"] is True
    r = client.post(
        "/api/v1/sampling-tasks",
        data=json.dumps(body),
        content_type="application/json",
        **api_token(city_planner),
    )
    assert r.json()["weighted_by_risk"] is False
    r = client.post(
        "/api/v1/sampling-tasks",
        data=json.dumps({**body, "weighted_by_risk": "maybe"}),
        content_type="application/json",
        **api_token(city_planner),
    )
    assert r.status_code == 422 and "weighted_by_risk" in r.content.decode()
