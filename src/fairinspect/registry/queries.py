"""Reads for the registry: search, lookup tables, the certificate audit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, prefetch_related_objects
from django.db.models.expressions import RawSQL

from fairinspect.core import paging
from fairinspect.rules.certificates import (
    AuditRow,
    CertificateFact,
    CertificateStatus,
    OfficerFact,
    OfficerStatus,
    audit_certificates,
)
from fairinspect.rules.search import SEPARATOR, parse_query

from .models import Certificate, Department, Enterprise, Industry, Officer


def industry_map() -> dict[str, tuple[str, bool]]:
    """code → (domain, high_risk) for every GB/T 4754 code."""
    return {c: (d, h) for c, d, h in Industry.objects.values_list("code", "domain", "high_risk")}


def industry_names() -> dict[str, str]:
    """GB/T 4754 name → code for the levels an enterprise may carry (大类, 中类, 小类); where a
    name repeats across levels the most specific code wins."""
    rows = Industry.objects.filter(level__gte=2).order_by("level").values_list("name", "code")
    return dict(rows)


def district_codes() -> set[str]:
    return set(
        Department.objects.filter(kind="bureau", level="district").values_list(
            "division_code", flat=True
        )
    )


@lru_cache(maxsize=1)
def district_names() -> dict[str, str]:
    from .reference import DISTRICT_NAMES

    return dict(DISTRICT_NAMES)


@dataclass(frozen=True)
class EnterpriseFilter:
    q: str = ""
    district: str = ""
    industry: str = ""
    high_risk: bool | None = None
    grade: str = ""  # "1", "2", "3", "none" or ""
    risk_level: str = ""
    supervising_level: str = ""
    sort: str = "name"


SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "credit_code": ("credit_code",),
    "district": ("district_code", "name"),
    "grade": ("standardization_grade", "name"),
    "-updated": ("-updated_at", "-id"),
}


def search_enterprises(qs: QuerySet[Enterprise], raw: str) -> tuple[QuerySet[Enterprise], Q | None]:
    """Enterprises whose name, former names, code, former identifiers, address or pinyin
    initials contain the query, both in the one normal form of rules/search.py. A query
    that looks like a credit code finds that code. Returns the filtered queryset and the
    condition of an exact name match (None when the query did not search).

    On PostgreSQL every query of two or more characters first goes through the GIN index
    over the key's two-character pieces (`search_grams`, migration 0006); for a query of
    exactly two characters that is the whole test, longer ones are confirmed with LIKE.
    SQLite reads the keys (measured in docs/performance.md)."""
    sq = parse_query(raw)
    if not sq.text:
        return qs, None
    if sq.credit_code:
        return qs.filter(credit_code=sq.credit_code), None
    if connection.vendor == "postgresql" and len(sq.text) >= 2:
        table = Enterprise._meta.db_table
        qs = qs.filter(
            RawSQL(
                f'string_to_array("{table}"."search_grams", \' \') @> %s::text[]',
                [list(sq.bigrams)],
                output_field=BooleanField(),
            )
        )
        if len(sq.text) > 2:
            qs = qs.filter(search_key__contains=sq.text)
    else:
        qs = qs.filter(search_key__contains=sq.text)
    # The normalised name is the key's first line (an index lookup on PostgreSQL).
    exact = Q(search_key=sq.text) | Q(search_key__startswith=sq.text + SEPARATOR)
    return qs, exact


# Above this many matches the total is estimated (core/paging.py: the planner's estimate on
# PostgreSQL, "超过 1,000" on SQLite): counting every match of a two-character query would
# cost more than finding the page.
SEARCH_COUNT_CAP = paging.COUNT_THRESHOLD
PAGE_SCOPE = "registry.enterprises"


class SearchResults:
    """What the list page and the API page through: the enterprises with the exact name
    first, then the others in the chosen order. The total is exact up to SEARCH_COUNT_CAP
    and estimated above (`capped` tells); pages go by cursor (`page`).

    Each piece is a query the indexes serve: the exact names by the key's B-tree, the
    others in name order by the name index with LIMIT (the planner takes the GIN index
    instead when the query is selective)."""

    ordered = True

    def __init__(
        self,
        qs: QuerySet[Enterprise],
        exact: Q | None,
        *,
        cap: int | None = None,
        order: tuple[str, ...] = SORTS["name"],
    ):
        self.qs, self.cap, self.order = qs, cap, order
        self.exact_q = exact
        self.rest = qs.exclude(exact) if exact is not None else qs
        self._exact: list[Enterprise] | None = None
        self._total: paging.Total | None = None

    def select_related(self, *fields: str) -> SearchResults:
        """The related rows for the page only, by a second query (prefetch): a JOIN in
        the page's SELECT would keep PostgreSQL from reading the name index in order."""
        out = SearchResults(self.qs, self.exact_q, cap=self.cap, order=self.order)
        out.related = fields
        return out

    related: tuple[str, ...] = ()

    def _load(self, rows: list[Enterprise]) -> list[Enterprise]:
        if self.related and rows:
            prefetch_related_objects(rows, *self.related)
        return rows

    def exact_rows(self) -> list[Enterprise]:
        if self._exact is None:
            if self.exact_q is None:
                self._exact = []
            else:
                self._exact = list(self.qs.filter(self.exact_q)[:50])
        return self._exact

    def total(self) -> paging.Total:
        """Exact up to the cap, estimated above it (one mechanism for every list)."""
        if self._total is None:
            self._total = paging.count(self.qs, SEARCH_COUNT_CAP)
        return self._total

    def count(self) -> int:
        return self.total().n

    @property
    def capped(self) -> bool:
        return self.total().estimated

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        yield from self.exact_rows()
        yield from self.rest

    def __getitem__(self, k):
        if not isinstance(k, slice):
            return self[k : k + 1][0]
        start, stop = k.start or 0, k.stop
        first = self.exact_rows()
        e = len(first)
        out = first[start:stop]
        if stop is None:
            return self._load(out + list(self.rest[max(start - e, 0) :]))
        if stop > e:
            out += list(self.rest[max(start - e, 0) : stop - e])
        return self._load(out)

    # pages by cursor -------------------------------------------------------------------------
    # A cursor is either a key of the other rows (core/paging.Keyset) or, while the exact
    # names last, {"x": i}: "from the i-th exact name" (at most 50 of them).

    def keyset(self) -> paging.Keyset:
        return paging.Keyset(self.rest, self.order, scope=PAGE_SCOPE)

    def page(self, limit: int, cursor: str | None = None, *, offset: int = 0) -> paging.Page:
        ks = self.keyset()
        e = len(self.exact_rows())
        if cursor:
            p = paging.unsign(cursor, PAGE_SCOPE)
            if "x" in p:
                x = p["x"]
                if p.get("o") != ks.signature or type(x) is not int or not 0 <= x <= e:
                    raise paging.bad_cursor()
                return self._at(ks, x, limit)
            # Back to the start of the others: the page that ends with the `k` of them.
            pg = ks.page(
                limit, cursor, at_start=lambda k: self._at(ks, max(e + k - limit, 0), limit)
            )
            pg.rows = self._load(pg.rows)
            return pg
        if offset > paging.MAX_OFFSET:
            raise paging.offset_too_deep()
        return self._at(ks, offset, limit)

    def _exact_cursor(self, ks: paging.Keyset, x: int) -> str:
        return paging.sign({"o": ks.signature, "x": x}, PAGE_SCOPE)

    def _at(self, ks: paging.Keyset, offset: int, limit: int) -> paging.Page:
        """The page starting at row `offset` of (exact names, then the rest)."""
        rows = self[offset : offset + limit + 1]
        more = len(rows) > limit
        rows = rows[:limit]
        e = len(self.exact_rows())
        nxt = prev = None
        if more:
            last = offset + len(rows)  # the index of the next row
            nxt = self._exact_cursor(ks, last) if last <= e else ks.cursor(rows[-1])
        if offset and rows:
            if offset <= e:
                prev = self._exact_cursor(ks, max(offset - limit, 0))
            else:
                prev = ks.cursor(rows[0], backward=True)
        return paging.Page(rows, nxt, prev)


