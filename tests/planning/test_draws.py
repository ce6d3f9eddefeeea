"""The verifiable draw as a service (R9.2): pools before seeds, same inputs same draw,
excluded never drawn, pairings always certified and free of conflicts, re-draws kept."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.planning import access, draws
from fairinspect.planning.models import Draw, DrawPairing, OfficerConflict, Pool, SamplingTask
from fairinspect.rules import sampling

SEEDS = [f"{n:020d}" for n in range(31415926, 31415926 + 25)]


def _pools(task):
    return {p.kind: p for p in task.pools.all()}


def _draw(task, actor, seed="20250401123456"):
    draw = draws.live_draw(task)
    draw = draws.record_seed(actor=actor, draw=draw, seed=seed, entered_by="张三、李四（群众代表）")
    return draws.run(actor=actor, draw=draw)


def test_r9_2_pools_are_frozen_and_published_with_their_hash_before_any_seed(published_task):
    pools = _pools(published_task)
    ent, off = pools["enterprises"], pools["officers"]
    assert published_task.status == SamplingTask.Status.POOL_PUBLISHED
    assert ent.sha256 == sampling.pool_sha256(sampling.parse_pool_file(ent.text))
    assert off.sha256 == sampling.pool_sha256(sampling.parse_pool_file(off.text))
    assert ent.size == 12  # the three district-supervised enterprises are excluded
    draw = draws.live_draw(published_task)
    assert draw.status == Draw.Status.AWAITING_SEED and draw.seed == ""


def test_r5_3_r9_2_enterprises_of_the_other_level_are_excluded_with_the_reason(
    published_task, city_enterprises
):
    _, district = city_enterprises
    excluded = {e["id"]: e["reasons"] for e in _pools(published_task)["enterprises"].excluded}
    assert set(excluded) == {e.credit_code for e in district}
    assert all(r[0]["code"] == "supervised_by_other_level" for r in excluded.values())


def test_r1_1_r9_2_officers_without_a_valid_certificate_for_the_items_or_off_post_are_excluded(
    published_task, city_officers
):
    good, bad = city_officers
    pool = _pools(published_task)["officers"]
    ids = set(sampling.parse_pool_file(pool.text))
    numbers = {o.name: o.certificates.first().number for o in good}
    assert set(numbers.values()) <= ids  # "general" covers hazchem
    codes = {}
    for e in pool.excluded:
        codes[e["id"]] = {r["code"] for r in e["reasons"]}
    # An officer with no certificate in force (none, or suspended) is listed by its own id.
    cert = {
        k: (
            o.certificates.first().number
            if k not in ("suspended", "no_cert")
            else f"officer-{o.pk}"
        )
        for k, o in bad.items()
    }
    assert "certificate_expired" in codes[cert["expired"]]
    assert "off_post" in codes[cert["off_post"]]
    assert "scope_not_covered" in codes[cert["wrong_scope"]]
    assert "no_certificate" in codes[cert["suspended"]]  # a suspended certificate is none
    assert "no_certificate" in codes[cert["no_cert"]]
    assert not (set(cert.values()) & ids)


def test_r9_2_an_officer_whose_certificate_expires_inside_the_window_is_excluded(
    items, city_planner, city_enterprises, city_officers, make_officer, task_data
):
    import datetime as dt

    o = make_officer("月中到期", valid_to=dt.date(2025, 4, 15))
    task = draws.publish_pools(
        actor=city_planner, task=draws.create_task(actor=city_planner, data=task_data)
    )
    excluded = {e["id"] for e in _pools(task)["officers"].excluded}
    assert o.certificates.first().number in excluded


def test_r9_2_the_seed_is_typed_in_at_the_public_draw_and_bad_seeds_save_nothing(
    published_task, city_planner
):
    draw = draws.live_draw(published_task)
    for bad in ["12345", "１２３４５６７", "123456a", "", "1" * 65]:
        with pytest.raises(ValidationFailed) as exc:
            draws.record_seed(actor=city_planner, draw=draw, seed=bad, entered_by="张三")
        assert exc.value.field == "seed"
    with pytest.raises(ValidationFailed) as exc:
        draws.record_seed(actor=city_planner, draw=draw, seed="123456", entered_by=" ")
    assert exc.value.field == "entered_by"
    draw.refresh_from_db()
    assert draw.status == Draw.Status.AWAITING_SEED and draw.seed == ""


def test_r9_2_no_draw_before_the_seed_and_no_seed_before_the_pools(
    items, city_planner, published_task, task_data
):
    draw = draws.live_draw(published_task)
    with pytest.raises(Conflict):
        draws.run(actor=city_planner, draw=draw)
    fresh = draws.create_task(actor=city_planner, data=task_data)
    assert draws.live_draw(fresh) is None  # no draw (so no seed) exists before the pools


def test_r9_2_the_draw_follows_rivests_sampler_over_the_published_pool(
    published_task, city_planner
):
    draw = _draw(published_task, city_planner)
    pool = sampling.parse_pool_file(_pools(published_task)["enterprises"].text)
    assert tuple(draw.selected) == sampling.select(draw.seed, pool, 4)
    for p in draw.pairings:
        assert len(p["officers"]) == 2


def test_r9_2_same_inputs_give_the_same_draw_and_a_pool_change_changes_the_hash(
    items, city_planner, city_enterprises, city_officers, task_data, make_enterprise
):
    a = draws.publish_pools(
        actor=city_planner, task=draws.create_task(actor=city_planner, data=task_data)
    )
    b = draws.publish_pools(
        actor=city_planner, task=draws.create_task(actor=city_planner, data=task_data)
    )
    assert _pools(a)["enterprises"].sha256 == _pools(b)["enterprises"].sha256
    da, db_ = _draw(a, city_planner), _draw(b, city_planner)
    assert da.selected == db_.selected and da.pairings == db_.pairings
    make_enterprise(supervising_level="city")
    c = draws.publish_pools(
        actor=city_planner, task=draws.create_task(actor=city_planner, data=task_data)
    )
    assert _pools(c)["enterprises"].sha256 != _pools(a)["enterprises"].sha256


@pytest.mark.parametrize("seed", SEEDS[:8])
def test_r9_2_excluded_enterprises_and_officers_are_never_drawn(published_task, city_planner, seed):
    pools = _pools(published_task)
    excluded_e = {e["id"] for e in pools["enterprises"].excluded}
    excluded_o = {e["id"] for e in pools["officers"].excluded}
    result = draws.compute(published_task, seed)
    assert not set(result.selected) & excluded_e
    assert not {o for p in result.pairings for o in p.officer_ids} & excluded_o


def test_r1_1_r9_2_no_pairing_gives_an_officer_in_conflict_with_the_enterprise(
    items, city_planner, city_enterprises, city_officers, task_data
):
    city, _ = city_enterprises
    good, _ = city_officers
    # Every good officer declares a conflict with the first enterprise, except two.
    for o in good[2:]:
        OfficerConflict.objects.create(officer=o, enterprise=city[0], kind="relative")
    OfficerConflict.objects.create(officer=good[0], enterprise=city[1], kind="former_employer")
    task_data = {**task_data, "count": "12"}
    task = draws.publish_pools(
        actor=city_planner, task=draws.create_task(actor=city_planner, data=task_data)
    )
    facts = _pools(task)["officers"].facts
    for seed in SEEDS:
        result = draws.compute(task, seed)
        for p in result.pairings:
            for officer_id in p.officer_ids:
                assert [p.enterprise_id, "relative"] not in facts[officer_id]["conflicts"]
                assert [p.enterprise_id, "former_employer"] not in facts[officer_id]["conflicts"]


def test_r3_2_r9_2_an_enterprise_at_its_cap_is_excluded_and_never_drawn(
    items, city_planner, city_enterprises, city_officers, task_data, fill_cap
):
    city, _ = city_enterprises
    full = city[0]  # high-risk grade 2: cap 4
    fill_cap(full, 4)
    task = draws.publish_pools(
        actor=city_planner,
        task=draws.create_task(actor=city_planner, data={**task_data, "count": "11"}),
    )
    excluded = {e["id"]: e["reasons"][0]["code"] for e in _pools(task)["enterprises"].excluded}
    assert excluded[full.credit_code] == "at_cap"
    for seed in SEEDS:
        assert full.credit_code not in draws.compute(task, seed).selected


def test_r9_2_a_count_larger_than_the_pool_is_refused_before_publication(
    items, city_planner, city_enterprises, city_officers, task_data
):
    task = draws.create_task(actor=city_planner, data={**task_data, "count": "13"})
    with pytest.raises(Conflict) as exc:
        draws.publish_pools(actor=city_planner, task=task)
    assert exc.value.code == "count_exceeds_pool"
    assert not Pool.objects.filter(task=task).exists()


def test_r9_2_a_ratio_is_turned_into_a_count_rounded_half_up(
    items, city_planner, city_enterprises, city_officers, task_data
):
    data = {k: v for k, v in task_data.items() if k != "count"} | {"ratio": "0.25"}
    task = draws.publish_pools(
        actor=city_planner, task=draws.create_task(actor=city_planner, data=data)
    )
    assert len(_draw(task, city_planner).selected) == 3  # 12 × 0.25


def test_r9_2_task_input_errors_name_the_field(items, city_planner, task_data):
    cases = [
        ({"items": []}, "items"),
        ({"items": ["NO-SUCH"]}, "items"),
        ({"ratio": "0.1"}, "count"),
        ({"count": "", "ratio": ""}, "count"),
        ({"window_end": "2025-03-01"}, "window_end"),
        ({"officers_per_visit": "1"}, "officers_per_visit"),
        ({"district_code": "999999"}, "district_code"),
    ]
    for change, field in cases:
        with pytest.raises(ValidationFailed) as exc:
            draws.create_task(actor=city_planner, data={**task_data, **change})
        assert exc.value.field == field, change
    assert not SamplingTask.objects.exists()


def test_r9_2_a_redraw_is_approved_first_and_the_earlier_draw_stays_public(
    published_task, city_planner, approver
):
    first = _draw(published_task, city_planner)
    first = draws.publish_result(actor=city_planner, draw=first)
    pending = draws.request_redraw(
        actor=city_planner, task=published_task, reason="抽取现场公证人员未到场"
    )
    with pytest.raises(Forbidden):
        draws.decide_redraw(actor=city_planner, draw=pending, approve=True)
    second = draws.decide_redraw(actor=approver, draw=pending, approve=True)
    assert second.status == Draw.Status.AWAITING_SEED and second.sequence == 2
    first.refresh_from_db()
    assert first.status == Draw.Status.SUPERSEDED
    second = draws.record_seed(
        actor=city_planner, draw=second, seed="99887766554433", entered_by="王五"
    )
    second = draws.run(actor=city_planner, draw=second)
    public = list(access.public_draws().filter(task=published_task).order_by("sequence"))
    assert [d.sequence for d in public] == [1, 2]
    assert public[0].selected == first.selected and public[0].seed == "20250401123456"
    assert draws.verify(public[0]).ok and draws.verify(public[1]).ok


def test_r9_2_a_rejected_redraw_leaves_the_draw_in_force(published_task, city_planner, approver):
    first = _draw(published_task, city_planner)
    pending = draws.request_redraw(actor=city_planner, task=published_task, reason="理由")
    draws.decide_redraw(actor=approver, draw=pending, approve=False)
    first.refresh_from_db()
    assert first.status == Draw.Status.DRAWN
    assert draws.live_draw(published_task).pk == first.pk


def test_r9_2_a_published_draw_verifies_and_a_tampered_one_does_not(published_task, city_planner):
    draw = draws.publish_result(actor=city_planner, draw=_draw(published_task, city_planner))
    assert draws.verify(draw).ok
    first, second = draw.pairing_rows.order_by("position")[:2]
    DrawPairing.objects.filter(pk=first.pk).update(credit_code=second.credit_code)
    DrawPairing.objects.filter(pk=second.pk).update(credit_code=first.credit_code)
    draw.refresh_from_db()
    assert not draws.verify(draw).ok


def test_r9_2_draw_verify_command_prints_the_selection_from_a_pool_file(
    published_task, city_planner, tmp_path
):
    draw = _draw(published_task, city_planner)
    pool_file = tmp_path / "pool.txt"
    pool_file.write_bytes(_pools(published_task)["enterprises"].text.encode("utf-8"))
    out = io.StringIO()
    call_command("draw_verify", pool=str(pool_file), seed=draw.seed, count=4, stdout=out)
    assert out.getvalue().splitlines() == draw.selected


def test_r9_2_draw_verify_command_refuses_a_file_not_in_published_form(tmp_path):
    from django.core.management.base import CommandError

    pool_file = tmp_path / "pool.txt"
    pool_file.write_text("B\nA\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第2行"):
        call_command(
            "draw_verify", pool=str(pool_file), seed="123456", count=1, stdout=io.StringIO()
        )
