"""R9.2: the public verify page does not re-run the draw on each view — the server's
verification is stored when the result is published — and still shows a mismatch when the
stored pool text or result is altered afterwards (tamper tests)."""

from __future__ import annotations

import pytest

from fairinspect.planning import draws
from fairinspect.planning.models import Draw, DrawPairing, Pool

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(published_task, city_planner):
    draw = draws.live_draw(published_task)
    draw = draws.record_seed(
        actor=city_planner, draw=draw, seed="20250401123456", entered_by="张三、李四（群众代表）"
    )
    draw = draws.run(actor=city_planner, draw=draw)
    return draws.publish_result(actor=city_planner, draw=draw)


@pytest.fixture
def computes(monkeypatch):
    """Counts the draw re-runs (draws.compute) made by the views."""
    calls = []
    real = draws.compute

    def counting(*a, **kw):
        calls.append(a)
        return real(*a, **kw)

    monkeypatch.setattr(draws, "compute", counting)
    return calls


def test_r9_2_publishing_stores_the_servers_verification(published):
    published.refresh_from_db()
    v = published.verification
    assert v["ok"] is True and len(v["key"]) == 64 and "验证通过" in v["message"]


def test_r9_2_the_public_page_does_not_recompute_the_draw_on_any_view(client, published, computes):
    url = f"/planning/public/draws/{published.pk}/"
    for _ in range(2):
        body = client.get(url).content.decode()
        assert 'class="verdict ok"' in body and "验证通过" in body
    r = client.get(f"/api/v1/public/draws/{published.pk}")
    assert r.json()["verified"] is True
    assert computes == []


def test_r9_2_a_draw_never_verified_is_verified_once_then_served_from_the_store(
    client, published, computes
):
    Draw.objects.filter(pk=published.pk).update(verification={})
    url = f"/planning/public/draws/{published.pk}/"
    client.get(url)
    client.get(url)
    assert len(computes) == 1


def test_r9_2_an_altered_pool_text_shows_a_mismatch_even_with_a_stored_verification(
    client, published, computes
):
    pool = published.task.pools.get(kind=Pool.Kind.ENTERPRISES)
    lines = pool.text.splitlines()
    Pool.objects.filter(pk=pool.pk).update(text="\n".join(reversed(lines)) + "\n")
    url = f"/planning/public/draws/{published.pk}/"
    body = client.get(url).content.decode()
    assert 'class="verdict bad"' in body and "验证失败" in body
    assert client.get(f"/api/v1/public/draws/{published.pk}").json()["verified"] is False
    assert len(computes) == 1  # re-verified once, then the failure is stored too
    client.get(url)
    assert len(computes) == 1


def test_r9_2_an_altered_stored_result_shows_a_mismatch(client, published):
    first, second = published.pairing_rows.order_by("position")[:2]
    DrawPairing.objects.filter(pk=first.pk).update(credit_code=second.credit_code)
    DrawPairing.objects.filter(pk=second.pk).update(credit_code=first.credit_code)
    body = client.get(f"/planning/public/draws/{published.pk}/").content.decode()
    assert 'class="verdict bad"' in body and "验证失败" in body


def test_r9_2_a_pool_text_altered_in_canonical_form_fails_on_its_hash(client, published):
    pool = published.task.pools.get(kind=Pool.Kind.ENTERPRISES)
    lines = pool.text.splitlines()
    Pool.objects.filter(pk=pool.pk).update(text="\n".join(lines[:-1]) + "\n")
    body = client.get(f"/planning/public/draws/{published.pk}/").content.decode()
    assert 'class="verdict bad"' in body and "验证失败" in body