def filter_enterprises(qs: QuerySet[Enterprise], f: EnterpriseFilter) -> QuerySet[Enterprise]:
    """The filtered enterprises in the chosen order (exports, counts); the pages read
    `search_results`, which also puts the exact name first."""
    return _filtered(qs, f)[0]


def _filtered(
    qs: QuerySet[Enterprise], f: EnterpriseFilter
) -> tuple[QuerySet[Enterprise], Q | None]:
    qs, exact = search_enterprises(qs, f.q)
    if f.district:
        qs = qs.filter(district_code=f.district)
    if f.industry:
        qs = qs.filter(industry__code__startswith=f.industry)
    if f.high_risk is not None:
        qs = qs.filter(high_risk=f.high_risk)
    if f.grade == "none":
        qs = qs.filter(standardization_grade__isnull=True)
    elif f.grade in ("1", "2", "3"):
        qs = qs.filter(standardization_grade=int(f.grade))
    if f.risk_level:
        qs = qs.filter(risk_level=f.risk_level)
    if f.supervising_level:
        qs = qs.filter(supervising_level=f.supervising_level)
    order = SORTS.get(f.sort, SORTS["name"])
    return qs.order_by(*order), exact


def search_results(qs: QuerySet[Enterprise], f: EnterpriseFilter) -> SearchResults:
    qs, exact = _filtered(qs, f)
    searched = bool(parse_query(f.q).text)
    return SearchResults(
        qs,
        exact if f.sort in ("name", "") else None,
        cap=SEARCH_COUNT_CAP if searched else None,
        order=SORTS.get(f.sort, SORTS["name"]),
    )


