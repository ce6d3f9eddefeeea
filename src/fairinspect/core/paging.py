"""Keyset pagination and estimated counts: the one helper every big list pages through.

A page is found by a **cursor**: the sort key and id of the row the page starts after (or,
going back, before), signed with the site's key so it cannot be forged or edited. A cursor
turns into `WHERE (key, id) > (…)` with the ordering's index, so page 1,000 costs what page
1 costs; there is no deep OFFSET. The old `page`/`offset` parameters still work up to
`MAX_OFFSET` rows; above that they are refused (422 naming the parameter).

Every term of the ordering must be a column of the row (or a forward foreign key path); the
ordering is made total by appending `id`. NULLs sort as the largest value in both directions
on both databases (`NULLS LAST` ascending, `NULLS FIRST` descending: PostgreSQL's default, so
its indexes still serve the order).

Totals are exact up to `COUNT_THRESHOLD`; above it they are estimated (`Total.estimated`):
on PostgreSQL the planner's row estimate of the filtered query (`EXPLAIN (FORMAT JSON)`), on
SQLite "more than 1,000" — both after a capped count (`COUNT` over `LIMIT 1001`), which
costs at most 1,001 index entries whatever the size of the table.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema

from .errors import ValidationFailed

COUNT_THRESHOLD = 1000
MAX_OFFSET = 10_000
_SALT = "fairinspect.core.paging"


def bad_cursor() -> ValidationFailed:
    return ValidationFailed(
        "bad_cursor", _("翻页位置无效或已过期，请从第一页重新翻页。"), field="cursor"
    )


def offset_too_deep(name: str = "offset") -> ValidationFailed:
    return ValidationFailed(
        "offset_too_deep",
        _("最多只能跳过 %(n)s 条：请加筛选条件，或用“下一页”翻页。") % {"n": f"{MAX_OFFSET:,}"},
        field=name,
    )


# ---- totals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Total:
    """`n` exact when not `estimated`; else the planner's estimate (`planned`) or, where the
    database gives none, the threshold the capped count stopped at ("超过 n")."""

    n: int
    estimated: bool = False
    planned: bool = False

    @property
    def at_least(self) -> bool:
        return self.estimated and not self.planned


def planner_rows(qs: QuerySet) -> int | None:
    """PostgreSQL's estimate of how many rows the query returns (None elsewhere)."""
    conn = connections[qs.db]
    if conn.vendor != "postgresql":
        return None
    sql, params = qs.order_by().query.sql_with_params()
    with conn.cursor() as cur:
        cur.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cur.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def count(qs: QuerySet, threshold: int | None = None) -> Total:
    """Exact up to `threshold`; above it estimated (see the module's docstring)."""
    threshold = COUNT_THRESHOLD if threshold is None else threshold
    n = qs.order_by()[: threshold + 1].count()
    if n <= threshold:
        return Total(n)
    est = planner_rows(qs)
    if est is None:
        return Total(threshold, estimated=True)
    return Total(max(est, threshold + 1), estimated=True, planned=True)


# ---- cursors -----------------------------------------------------------------------------


def _plain(v: Any) -> Any:
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    return v


def sign(payload: dict[str, Any], scope: str) -> str:
    return signing.dumps(payload, salt=f"{_SALT}.{scope}", compress=True)


def unsign(token: str, scope: str) -> dict[str, Any]:
    """The payload of a cursor this site issued for `scope`; anything else is a 422."""
    if not token or len(token) > 2000:
        raise bad_cursor()
    try:
        payload = signing.loads(token, salt=f"{_SALT}.{scope}")
    except (signing.BadSignature, ValueError, UnicodeError):
        raise bad_cursor() from None
    if not isinstance(payload, dict):
        raise bad_cursor()
    return payload


@dataclass(frozen=True)
class _Term:
    path: str
    desc: bool
    nullable: bool
    to_python: Callable[[Any], Any]


def _terms(model, order: Sequence[str]) -> tuple[_Term, ...]:
    names = list(order)
    if not any(o.lstrip("-") in ("id", "pk") for o in names):
        names.append("-id" if names and names[-1].startswith("-") else "id")
    out = []
    for o in names:
        path = o.lstrip("-")
        path = "id" if path == "pk" else path
        m, f = model, None
        for part in path.split("__"):
            f = m._meta.get_field(part)
            if f.is_relation:
                m = f.related_model
        assert f is not None
        if f.is_relation:  # a foreign key by itself orders by its id
            f = f.target_field
        out.append(_Term(path, o.startswith("-"), bool(f.null), f.to_python))
    return tuple(out)


@dataclass
class Page:
    """One page: its rows, the cursors either side (None at an end), its total."""

    rows: list
    next_cursor: str | None
    prev_cursor: str | None
    total: Total | None = None
    params: str = ""  # the request's other parameters, for the links
    start: int | None = None  # the first row's place, where the list knows it (sequences)

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


