"""The public site (R8.2, R13.2): news, policies and typical cases published by staff with safe
rich text, attachments and publication dates; RSS/Atom; one public navigation over every
public page."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fairinspect.audit.models import AuditEvent
from fairinspect.core.errors import Forbidden, ValidationFailed
from fairinspect.core.roles import Role
from fairinspect.portal import sanitize, services
from fairinspect.portal.models import Article
from fairinspect.portal.public_map import PAGES

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(make_user):
    return make_user("site_editor", Role.OFFICER, department="650100-ZH")


@pytest.fixture
def publisher(make_user):
    return make_user("site_publisher", Role.APPROVER, department="650100-ZH")


def article(
    editor, publisher=None, *, kind="case", title="某化工企业未落实重大危险源管控被处罚", at=None
):
    a = services.create_article(
        actor=editor,
        kind=kind,
        title=title,
        summary="以案释法",
        body="<p>2025年5月，执法人员检查发现……</p>",
    )
    if publisher:
        a = services.publish_article(actor=publisher, article=a, at=at)
    return a


def test_r13_2_script_tags_event_handlers_and_javascript_links_are_stripped():
    dirty = (
        '<p onclick="steal()">正文<script>alert(1)</script></p>'
        '<a href="javascript:alert(2)">x</a><img src="x.png" onerror="alert(3)">'
        '<style>body{display:none}</style><iframe src="https://evil"></iframe>'
        '<a href="https://www.mem.gov.cn/">应急管理部</a>'
    )
    out = sanitize.clean(dirty)
    low = out.lower()
    for bad in ("<script", "alert(1)", "onclick", "javascript:", "onerror", "<style", "<iframe"):
        assert bad not in low, bad
    assert "<p>正文</p>" in out and 'href="https://www.mem.gov.cn/"' in out
    assert 'rel="noopener noreferrer nofollow"' in out


def test_r13_2_the_body_is_stored_sanitised_whatever_was_typed(editor):
    a = services.create_article(
        actor=editor, kind="news", title="标题", body="<p>好</p><script>alert(1)</script>"
    )
    assert Article.objects.get(pk=a.pk).body == "<p>好</p>"


def test_r13_2_the_public_sees_only_published_items_at_or_after_their_time(
    editor, publisher, client
):
    """Access: draft, scheduled and withdrawn items are 404 and absent from lists and feeds."""
    draft = article(editor, title="草稿不公开")
    live = article(editor, publisher, title="已发布的典型案例")
    later = article(
        editor, publisher, title="定时发布尚未到", at=timezone.now() + dt.timedelta(days=1)
    )
    gone = article(editor, publisher, title="已撤回的信息")
    services.withdraw_article(actor=publisher, article=gone, reason="内容需更正")
    assert client.get(f"/public/a/{live.pk}/").status_code == 200
    for hidden in (draft, later, gone):
        assert client.get(f"/public/a/{hidden.pk}/").status_code == 404
    for url in ("/public/", "/public/case/", "/public/feed/rss/", "/public/feed/atom/"):
        body = client.get(url).content.decode()
        assert "已发布的典型案例" in body, url
        for t in ("草稿不公开", "定时发布尚未到", "已撤回的信息"):
            assert t not in body, (url, t)


def test_r13_2_only_publishers_publish_and_an_officer_only_drafts(editor, publisher):
    a = article(editor)
    with pytest.raises(Forbidden):
        services.publish_article(actor=editor, article=a)
    a = services.publish_article(actor=publisher, article=a)
    assert a.status == "published" and a.published_by == publisher
    assert AuditEvent.objects.filter(action="portal.publish").exists()


def test_r13_2_attachments_are_checked_by_their_bytes_and_served_only_when_published(
    editor, publisher, client
):
    a = article(editor)
    with pytest.raises(ValidationFailed):
        services.add_attachment(
            actor=editor,
            article=a,
            upload=SimpleUploadedFile("x.pdf", b"<html>", "application/pdf"),
        )
    att = services.add_attachment(
        actor=editor,
        article=a,
        upload=SimpleUploadedFile("决定书.pdf", b"%PDF-1.4\n%", "application/pdf"),
    )
    url = f"/public/a/{a.pk}/files/{att.pk}/"
    assert client.get(url).status_code == 404  # draft
    services.publish_article(actor=publisher, article=a)
    r = client.get(url)
    assert r.status_code == 200 and r["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in r["Content-Disposition"]


def test_r13_2_the_feeds_are_valid_rss_and_atom(editor, publisher, client):
    article(editor, publisher, title="<典型案例> & 以案释法")
    rss = ET.fromstring(client.get("/public/feed/rss/").content)
    assert rss.tag == "rss" and rss.find("channel/item/title").text.endswith(
        "<典型案例> & 以案释法"
    )
    assert rss.find("channel/item/pubDate") is not None
    atom = ET.fromstring(client.get("/public/feed/atom/").content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert atom.tag == "{http://www.w3.org/2005/Atom}feed"
    assert atom.find("a:entry/a:title", ns).text.endswith("以案释法")
    assert atom.find("a:entry/a:updated", ns) is not None


def test_r8_2_r13_2_one_public_navigation_reaches_every_public_page_without_login(client):
    """Every page of the public map answers the public (no login) and carries the same
    public navigation listing every other public page."""
    hrefs = [
        reverse(p.url_name, kwargs=dict(p.kwargs)) if p.kwargs else reverse(p.url_name)
        for p in PAGES
    ]
    assert len(PAGES) >= 14
    for href in ["/public/", *hrefs]:
        r = client.get(href)
        assert r.status_code == 200, href
        html = r.content.decode()
        assert 'data-testid="public-nav"' in html, href
        for other in hrefs:
            assert f'href="{other}"' in html, (href, other)


def test_r13_2_the_anonymous_home_lists_the_public_site(client):
    html = client.get("/").content.decode()
    assert 'href="/public/"' in html and "典型案例" in html


def test_r13_2_an_article_page_marks_its_section_in_the_public_nav(editor, publisher, client):
    a = article(editor, publisher)
    html = client.get(f"/public/a/{a.pk}/").content.decode()
    assert 'href="/public/case/" aria-current="page"' in html
