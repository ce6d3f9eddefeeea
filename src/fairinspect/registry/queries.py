"""Reads for the registry: search, lookup tables, the certificate audit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Exists, OuterRef, Q, QuerySet

from fairinspect.rules.certificates import (
    AuditRow,
    CertificateFact,
    CertificateStatus,
    OfficerFact,
    OfficerStatus,
    audit_certificates,
)

from .models import Certificate, Department, Enterprise, Industry, Officer


def industry_map() -> dict[str, tuple[str, bool]]:
    """code → (domain, high_risk) for every GB/T 4754 code."""
    return {c: (d, h) for c, d, h in Industry.objects.values_list("code", "domain", "high_risk")}


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


def filter_enterprises(qs: QuerySet[Enterprise], f: EnterpriseFilter) -> QuerySet[Enterprise]:
    q = f.q.strip()
    if q:
        if len(q) == 18 and q.isalnum():
            qs = qs.filter(credit_code=q.upper())
        else:
            qs = qs.filter(Q(name__contains=q) | Q(credit_code__startswith=q.upper()))
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
    return qs.order_by(*SORTS.get(f.sort, SORTS["name"]))


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