class Keyset:
    """A queryset in a total order that pages by cursors (`page`), or by offset (`slice`)."""

    def __init__(self, qs: QuerySet, order: Sequence[str], *, scope: str):
        self.terms = _terms(qs.model, order)
        self.scope = scope
        self.signature = ",".join(("-" if t.desc else "") + t.path for t in self.terms)
        self.base = qs

    # the order, and the condition "after this key" --------------------------------------

    def _ordered(self, qs: QuerySet, backward: bool) -> QuerySet:
        out = []
        for t in self.terms:
            desc = t.desc != backward
            if not t.nullable:
                out.append(F(t.path).desc() if desc else F(t.path).asc())
            elif desc:
                out.append(F(t.path).desc(nulls_first=True))
            else:
                out.append(F(t.path).asc(nulls_last=True))
        return qs.order_by(*out)

    def ordered(self) -> QuerySet:
        return self._ordered(self.base, False)

    def _after(self, values: Sequence[Any], backward: bool) -> Q | None:
        """Rows strictly after `values` in the (possibly reversed) order; None: no row."""
        branches: list[Q] = []
        equal = Q()
        for t, v in zip(self.terms, values, strict=True):
            desc = t.desc != backward
            # NULL is the largest value: after it ascending there is nothing, descending
            # every non-NULL value follows.
            if v is None:
                beyond = Q(**{f"{t.path}__isnull": False}) if desc else None
                same = Q(**{f"{t.path}__isnull": True})
            else:
                beyond = Q(**{f"{t.path}__{'lt' if desc else 'gt'}": v})
                if t.nullable and not desc:
                    beyond |= Q(**{f"{t.path}__isnull": True})
                same = Q(**{t.path: v})
            if beyond is not None:
                branches.append(equal & beyond)
            equal &= same
        if not branches:
            return None
        cond = branches[0]
        for b in branches[1:]:
            cond |= b
        first, v0 = self.terms[0], values[0]
        if v0 is not None and not first.nullable:
            # The same bound once more on its own, so the index scan starts at the cursor.
            desc = first.desc != backward
            cond &= Q(**{f"{first.path}__{'lte' if desc else 'gte'}": v0})
        return cond

    def seek(self, values: Sequence[Any], backward: bool = False) -> QuerySet:
        cond = self._after(values, backward)
        qs = self.base.none() if cond is None else self.base.filter(cond)
        return self._ordered(qs, backward)

    # cursors -------------------------------------------------------------------------------

    def key_of(self, row: Any) -> list[Any]:
        out = []
        for t in self.terms:
            v = row
            parts = t.path.split("__")
            for i, part in enumerate(parts):
                last = i == len(parts) - 1
                v = (
                    None
                    if v is None
                    else getattr(v, part + "_id" if last and _fk(v, part) else part)
                )
            out.append(v)
        return out

    def cursor(self, row: Any, *, backward: bool = False) -> str:
        payload: dict[str, Any] = {"o": self.signature, "k": [_plain(v) for v in self.key_of(row)]}
        if backward:
            payload["b"] = 1
        return sign(payload, self.scope)

    def parse(self, token: str) -> tuple[list[Any], bool]:
        """(the key, backward) of a cursor issued for this list and this order."""
        p = unsign(token, self.scope)
        keys = p.get("k")
        if p.get("o") != self.signature or not isinstance(keys, list):
            raise bad_cursor()
        if len(keys) != len(self.terms):
            raise bad_cursor()
        try:
            values = [
                None if v is None else t.to_python(v) for t, v in zip(self.terms, keys, strict=True)
            ]
        except (ValidationError, TypeError, ValueError):
            raise bad_cursor() from None
        return values, bool(p.get("b"))

    # pages ---------------------------------------------------------------------------------

    def page(
        self,
        limit: int,
        cursor: str | None = None,
        *,
        offset: int = 0,
        at_start: Callable[[int], Page] | None = None,
    ) -> Page:
        """The page after (or before) `cursor`; without one, the page at `offset`. Going
        back past the first row gives the first page (`at_start(k)` instead, where `k` rows
        were left before the cursor, when the list has rows of its own before these)."""
        if cursor:
            values, backward = self.parse(cursor)
            rows = list(self.seek(values, backward)[: limit + 1])
            more = len(rows) > limit
            rows = rows[:limit]
            if backward:
                if not more:  # reached the start: the first page as it is now
                    return at_start(len(rows)) if at_start else self.page(limit)
                rows.reverse()
                return Page(rows, self.cursor(rows[-1]), self.cursor(rows[0], backward=True))
            nxt = self.cursor(rows[-1]) if more else None
            prev = self.cursor(rows[0], backward=True) if rows else None
            return Page(rows, nxt, prev)
        if offset > MAX_OFFSET:
            raise offset_too_deep()
        rows = list(self.ordered()[offset : offset + limit + 1])
        more = len(rows) > limit
        rows = rows[:limit]
        nxt = self.cursor(rows[-1]) if more and rows else None
        prev = self.cursor(rows[0], backward=True) if offset and rows else None
        return Page(rows, nxt, prev)