def filter_officers(
    qs: QuerySet[Officer],
    *,
    q: str = "",
    department_code: str = "",
    status: str = "",
    certified_on: dt.date | None = None,
    scope: str = "",
) -> QuerySet[Officer]:
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(certificates__number__startswith=q))
    if department_code:
        qs = qs.filter(department__code=department_code)
    if status:
        qs = qs.filter(status=status)
    if certified_on or scope:
        certs = Certificate.objects.filter(officer=OuterRef("pk"))
        if certified_on:
            certs = certs.filter(
                status="valid", valid_from__lte=certified_on, valid_to__gte=certified_on
            )
        if scope:
            # JSON containment is not portable to SQLite; scopes are short lists, so match
            # the quoted value in the stored text, which both databases support.
            certs = certs.filter(
                Q(scopes__icontains=f'"{scope}"') | Q(scopes__icontains='"general"')
            )
        qs = qs.filter(Exists(certs))
    return qs.distinct().order_by("id")


def officer_fact(officer: Officer) -> OfficerFact:
    return OfficerFact(
        id=str(officer.pk),
        name=officer.name,
        status=OfficerStatus(officer.status),
        post_domains=frozenset(officer.post_domains or ()),
        certificates=tuple(
            CertificateFact(
                number=c.number,
                valid_from=c.valid_from,
                valid_to=c.valid_to,
                scopes=frozenset(c.scopes or ()),
                status=CertificateStatus(c.status),
            )
            for c in officer.certificates.all()
        ),
    )


def certificate_audit(on: dt.date) -> tuple[AuditRow, ...]:
    officers = Officer.objects.prefetch_related("certificates").order_by("department__code", "name")
    return audit_certificates([officer_fact(o) for o in officers], on=on)
