"""The public navigation from `public_map.PAGES`: `{% public_nav %}` (every public page,
grouped: the public pages' sub-navigation), `{% public_main_links %}` (the primary ones, in
the site's main navigation) and `{% public_cards %}` (the public home's cards)."""

from __future__ import annotations

import functools

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from ..public_map import PAGES, groups

register = template.Library()


def _href(p) -> str:
    return _address(p.url_name, p.kwargs)


def _address(url_name: str, kwargs: tuple[tuple[str, str], ...] = ()) -> str:
    return _reversed(url_name, kwargs, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@functools.cache
def _reversed(url_name: str, kwargs, prefix: str, urlconf: str) -> str:
    """A public page's address, reversed once per process, script prefix and URLconf: every
    public page lists them all."""
    return reverse(url_name, kwargs=dict(kwargs), urlconf=urlconf)


def _entries(pages, current: str):
    return [{"p": p, "href": h, "current": h == current} for p in pages for h in [_href(p)]]


@register.inclusion_tag("portal/_public_nav.html", takes_context=True)
def public_nav(context):
    request = context.get("request")
    # A page may name the section it belongs to (an article: its kind's list).
    current = context.get("public_section") or (request.path if request else "")
    return {
        "home": (home := _address("public:home")),
        "at_home": current == home,
        "groups": [(g, _entries(ps, current)) for g, ps in groups()],
    }


@register.inclusion_tag("portal/_public_main_links.html")
def public_main_links():
    return {
        "home": _address("public:home"),
        "entries": _entries([p for p in PAGES if p.primary], ""),
    }


@register.inclusion_tag("portal/_public_cards.html")
def public_cards():
    return {"groups": [(g, _entries(ps, "")) for g, ps in groups()]}
