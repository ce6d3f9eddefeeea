"""The inspection-item list over the API: public reads, like the public pages."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from . import access, queries

router = Router(tags=["检查事项 catalog"])


class LegalBasis(Schema):
    law: str
    version: str | None = None
    article: int | None = None
    clause: int | None = None
    text_excerpt: str | None = None


class ItemOut(Schema):
    code: str
    name: str
    domain: str
    legal_basis: list[LegalBasis]
    implementing_unit: str
    content: list[str]
    method_on_site: str
    method_documents: str
    industries: list[str]
    offsite_capable: bool
    cross_department: bool
    cross_departments: list[str]


class VersionOut(Schema):
    number: str
    title: str
    status: str
    published_at: dt.datetime | None
    superseded_at: dt.datetime | None
    filing_date: dt.date | None
    filing_doc_no: str


@router.get("/items", response=list[ItemOut], auth=None, summary="Items of the list in force")
def list_items(request, domain: str = "", offsite_capable: bool | None = None):
    qs = queries.items_in_force()
    if domain:
        qs = qs.filter(domain=domain)
    if offsite_capable is not None:
        qs = qs.filter(offsite_capable=offsite_capable)
    return list(qs)


@router.get("/items/{code}", response=ItemOut, auth=None)
def get_item(request, code: str):
    return get_object_or_404(queries.items_in_force(), code=code)


@router.get("/item-versions", response=list[VersionOut], auth=None)
def list_versions(request):
    return list(queries.public_versions())


@router.get("/item-versions/{number}/items", response=list[ItemOut], auth=None)
def version_items(request, number: str):
    return list(access.get_public_version(number).items.order_by("code"))
