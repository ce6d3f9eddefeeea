"""Registry endpoints: tokens, enterprises, officers. Same access and services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.security import HttpBearer

from fairinspect.core import paging
from fairinspect.core.errors import Forbidden, NotFound
from fairinspect.core.roles import Role, has_role
from fairinspect.core.schemas import Bool, Date, Input

from . import access, queries, services
from .auth import client_ip, issue_token, login_with_password, user_for_token
from .models import Enterprise, Officer


class Bearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class RoleBearer(Bearer):
    """A bearer token whose user must hold one of the roles: checked before the body is read,
    so a caller without the role learns nothing about what the body should contain."""

    def __init__(self, *roles: Role):
        super().__init__()
        self.roles = roles

    def authenticate(self, request: HttpRequest, token: str):
        user = super().authenticate(request, token)
        if user is not None and not has_role(user, *self.roles):
            raise Forbidden()
        return user


bearer = Bearer()
admin_bearer = RoleBearer(Role.ADMIN)
auth_router = Router(tags=["认证 auth"])
router = Router(tags=["登记 registry"])


class Error(Schema):
    code: str
    message: str
    field: str | None = None


class TokenIn(Input):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_in_days: int = 30


@auth_router.post("/token", auth=None, response={200: TokenOut, 401: Error, 422: Error})
def obtain_token(request, payload: TokenIn):
    """Exchange a username and password for a bearer token (valid 30 days)."""
    user = login_with_password(
        username=payload.username,
        password=payload.password,
        ip=client_ip(request),
        request=request,
    )
    return {"token": issue_token(user)}


class EnterpriseOut(Schema):
    credit_code: str
    name: str
    address: str
    district_code: str
    industry_code: str = Field(..., alias="industry_id")
    high_risk: bool
    high_risk_override_reason: str
    standardization_grade: Literal[1, 2, 3] | None
    grade_valid_from: dt.date | None
    grade_valid_to: dt.date | None
    risk_level: Literal["major", "high", "general", "low"]
    credit_level: Literal["A", "B", "C", "D"]
    supervising_level: Literal["city", "district"]
    main_person: str
    contact_name: str
    status: str
    # 15-digit 工商注册号 / organisation codes the enterprise had before its credit code.
    former_identifiers: list[str] = []
    updated_at: dt.datetime


class EnterpriseIn(Input):
    credit_code: str
    name: str
    address: str
    district_code: str
    industry_code: str
    high_risk: Bool | None = None
    high_risk_override_reason: str = ""
    standardization_grade: Literal[1, 2, 3] | None = None
    grade_valid_from: Date | None = None
    grade_valid_to: Date | None = None
    risk_level: Literal["major", "high", "general", "low"] = "general"
    credit_level: Literal["A", "B", "C", "D"] = "B"
    supervising_level: Literal["city", "district"]
    main_person: str = ""
    main_person_phone: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    former_identifiers: list[str] = []


class EnterprisePatch(Input):
    name: str | None = None
    address: str | None = None
    district_code: str | None = None
    industry_code: str | None = None
    high_risk: Bool | None = None
    high_risk_override_reason: str | None = None
    standardization_grade: Literal[1, 2, 3] | None = None
    grade_valid_from: Date | None = None
    grade_valid_to: Date | None = None
    risk_level: Literal["major", "high", "general", "low"] | None = None
    credit_level: Literal["A", "B", "C", "D"] | None = None
    supervising_level: Literal["city", "district"] | None = None
    main_person: str | None = None
    main_person_phone: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    former_identifiers: list[str] | None = None


class EnterprisePage(Schema):
    total: int
    # True when more than 1,000 matched: `total` is then estimated (core/paging.py).
    total_estimated: bool = False
    total_capped: bool = False  # the same flag under its old name
    limit: int
    offset: int
    next_cursor: str | None = None
    prev_cursor: str | None = None
    items: list[EnterpriseOut]


def _raw(payload: Schema, *, exclude_unset: bool) -> dict:
    """JSON values as the shared cleaner reads them (it also reads CSV cells)."""
    data = payload.dict(exclude_unset=exclude_unset)
    out = {}
    for k, v in data.items():
        if isinstance(v, bool):
            v = "true" if v else "false"
        elif v is None:
            v = ""
        out[k] = v
    return out


@router.get("/enterprises", response={200: EnterprisePage, 422: Error}, summary="List enterprises")
def list_enterprises(
    request,
    q: str = "",
    district_code: str = "",
    industry_code: str = "",
    high_risk: bool | None = None,
    standardization_grade: Literal["1", "2", "3", "none", ""] = "",
    risk_level: Literal["major", "high", "general", "low", ""] = "",
    supervising_level: Literal["city", "district", ""] = "",
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=paging.MAX_OFFSET),
    cursor: str = Query("", max_length=2000),
):
    """Pages by `cursor` (the `next_cursor` or `prev_cursor` of the page before); `offset`
    still works up to 10,000."""
    access.require_staff(request.user)
    f = queries.EnterpriseFilter(
        q=q[:100],
        district=district_code,
        industry=industry_code[:5],
        high_risk=high_risk,
        grade=standardization_grade,
        risk_level=risk_level,
        supervising_level=supervising_level,
    )
    results = queries.search_results(access.enterprises_visible_to(request.user), f)
    page = results.page(limit, cursor or None, offset=0 if cursor else offset)
    total = results.total()
    return {
        "total": total.n,
        "total_estimated": total.estimated,
        "total_capped": total.estimated,
        "limit": limit,
        "offset": 0 if cursor else offset,
        "next_cursor": page.next_cursor,
        "prev_cursor": page.prev_cursor,
        "items": page.rows,
    }


@router.get("/enterprises/{credit_code}", response={200: EnterpriseOut, 404: Error})
def get_enterprise(request, credit_code: str):
    return access.get_enterprise(request.user, credit_code)


@router.post(
    "/enterprises",
    auth=admin_bearer,
    response={201: EnterpriseOut, 403: Error, 409: Error, 422: Error},
)
def create_enterprise(request, payload: EnterpriseIn):
    access.require_admin(request.user)
    return 201, services.create_enterprise(
        actor=request.user, data=_raw(payload, exclude_unset=False)
    )


@router.patch(
    "/enterprises/{credit_code}",
    auth=admin_bearer,
    response={200: EnterpriseOut, 403: Error, 404: Error, 422: Error},
)
def update_enterprise(request, credit_code: str, payload: EnterprisePatch):
    access.require_admin(request.user)
    ent = access.get_enterprise(request.user, credit_code)
    return services.update_enterprise(
        actor=request.user, enterprise=ent, data=_raw(payload, exclude_unset=True)
    )


class CertificateOut(Schema):
    number: str
    issuer: str
    valid_from: dt.date
    valid_to: dt.date
    scopes: list[str]
    status: str


class OfficerOut(Schema):
    id: int
    name: str
    department_code: str = Field(..., alias="department.code")
    status: str
    post_domains: list[str]
    certificates: list[CertificateOut]


class OfficerIn(Input):
    name: str
    department_code: str
    status: Literal["on_duty", "off_post", "left", "retired"] = "on_duty"
    phone: str = ""
    post_domains: list[str] = []
    certificate_number: str = ""
    issuer: str = ""
    valid_from: Date | None = None
    valid_to: Date | None = None
    scopes: list[str] = []
    certificate_status: Literal["valid", "suspended", "revoked"] = "valid"


class OfficerPage(Schema):
    total: int
    limit: int
    offset: int
    items: list[OfficerOut]


class OfficerPatch(Input):
    name: str | None = None
    department_code: str | None = None
    status: Literal["on_duty", "off_post", "left", "retired"] | None = None
    phone: str | None = None
    post_domains: list[str] | None = None


class CertificateIn(Input):
    certificate_number: str
    issuer: str
    valid_from: Date
    valid_to: Date
    scopes: list[str]
    certificate_status: Literal["valid", "suspended", "revoked"] = "valid"


@router.get("/officers", response=OfficerPage)
def list_officers(
    request,
    q: str = "",
    department_code: str = "",
    status: Literal["on_duty", "off_post", "left", "retired", ""] = "",
    certified_on: dt.date | None = None,
    scope: str = "",
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
):
    """`certified_on` keeps officers holding a certificate in force that day; `scope` one
    whose scope covers that domain (a general scope covers all)."""
    qs = queries.filter_officers(
        access.officers_visible_to(request.user),
        q=q[:50],
        department_code=department_code,
        status=status,
        certified_on=certified_on,
        scope=scope,
    )
    return {
        "total": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": list(qs[offset : offset + limit]),
    }


@router.get("/officers/{officer_id}", response={200: OfficerOut, 404: Error})
def get_officer(request, officer_id: int):
    return access.get_officer(request.user, officer_id)


@router.post(
    "/officers", auth=admin_bearer, response={201: OfficerOut, 403: Error, 409: Error, 422: Error}
)
def create_officer(request, payload: OfficerIn):
    access.require_admin(request.user)
    officer = services.create_officer(actor=request.user, data=payload.dict())
    return 201, Officer.objects.prefetch_related("certificates").get(pk=officer.pk)


@router.patch(
    "/officers/{officer_id}",
    auth=admin_bearer,
    response={200: OfficerOut, 403: Error, 404: Error, 422: Error},
)
def update_officer(request, officer_id: int, payload: OfficerPatch):
    officer = access.get_officer(request.user, officer_id)
    services.update_officer(
        actor=request.user, officer=officer, data=payload.dict(exclude_unset=True)
    )
    return Officer.objects.prefetch_related("certificates").get(pk=officer.pk)


@router.post(
    "/officers/{officer_id}/certificates",
    auth=admin_bearer,
    response={201: OfficerOut, 403: Error, 404: Error, 409: Error, 422: Error},
)
def add_certificate(request, officer_id: int, payload: CertificateIn):
    officer = access.get_officer(request.user, officer_id)
    services.add_certificate(actor=request.user, officer=officer, data=payload.dict())
    return 201, Officer.objects.prefetch_related("certificates").get(pk=officer.pk)


__all__ = ["Enterprise", "NotFound", "auth_router", "bearer", "router"]

from . import api_admin  # noqa: E402, F401  (registers the token and mapping endpoints)
