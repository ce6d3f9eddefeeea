"""A public page's rendered HTML kept in the cache (Django's cache framework, settings.CACHES)
for anonymous viewers, under a key the page gives: everything it shows that can change
(issue 13: a page whose inputs are immutable costs a cache read, not a render).

For an anonymous viewer without pending messages, core/base.html has two per-request parts:
the CSRF token of the language form and its `next` path. The stored HTML holds a slot for
each, filled at every request; the token comes from `get_token` as `{% csrf_token %}` would
take it (so the CSRF cookie is set as on a rendered page). A logged-in viewer, or one with
messages to show, gets the page rendered.

The key is the caller's: it must name every input of the page (the language and the script
prefix are added here). The timeout bounds how long what the key cannot name cheaply (the
registry's current names of what the page lists) may lag behind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.html import escape
from django.utils.translation import get_language

# Letters only: the template engine writes them as they are (nothing to escape).
CSRF_SLOT = "fairinspectPageCacheCsrfSlot"
NEXT_SLOT = "fairinspectPageCacheNextSlot"
_NEXT = 'name="next" value="{}"'


def cacheable(request: HttpRequest) -> bool:
    """Whether the page may come from the cache: an anonymous GET with no messages."""
    if request.method != "GET" or request.user.is_authenticated:
        return False
    return not len(get_messages(request))


def page_key(name: str, parts: tuple[Any, ...]) -> str:
    h = hashlib.sha256()
    for part in (get_language(), get_script_prefix(), *parts):
        h.update(repr(part).encode("utf-8"))
        h.update(b"\x00")
    return f"page:{name}:{h.hexdigest()}"


def _fill(request: HttpRequest, html: str) -> HttpResponse:
    full_path = escape(request.get_full_path())
    return HttpResponse(
        html.replace(CSRF_SLOT, get_token(request), 1).replace(NEXT_SLOT, full_path, 1)
    )


def serve(
    request: HttpRequest,
    *,
    name: str,
    parts: tuple[Any, ...],
    template: str,
    context: Callable[[], Mapping[str, Any]],
) -> HttpResponse:
    """The page `template` rendered with `context()` (called only when it is rendered),
    from the cache when the request allows it and the key `parts` was seen before."""
    if not cacheable(request):
        return HttpResponse(render_to_string(template, context(), request))
    key = page_key(name, parts)
    html = cache.get(key)
    if html is None:
        html = render_to_string(template, {**context(), "csrf_token": CSRF_SLOT}, request)
        next_attr = _NEXT.format(escape(request.get_full_path()))
        if html.count(CSRF_SLOT) != 1 or html.count(next_attr) != 1 or NEXT_SLOT in html:
            # Not the shape this cache knows (a template changed): serve it, keep nothing.
            return HttpResponse(html.replace(CSRF_SLOT, get_token(request)))
        html = html.replace(next_attr, _NEXT.format(NEXT_SLOT))
        cache.set(key, html, settings.PAGE_CACHE_SECONDS)
    return _fill(request, html)
