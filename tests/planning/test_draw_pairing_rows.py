"""Issue 13 item 2 / R9.2: a draw's result is rows (DrawPairing) in drawn order with two
stored digests; the public draw page reads one page of rows by position in a constant
number of queries and checks the stored digests (never the whole list); the selection file
is streamed; an altered row fails the verification; migration 0009 moves the JSON result
into rows and back."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from fairinspect.planning import draws
from fairinspect.planning.models import Draw, DrawPairing
from fairinspect.planning.views import public_pages

pytestmark = pytest.mark.django_db
ON_PG = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
SEED = "20250401123456"


def _run(task, actor, seed=SEED):
    draw = draws.record_seed(
        actor=actor, draw=draws.live_draw(task), seed=seed, entered_by="群众代表"
    )
    return draws.run(actor=actor, draw=draw)


@pytest.fixture
def published(published_task, city_planner):
    return draws.publish_result(actor=city_planner, draw=_run(published_task, city_planner))


def _canonical_sha256(pairings) -> str:
    return hashlib.sha256(draws.canonical_json(pairings).encode("utf-8")).hexdigest()


def test_r9_2_the_rows_are_the_drawn_pairings_in_order(published_task, city_planner, monkeypatch):
    monkeypatch.setattr(draws.PairingWriter, "BATCH", 3)  # batches crossed (COPY / executemany)
    draw = _run(published_task, city_planner)
    expected = draws._pairings_json(draws.compute(published_task, SEED))
    rows = list(draw.pairing_rows.order_by("position").select_related("enterprise"))
    assert [r.position for r in rows] == list(range(len(expected))) and len(rows) == 4
    assert [r.as_dict() for r in rows] == expected == draw.pairings
    assert [r.enterprise.credit_code for r in rows] == [r.credit_code for r in rows]
    assert draw.selected == [p["enterprise"] for p in expected] and draw.count == 4
    assert all(len(r.officers) == 2 for r in rows)
    names = draws.officer_names(published_task.pools.get(kind="officers"))
    assert [r.officer_names for r in rows] == [[names[o] for o in r.officers] for r in rows]


def test_r9_2_the_page_shows_the_officers_names_without_reading_the_pool_facts(client, published):
    url = f"/planning/public/draws/{published.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(url).content.decode()
    assert not [q for q in ctx.captured_queries if "facts" in q["sql"]]
    row = published.pairing_rows.get(position=0)
    assert f"{row.officer_names[0]}（{row.officers[0]}）" in body


def test_r9_2_the_stored_digests_are_those_of_the_canonical_lists(published):
    published.refresh_from_db()
    assert published.pairings_sha256 == _canonical_sha256(published.pairings)
    listed = "".join(f"{c}\n" for c in published.selected).encode()
    assert published.selected_sha256 == hashlib.sha256(listed).hexdigest()
    assert draws.stored_result_digests(published) == (
        published.selected_sha256,
        published.pairings_sha256,
    )


def test_r9_2_the_selection_file_is_streamed_and_equals_the_list_and_draw_verify(
    client, published, monkeypatch, tmp_path
):
    monkeypatch.setattr(draws, "SELECTED_SLICE", 3)
    r = client.get(f"/planning/public/draws/{published.pk}/selected.txt")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/plain")
    parts = list(r.streaming_content)
    assert len(parts) == 2  # 4 rows, 3 a slice
    body = b"".join(parts)
    assert body.decode().splitlines() == published.selected
    published.refresh_from_db()
    assert hashlib.sha256(body).hexdigest() == published.selected_sha256
    pool = published.task.pools.get(kind="enterprises")
    pool_file = tmp_path / "pool.txt"
    pool_file.write_bytes(pool.text.encode("utf-8"))
    out = io.StringIO()
    call_command("draw_verify", pool=str(pool_file), seed=SEED, count=4, stdout=out)
    assert out.getvalue().encode() == body  # `draw-verify … | diff - selected.txt` is silent
    assert client.get("/planning/public/draws/999999/selected.txt").status_code == 404


def test_r9_2_the_page_shows_the_selection_files_digest_and_the_verifier_fetches_it(
    client, published
):
    published.refresh_from_db()
    body = client.get(f"/planning/public/draws/{published.pk}/").content.decode()
    url = f"/planning/public/draws/{published.pk}/selected.txt"
    assert f'data-selected-url="{url}"' in body and published.selected_sha256 in body
    assert "data-selected=" not in body  # the list is no longer inlined in the page


def test_r9_2_an_altered_row_fails_the_verification_on_the_public_page(client, published):
    url = f"/planning/public/draws/{published.pk}/"
    assert "验证通过" in client.get(url).content.decode()
    row = published.pairing_rows.get(position=0)
    DrawPairing.objects.filter(pk=row.pk).update(officers=list(reversed(row.officers)))
    if ON_PG:  # the rows' trigger emptied the stored digests
        assert Draw.objects.filter(pk=published.pk, pairings_sha256="").exists()
    body = client.get(url).content.decode()
    assert 'class="verdict bad"' in body and "验证失败" in body
    # The failure is stored under the altered rows' digests: the next view reads no rows.
    published.refresh_from_db()
    assert published.verification["ok"] is False
    assert published.pairings_sha256 == _canonical_sha256(published.pairings)
    assert client.get(f"/api/v1/public/draws/{published.pk}").json()["verified"] is False


def test_r9_2_a_deleted_row_fails_the_verification(client, published):
    published.pairing_rows.filter(position=3).delete()
    body = client.get(f"/planning/public/draws/{published.pk}/").content.decode()
    assert 'class="verdict bad"' in body and "验证失败" in body


def _page_queries(client, draw, **params) -> tuple[list[str], str]:
    url = f"/planning/public/draws/{draw.pk}/"
    client.get(url, params)  # the first view stores the verification (never published here)
    cache.clear()  # the page rendered, not the cached HTML (test_public_draw_cache.py)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(url, params).content.decode()
    return [q["sql"] for q in ctx.captured_queries], body


def test_r9_2_the_public_page_issues_the_same_few_queries_for_5_and_200_selected(
    client, items, city_planner, city_enterprises, city_officers, make_enterprise, task_data
):
    for _ in range(200):
        make_enterprise(supervising_level="city")
    small = draws.publish_pools(
        actor=city_planner,
        task=draws.create_task(actor=city_planner, data=task_data | {"count": "5"}),
    )
    large = draws.publish_pools(
        actor=city_planner,
        task=draws.create_task(
            actor=city_planner, data=task_data | {"count": "200", "title": "大任务"}
        ),
    )
    five, two_hundred = _run(small, city_planner), _run(large, city_planner, seed="271828182")
    assert len(two_hundred.selected) == 200
    q5, body5 = _page_queries(client, five)
    q200, body200 = _page_queries(client, two_hundred)
    q200_last, last = _page_queries(client, two_hundred, page=4)
    assert len(q5) == len(q200) == len(q200_last) <= (3 if ON_PG else 4), q200
    assert "验证通过" in body5 and "验证通过" in body200 and "第4/4页，共200家" in last
    shown = [c for c in two_hundred.selected if f'<code class="small">{c}</code>' in last]
    assert shown == two_hundred.selected[150:]
    rows_sql = [q for q in q200_last if "planning_drawpairing" in q]
    if ON_PG:  # one query over the rows, by position range; the digests are the stored ones
        assert len(rows_sql) == 1 and "position" in rows_sql[0]
        assert not [q for q in q200_last if '."text"' in q]


def test_r9_2_the_page_number_is_clamped(client, published, monkeypatch):
    monkeypatch.setattr(public_pages, "DRAW_PAGE", 3)
    url = f"/planning/public/draws/{published.pk}/"
    assert "第2/2页" in client.get(url, {"page": 9}).content.decode()
    assert "第1/2页" in client.get(url, {"page": "x"}).content.decode()


@pytest.mark.django_db(transaction=True)
def test_r9_2_migration_0009_moves_the_json_result_into_rows_and_back(published):
    published.refresh_from_db()
    expected = published.pairings
    digests = (published.selected_sha256, published.pairings_sha256)
    before, after = (
        [("planning", "0008_task_weighted_by_risk")],
        [("planning", "0009_draw_pairing_rows")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)  # backwards: the JSON values rebuilt from the rows
    old = executor.loader.project_state(before).apps.get_model("planning", "Draw").objects
    draw = old.get(pk=published.pk)
    assert draw.pairings == expected
    assert draw.selected == [p["enterprise"] for p in expected]
    old.filter(pk=published.pk).update(pairings=expected[::-1], selected=draw.selected[::-1])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)  # forwards: the rows and digests from the JSON values
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    published.refresh_from_db()
    assert published.pairings == expected[::-1]
    assert [r.position for r in published.pairing_rows.order_by("position")] == [0, 1, 2, 3]
    assert published.pairings_sha256 == _canonical_sha256(expected[::-1])
    assert (published.selected_sha256, published.pairings_sha256) != digests
    assert not draws.verify(published).ok  # the reversed result is not the draw's


def test_r9_2_the_page_rows_escape_what_they_show(client, published):
    from fairinspect.registry.models import Enterprise

    row = published.pairing_rows.select_related("enterprise").get(position=0)
    Enterprise.objects.filter(pk=row.enterprise_id).update(name="<b>危化</b>&公司")
    body = client.get(f"/planning/public/draws/{published.pk}/").content.decode()
    assert "&lt;b&gt;危化&lt;/b&gt;&amp;公司" in body and "<b>危化" not in body
    assert f'<code class="small">{row.credit_code}</code>' in body
