"""Issue 13 item 2: the public draw page's HTML is cached (core/pagecache.py) under the key of
everything it shows, after the verification is checked against the stored inputs; the
verdict is stored as a code and worded in the viewer's language when the page is shown."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fairinspect.core import pagecache
from fairinspect.planning import draws
from fairinspect.planning.models import Draw, Pool

pytestmark = pytest.mark.django_db
ON_PG = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
PASSED_EN = (
    "Verification passed: recomputed from the published pools, random seed and count, the "
    "result is identical to the published one."
)
FAILED_EN = "Verification failed: the pool file does not match the published SHA-256."


@pytest.fixture
def published(published_task, city_planner):
    draw = draws.record_seed(
        actor=city_planner,
        draw=draws.live_draw(published_task),
        seed="20250401123456",
        entered_by="群众代表",
    )
    draw = draws.run(actor=city_planner, draw=draw)
    return draws.publish_result(actor=city_planner, draw=draw)


def _url(draw) -> str:
    return f"/planning/public/draws/{draw.pk}/"


def _verdict(body: str) -> str:
    found = re.search(
        r'<div class="verdict (ok|bad)" role="status" id="server-verdict">(.*?)</div>', body
    )
    assert found, body[:500]
    return f"{found[1]}: {found[2]}"


def _without_token(body: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "TOKEN", body)


def _sql(statement: str, params) -> None:
    with connection.cursor() as c:
        c.execute(statement, params)


def test_issue_13_a_cached_page_re_verifies_after_the_pool_text_is_altered_in_sql(
    client, published
):
    assert _verdict(client.get(_url(published)).content.decode()).startswith("ok: 验证通过")
    pool = published.task.pools.get(kind=Pool.Kind.ENTERPRISES)
    lines = pool.text.splitlines()
    _sql(
        "UPDATE planning_pool SET text = %s WHERE id = %s", ["\n".join(lines[:-1]) + "\n", pool.pk]
    )
    body = client.get(_url(published)).content.decode()
    assert _verdict(body) == "bad: 验证失败：名录库文件与公布的SHA-256不一致。"
    # Put back: the page verifies again (the key is the text as stored, not a flag).
    _sql("UPDATE planning_pool SET text = %s WHERE id = %s", [pool.text, pool.pk])
    assert _verdict(client.get(_url(published)).content.decode()).startswith("ok: 验证通过")


def test_issue_13_a_cached_page_re_verifies_after_a_pairing_row_is_altered_in_sql(
    client, published
):
    client.get(_url(published))
    first, second = published.pairing_rows.order_by("position")[:2]
    _sql(
        "UPDATE planning_drawpairing SET credit_code = %s WHERE id = %s",
        [second.credit_code, first.pk],
    )
    body = client.get(_url(published)).content.decode()
    assert _verdict(body) == "bad: 验证失败：重新计算的结果与公布结果不一致。"
    assert body.count(f'<code class="small">{second.credit_code}</code>') == 2  # the row as stored


def test_issue_13_the_english_page_shows_the_english_verdict(client, published):
    zh = client.get(_url(published)).content.decode()
    en = client.get(_url(published), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _verdict(zh).startswith("ok: 验证通过：")
    assert _verdict(en) == f"ok: {PASSED_EN}"
    assert "Verify draw no. 1" in en and "验证第1次抽取" in zh
    # Cached per language: each language's page again, from the cache.
    assert (
        client.get(_url(published), HTTP_ACCEPT_LANGUAGE="en").content.decode().count(PASSED_EN)
        == 1
    )
    assert _verdict(client.get(_url(published)).content.decode()).startswith("ok: 验证通过：")
    # A failure too, and the stored verdict keeps its Chinese words for older readers.
    pool = published.task.pools.get(kind=Pool.Kind.ENTERPRISES)
    _sql("UPDATE planning_pool SET text = %s WHERE id = %s", [pool.text + "X\n", pool.pk])
    en = client.get(_url(published), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _verdict(en) == f"bad: {FAILED_EN}"
    stored = Draw.objects.get(pk=published.pk).verification
    assert (
        stored["code"] == "pool_hash"
        and stored["message"] == "验证失败：名录库文件与公布的SHA-256不一致。"
    )


def test_issue_13_a_verification_stored_before_codes_shows_its_stored_message(client, published):
    stored = dict(Draw.objects.get(pk=published.pk).verification)
    del stored["code"], stored["params"]
    stored["message"] = "验证通过：旧的文字。"
    Draw.objects.filter(pk=published.pk).update(verification=stored)
    en = client.get(_url(published), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _verdict(en) == "ok: 验证通过：旧的文字。"


def test_issue_13_a_verification_stored_before_codes_in_a_verdict_s_words_is_translated(
    client, published
):
    """Rows verified before codes keep the Chinese words of one of the verdicts: recognised
    by them, they are worded in the viewer's language too."""
    stored = dict(Draw.objects.get(pk=published.pk).verification)
    del stored["code"], stored["params"]
    assert stored["message"].startswith("验证通过：")
    Draw.objects.filter(pk=published.pk).update(verification=stored)
    en = client.get(_url(published), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _verdict(en) == f"ok: {PASSED_EN}"
    failed = draws.Verdict.of(
        {"ok": False, "message": "验证失败：名录库文件不是公布时的规范格式（第3行：编号重复）。"}
    )
    assert (failed.code, dict(failed.params)) == ("pool_form", {"detail": "第3行：编号重复"})


def test_issue_13_the_cached_page_is_the_rendered_page(client, published, monkeypatch):
    url = _url(published) + "?page=1&q=%3Cb%3E%22x"  # a query string the `next` field escapes
    client.get(url)  # stores the page
    cached_response = client.get(url)
    monkeypatch.setattr(pagecache, "cacheable", lambda request: False)
    rendered_response = client.get(url)
    for header in ("Content-Type", "Vary", "Content-Security-Policy"):
        assert cached_response[header] == rendered_response[header], header
    assert "Cookie" in cached_response["Vary"]  # a shared HTTP cache keeps a logged-in page apart
    cached, rendered = cached_response.content.decode(), rendered_response.content.decode()
    assert 'name="next" value="/planning/public/draws/' in rendered
    assert '?page=1&amp;q=%3Cb%3E%22x"' in rendered
    assert _without_token(cached) == _without_token(rendered)
    assert re.search(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"', cached)
    assert pagecache.CSRF_SLOT not in cached and pagecache.NEXT_SLOT not in cached


def test_issue_13_each_cached_view_has_its_own_csrf_token_and_cookie(client, published):
    client.get(_url(published))
    tokens = set()
    for _ in range(2):
        r = client.get(_url(published))
        tokens |= set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.content.decode()))
        assert settings.CSRF_COOKIE_NAME in r.cookies
    assert len(tokens) == 2


def test_issue_13_the_queries_of_a_cached_view(client, published):
    client.get(_url(published))
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(_url(published)).content.decode()
    assert "验证通过" in body
    sql = [q["sql"] for q in ctx.captured_queries]
    # PostgreSQL: one statement (the draw, its task and both pools' digests), no row read;
    # SQLite: the rows' digests are computed from the rows (one more).
    assert len(sql) == (1 if ON_PG else 2), sql
    if ON_PG:
        assert not [q for q in sql if '."text"' in q or "planning_drawpairing" in q]


def test_issue_13_a_logged_in_viewer_gets_the_page_rendered_for_them(
    client, published, city_planner
):
    client.get(_url(published))  # the anonymous page is cached
    client.force_login(city_planner)
    body = client.get(_url(published)).content.decode()
    assert "计划员" in body and 'class="verdict ok"' in body
