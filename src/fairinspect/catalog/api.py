"""The inspection-item list over the API: public reads, like the public pages."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from fairinspect.core.schemas import Bool, Date, Input, SmallCount
from fairinspect.registry.api import Error, admin_bearer

from . import access, guidance, queries, services
from .models import ItemListVersion

router = Router(tags=["检查事项 catalog"])


class LegalBasis(Input):
    law: str
    version: str | None = None
    article: SmallCount | None = None
    clause: SmallCount | None = None
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


class ItemIn(Input):
    code: str
    name: str
    domain: str
    legal_basis: list[LegalBasis]
    implementing_unit: str
    content: list[str]
    method_on_site: str = ""
    method_documents: str = ""
    industries: list[str] = []
    offsite_capable: Bool = False
    cross_department: Bool = False
    cross_departments: list[str] = []


class ItemPatch(Input):
    name: str | None = None
    domain: str | None = None
    legal_basis: list[LegalBasis] | None = None
    implementing_unit: str | None = None
    content: list[str] | None = None
    method_on_site: str | None = None
    method_documents: str | None = None
    industries: list[str] | None = None
    offsite_capable: Bool | None = None
    cross_department: Bool | None = None
    cross_departments: list[str] | None = None


class DraftIn(Input):
    number: str
    title: str


class VersionFilingIn(Input):
    filing_date: Date
    filing_doc_no: str


def _version(number: str) -> ItemListVersion:
    return get_object_or_404(ItemListVersion, number=number)


@router.post(
    "/item-versions",
    auth=admin_bearer,
    response={201: VersionOut, 403: Error, 404: Error, 409: Error, 422: Error},
)
def create_draft(request, payload: DraftIn):
    """A draft copying every item of the version in force."""
    current = queries.version_in_force()
    if current is None:
        from fairinspect.core.errors import NotFound

        raise NotFound("尚无现行有效的版本可供起草。")
    return 201, services.draft_from(
        actor=request.user, version=current, number=payload.number, title=payload.title
    )


@router.post(
    "/item-versions/{number}/items",
    auth=admin_bearer,
    response={201: ItemOut, 403: Error, 404: Error, 409: Error, 422: Error},
)
def create_item(request, number: str, payload: ItemIn):
    return 201, services.save_item(
        actor=request.user, version=_version(number), data=payload.dict()
    )


@router.patch(
    "/item-versions/{number}/items/{code}",
    auth=admin_bearer,
    response={200: ItemOut, 403: Error, 404: Error, 409: Error, 422: Error},
)
def update_item(request, number: str, code: str, payload: ItemPatch):
    return services.save_item(
        actor=request.user,
        version=_version(number),
        code=code,
        data=payload.dict(exclude_unset=True),
    )


@router.post(
    "/item-versions/{number}/publish",
    auth=admin_bearer,
    response={200: VersionOut, 403: Error, 404: Error, 409: Error, 422: Error},
)
def publish(request, number: str):
    return services.publish_version(actor=request.user, version=_version(number))


@router.post(
    "/item-versions/{number}/filing",
    auth=admin_bearer,
    response={200: VersionOut, 403: Error, 404: Error, 422: Error},
)
def filing(request, number: str, payload: VersionFilingIn):
    return services.record_filing(
        actor=request.user,
        version=_version(number),
        filing_date=payload.filing_date,
        doc_no=payload.filing_doc_no,
    )


# ------------------------------------------------ the compliance guidance list (R2.4)


class GuidanceEntryOut(Schema):
    code: str
    name: str
    requirement: str
    legal_basis: list[LegalBasis]
    industries: list[str]
    item_codes: list[str]
    violation_codes: list[str]
    common_violations: list[str]
    self_check_points: list[str]
    audiences: list[str]


class GuidanceVersionOut(Schema):
    number: str
    title: str
    status: str
    published_at: dt.datetime | None
    superseded_at: dt.datetime | None


@router.get(
    "/guidance",
    response=list[GuidanceEntryOut],
    auth=None,
    summary="Entries of the compliance guidance list in force (企业行政合规指导清单)",
)
def list_guidance(request, q: str = "", industry: str = ""):
    version = guidance.version_in_force()
    return guidance.search(version, q=q[:50], industry=industry[:5]) if version else []


@router.get("/guidance-versions", response=list[GuidanceVersionOut], auth=None)
def list_guidance_versions(request):
    return list(guidance.public_versions())


@router.get(
    "/guidance-versions/{number}/entries",
    response={200: list[GuidanceEntryOut], 404: Error},
    auth=None,
)
def guidance_version_entries(request, number: str):
    return list(access.get_public_guidance_version(number).entries.order_by("code"))