def _fk(obj: Any, name: str) -> bool:
    try:
        f = obj._meta.get_field(name)
    except Exception:  # not a model field: a plain attribute
        return False
    return bool(f.is_relation and f.many_to_one)


# ---- pages of HTML views -----------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    cursor: str | None
    offset: int
    params: str  # the query string without cursor/page, for the links


def from_request(request: HttpRequest, per_page: int) -> Request:
    """The cursor or the old `?page=N` of a list page; a page beyond MAX_OFFSET rows or a
    bad number is refused (the message names `page`)."""
    g = request.GET
    params = g.copy()
    for k in ("cursor", "page"):
        params.pop(k, None)
    raw = g.get("page", "")
    offset = 0
    if raw and not g.get("cursor"):
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationFailed("bad_page", _("页码应为正整数。"), field="page")
        offset = (int(raw) - 1) * per_page
        if offset > MAX_OFFSET:
            raise offset_too_deep("page")
    return Request(g.get("cursor") or None, offset, params.urlencode())


def order_of(qs: QuerySet) -> list[str]:
    """The ordering a queryset already has (its `order_by`, else its model's `ordering`), as
    field paths: what `paginate` keys on when it is given no order of its own."""
    query = qs.query
    terms = list(query.order_by) if query.order_by else list(qs.model._meta.ordering or [])
    out = [t for t in terms if isinstance(t, str)]
    if len(out) != len(terms):
        raise TypeError(f"order {terms!r}: page by field paths, not expressions")
    return out


def paginate(
    request: HttpRequest,
    qs: QuerySet,
    order: Sequence[str] | None = None,
    *,
    scope: str,
    per_page: int = 50,
    counted: bool = True,
) -> Page:
    """A list page by keyset, in `order` (by default the queryset's own, see `order_of`) made
    total by `id`; `page.total` is the (estimated) total unless `counted` is off."""
    req = from_request(request, per_page)
    order = order_of(qs) if order is None else order
    page = Keyset(qs, order, scope=scope).page(per_page, req.cursor, offset=req.offset)
    page.params = req.params
    if counted:
        page.total = count(qs)
    return page


def paginate_sequence(
    request: HttpRequest,
    rows: Sequence[Any],
    key: Callable[[Any], tuple],
    *,
    scope: str,
    per_page: int = 50,
) -> Page:
    """A page of a list computed in Python (e.g. the risk ranking), already sorted ascending
    by `key` (a tuple of numbers and strings ending in a unique id). The cursor is signed the
    same way and names the last row's key, not a position, so a row moving up the list does
    not repeat a row on the next page. `page.start` is the 0-based place of its first row."""
    req = from_request(request, per_page)
    keys = [list(key(r)) for r in rows]
    if req.cursor:
        p = unsign(req.cursor, scope)
        k, backward = p.get("k"), bool(p.get("b"))
        if (
            p.get("o") != "sequence"
            or not isinstance(k, list)
            or (keys and len(k) != len(keys[0]))
            or not all(isinstance(v, int | float | str) for v in k)
        ):
            raise bad_cursor()
        try:
            i = bisect.bisect_right(keys, k) if not backward else bisect.bisect_left(keys, k)
        except TypeError:  # a key of another shape
            raise bad_cursor() from None
        start = max(i - per_page, 0) if backward else i
    else:
        if req.offset > MAX_OFFSET:
            raise offset_too_deep("page")
        start = req.offset
    chunk = list(rows[start : start + per_page])

    def token(i: int, backward: bool = False) -> str:
        payload: dict[str, Any] = {"o": "sequence", "k": keys[i]}
        if backward:
            payload["b"] = 1
        return sign(payload, scope)

    end = start + len(chunk)
    return Page(
        chunk,
        token(end - 1) if chunk and end < len(rows) else None,
        token(start, backward=True) if chunk and start > 0 else None,
        Total(len(rows)),
        req.params,
        start,
    )


# ---- pages of the API --------------------------------------------------------------------


class PageOut(Schema):
    """What every paged list of the API answers besides its `items` (docs/api.md)."""

    total: int
    total_estimated: bool
    limit: int
    offset: int
    next_cursor: str | None
    prev_cursor: str | None


def api_page(
    qs: QuerySet,
    order: Sequence[str],
    *,
    scope: str,
    limit: int,
    cursor: str = "",
    offset: int = 0,
    out: Callable[[Any], Any] = lambda row: row,
) -> dict[str, Any]:
    """A `PageOut` with its items: by `cursor` when given, else from `offset`."""
    page = Keyset(qs, order, scope=scope).page(
        limit, cursor or None, offset=0 if cursor else offset
    )
    total = count(qs)
    return {
        "total": total.n,
        "total_estimated": total.estimated,
        "limit": limit,
        "offset": 0 if cursor else offset,
        "next_cursor": page.next_cursor,
        "prev_cursor": page.prev_cursor,
        "items": [out(r) for r in page.rows],
    }
