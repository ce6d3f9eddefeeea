"""Reads for the registry: search, lookup tables, the certificate audit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection
from django.db.models import BooleanField, Case, Exists, IntegerField, OuterRef, Q, QuerySet, When
from django.db.models.expressions import RawSQL

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


def search_enterprises(qs: QuerySet[Enterprise], raw: str) -> tuple[QuerySet[Enterprise], bool]:
    """Enterprises whose name, former names, code, address or pinyin initials contain the
    query, both in the one normal form of rules/search.py. A query that looks like a credit
    code finds that code. True when the query searched (exact matches should come first).

    On PostgreSQL every query of two or more characters first goes through the GIN index
    of the key's bigrams (migration 0005), then the LIKE confirms the order of the pieces;
    SQLite reads the keys (measured in docs/performance.md)."""
    sq = parse_query(raw)
    if not sq.text:
        return qs, False
    if sq.credit_code:
        return qs.filter(credit_code=sq.credit_code), True
    if connection.vendor == "postgresql" and len(sq.text) >= 2:
        table = Enterprise._meta.db_table
        qs = qs.filter(
            RawSQL(
                f'fi_bigrams("{table}"."search_key") @> %s::text[]',
                [list(sq.bigrams)],
                output_field=BooleanField(),
            )
        )
    qs = qs.filter(search_key__contains=sq.text)
    exact = Q(search_key=sq.text) | Q(search_key__startswith=sq.text + SEPARATOR)
    qs = qs.annotate(search_rank=Case(When(exact, then=0), default=1, output_field=IntegerField()))
    return qs, True


def filter_enterprises(qs: QuerySet[Enterprise], f: EnterpriseFilter) -> QuerySet[Enterprise]:
    qs, searched = search_enterprises(qs, f.q)
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
    if searched and "search_rank" in qs.query.annotations and f.sort == "name":
        order = ("search_rank", *order)  # the exact name first
    return qs.order_by(*order)


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
