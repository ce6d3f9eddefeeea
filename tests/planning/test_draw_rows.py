"""Issue 13 / R9.2: a pool's exclusions are rows, the pool text is hashed as it is written,
the public draw page pages the selection and streams the pool file; on PostgreSQL the page
never reads the pool text and still notices an altered one (the trigger's digest)."""

from __future__ import annotations

import hashlib

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fairinspect.planning import draws
from fairinspect.planning.models import Pool, PoolExclusion
from fairinspect.planning.views import public_pages
from fairinspect.rules import sampling
from fairinspect.rules.results import reason_dicts

pytestmark = pytest.mark.django_db
ON_PG = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.fixture
def published(published_task, city_planner):
    draw = draws.live_draw(published_task)
    draw = draws.record_seed(
        actor=city_planner, draw=draw, seed="20250401123456", entered_by="群众代表"
    )
    draw = draws.run(actor=city_planner, draw=draw)
    return draws.publish_result(actor=city_planner, draw=draw)


def test_r9_2_exclusions_are_rows_with_their_reasons_and_counted(published_task):
    ent = published_task.pools.get(kind=Pool.Kind.ENTERPRISES)
    rows = list(ent.exclusions.order_by("position"))
    assert ent.excluded_count == len(rows) == 3  # the district-supervised enterprises
    assert [r.position for r in rows] == [0, 1, 2]
    assert [r.ident for r in rows] == sorted(r.ident for r in rows)
    assert all(r.reasons[0]["code"] == "supervised_by_other_level" for r in rows)
    assert ent.excluded == [{"id": r.ident, "reasons": r.reasons} for r in rows]
    assert ent.text_sha256 == hashlib.sha256(ent.text.encode()).hexdigest()
    assert PoolExclusion.objects.filter(pool__task=published_task).count() == (
        sum(p.excluded_count for p in published_task.pools.all())
    )


def test_r9_2_the_incremental_hash_equals_the_published_hash():
    ids = sampling.canonical_pool([f"91650102MA{n:07d}X" for n in range(2000)])
    text, digest = draws.pool_text_and_sha256(ids)
    assert text == sampling.pool_text(ids)
    assert digest == sampling.pool_sha256(ids)


def test_r9_2_the_public_draw_page_pages_the_selection(client, published, monkeypatch):
    monkeypatch.setattr(public_pages, "DRAW_PAGE", 3)
    url = f"/planning/public/draws/{published.pk}/"
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    sel = published.selected
    assert len(sel) == 4
    rows = lambda body: [c for c in sel if f'<code class="small">{c}</code>' in body]  # noqa: E731
    assert rows(first) == sel[:3] and rows(second) == sel[3:]
    assert "第1/2页" in first and "验证通过" in second


def test_r9_2_the_pool_file_streams_in_slices(client, published, monkeypatch):
    monkeypatch.setattr(public_pages, "POOL_SLICE", 7)
    task = published.task
    r = client.get(f"/planning/public/tasks/{task.pk}/enterprises.txt")
    parts = list(r.streaming_content)
    text = task.pools.get(kind="enterprises").text
    assert len(parts) == -(-len(text) // 7) > 1
    assert b"".join(parts).decode() == text


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_PG, reason="the digest trigger is PostgreSQL's")
def test_r9_2_on_postgresql_the_public_page_never_reads_the_pool_text(client, published):
    url = f"/planning/public/draws/{published.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(url).content.decode()
    assert "验证通过" in body
    assert not [q for q in ctx.captured_queries if '."text"' in q["sql"]]
    # An altered text changes the trigger's digest: the page notices without reading it.
    pool = published.task.pools.get(kind=Pool.Kind.ENTERPRISES)
    Pool.objects.filter(pk=pool.pk).update(text="".join(reversed(pool.text.splitlines(True))))
    pool.refresh_from_db()
    assert pool.text_sha256 == hashlib.sha256(pool.text.encode()).hexdigest()
    assert "验证失败" in client.get(url).content.decode()


def _rows(pool):
    return list(pool.exclusions.order_by("position").values_list("position", "ident", "reasons"))


def test_r9_2_exclusion_rows_set_based_equal_the_rule_and_bulk_create(
    items, city_planner, city_enterprises, city_officers, task_data, fill_cap, monkeypatch
):
    """The freeze's rows (COPY on PostgreSQL, executemany on SQLite, batches crossed) are the
    rule's exclusions with the same reasons, and what bulk_create of model rows wrote."""
    city, district = city_enterprises
    fill_cap(city[0], 12)  # at its cap
    fill_cap(district[0], 12)  # at its cap and supervised by the other level: two reasons
    monkeypatch.setattr(draws.ExclusionWriter, "BATCH", 2)
    task = draws.publish_pools(
        actor=city_planner, task=draws.create_task(actor=city_planner, data=task_data)
    )
    ent = task.pools.get(kind=Pool.Kind.ENTERPRISES)
    rule = sampling.build_enterprise_pool(
        draws.enterprise_candidates(task), items=task.items, inspecting_level="city"
    )
    expected = [(n, e.id, reason_dicts(e.reasons)) for n, e in enumerate(rule.excluded)]
    assert len(expected) == 4 and any(len(r) >= 2 for _, _, r in expected)
    assert "at_cap" in {d["code"] for _, _, r in expected for d in r}
    assert _rows(ent) == expected
    assert ent.excluded_count == len(expected)
    assert sampling.pool_sha256(rule.included) == ent.sha256
    ent.exclusions.all().delete()
    PoolExclusion.objects.bulk_create(
        PoolExclusion(pool=ent, position=n, ident=i, reasons=r) for n, i, r in expected
    )
    assert _rows(ent) == expected
    off = task.pools.get(kind=Pool.Kind.OFFICERS)
    assert off.excluded_count == off.exclusions.count()
