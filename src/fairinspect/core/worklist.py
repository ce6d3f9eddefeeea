"""Each role's start: the work waiting for the person who just logged in.

After login a person lands on their own work (`landing_url`): the officer on today's
visits, the approver on the approval queue, the legal reviewer on the cases awaiting review,
the supervisor on the supervision home, the enterprise on its home, the administrator on the
registries.

The three queues (today / approvals / review) gather rows from several apps. core sits below
every app, so it does not import them: each app lists its part in its own `worklist.py` with
`@source(queue, ...)`, and `autodiscover()` (core's AppConfig.ready) imports those modules —
the pattern of Django's admin.autodiscover.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from .roles import Role, roles_of


@dataclass(frozen=True)
class WorkItem:
    label: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class Queue:
    key: str
    role: Role
    title: str | Promise


# The queues a landing page can be; each belongs to the role whose work it is.
QUEUES = {
    "today": Queue("today", Role.OFFICER, _("今日检查")),
    "approvals": Queue("approvals", Role.APPROVER, _("待我审批")),
    "review": Queue("review", Role.LEGAL_REVIEWER, _("待法制审核")),
}

Fetch = Callable[[object, dt.date], Iterable[WorkItem]]


@dataclass(frozen=True)
class Source:
    queue: str
    title: str | Promise
    more: str  # the full list: a URL name, optionally with a query string ("visits:mine?scope=approve")
    fetch: Fetch
    order: int


_SOURCES: list[Source] = []


def source(
    queue: str, *, title: str | Promise, more: str, order: int = 50
) -> Callable[[Fetch], Fetch]:
    """Register one section of a queue; `fetch(user, today)` returns that user's rows."""
    if queue not in QUEUES:
        raise ValueError(f"unknown work queue {queue!r}")

    def register(fetch: Fetch) -> Fetch:
        _SOURCES[:] = [s for s in _SOURCES if (s.queue, s.title) != (queue, title)]
        _SOURCES.append(Source(queue, title, more, fetch, order))
        _SOURCES.sort(key=lambda s: (s.order, str(s.title)))
        return fetch

    return register


def autodiscover() -> None:
    autodiscover_modules("worklist")


def url_of(name: str) -> str:
    path, _sep, query = name.partition("?")
    return reverse(path) + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Section:
    title: str | Promise
    more_url: str
    items: list[WorkItem]


def sections(queue: str, user, today: dt.date, *, limit: int = 20) -> list[Section]:
    out = []
    for s in _SOURCES:
        if s.queue == queue:
            items = list(s.fetch(user, today))
            out.append(Section(s.title, url_of(s.more), items[:limit]))
    return out


# Where each role starts, in the order a person holding several roles is sent: the work
# that waits on someone else first (approving, reviewing), then one's own. A landing page
# named by a tuple is the first of its names that exists, so the supervision home and the
# enterprise home that later apps add take over without a change here.
LANDINGS: list[tuple[Role, tuple[str, ...]]] = [
    (Role.ADMIN, ("registry:enterprise_list",)),
    (Role.APPROVER, ("work:approvals",)),
    (Role.LEGAL_REVIEWER, ("work:review",)),
    (Role.OFFICER, ("work:today",)),
    (Role.SUPERVISOR, ("supervision:home", "supervision:audit_trail")),
    (Role.ENTERPRISE, ("enterprise:home", "portal:home", "visits:my_card")),
]


def _first_existing(names: tuple[str, ...]) -> str | None:
    for name in names:
        try:
            return url_of(name)
        except NoReverseMatch:
            continue
    return None


def landing_url(user) -> str:
    roles = roles_of(user)
    for role, names in LANDINGS:
        if role in roles:
            url = _first_existing(names)
            if url:
                return url
    return reverse("home")
