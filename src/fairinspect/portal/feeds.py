"""RSS 2.0 and Atom feeds of what is published (django.contrib.syndication)."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from . import access


class ArticlesRss(Feed):
    title = "乌鲁木齐市应急管理局 · 公开信息"
    description = "新闻动态、政策法规、典型案例"

    def link(self):
        return reverse("public:home")

    def items(self):
        return access.public_articles()[:50]

    def item_title(self, item):
        return f"[{item.get_kind_display()}] {item.title}"

    def item_description(self, item):
        return item.summary or item.body  # the body is stored sanitised

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [str(item.get_kind_display())]


class ArticlesAtom(ArticlesRss):
    feed_type = Atom1Feed
    subtitle = ArticlesRss.description
