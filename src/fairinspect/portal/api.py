"""API of the public site (R13.2): published items for anyone (no token); drafting,
publishing and withdrawing for staff."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from fairinspect.core.schemas import DateTime, Input

from . import access, services
from .models import Article

router = Router(tags=["公开网站 public site"])


class PortalError(Schema):
    code: str
    message: str
    field: str | None = None


ERRORS = {401: PortalError, 403: PortalError, 404: PortalError, 409: PortalError, 422: PortalError}


class PortalArticleOut(Schema):
    id: int
    kind: str
    title: str
    summary: str
    body: str
    source: str
    status: str
    published_at: dt.datetime | None
    attachments: list[dict]


class PortalArticleIn(Input):
    kind: str = Field(pattern="^(news|policy|case)$")
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field("", max_length=500)
    body: str = Field("", max_length=200_000)
    source: str = Field("", max_length=100)


class PortalPublishIn(Input):
    at: DateTime | None = None


class PortalWithdrawIn(Input):
    reason: str = Field(min_length=1, max_length=500)


def _out(a: Article) -> dict[str, Any]:
    return {
        "id": a.pk,
        "kind": a.kind,
        "title": a.title,
        "summary": a.summary,
        "body": a.body,
        "source": a.source,
        "status": a.status,
        "published_at": a.published_at,
        "attachments": [
            {"id": f.pk, "name": f.original_name, "size": f.size, "sha256": f.sha256}
            for f in a.attachments.all()
        ],
    }


@router.get(
    "/public/articles",
    response={200: list[PortalArticleOut], **ERRORS},
    auth=None,
    summary="Published news, policies and typical cases, newest first (no token)",
)
def public_list(request, kind: str = ""):
    return [_out(a) for a in access.public_articles(kind or None)[:100]]


@router.get(
    "/public/articles/{article_id}",
    response={200: PortalArticleOut, **ERRORS},
    auth=None,
    summary="One published item (no token); drafts, scheduled and withdrawn items are 404",
)
def public_get(request, article_id: int):
    return _out(get_object_or_404(access.public_articles(), pk=article_id))


@router.post(
    "/articles",
    response={201: PortalArticleOut, **ERRORS},
    summary="Draft an item (staff); the body is sanitised",
)
def create(request, payload: PortalArticleIn):
    a = services.create_article(actor=request.user, **payload.dict())
    return 201, _out(a)


@router.post(
    "/articles/{article_id}/publish",
    response={200: PortalArticleOut, **ERRORS},
    summary="Publish now or at a stated time (administrator or approver)",
)
def publish(request, article_id: int, payload: PortalPublishIn):
    access.require_writer(request.user)
    a = get_object_or_404(Article, pk=article_id)
    return _out(services.publish_article(actor=request.user, article=a, at=payload.at))


@router.post(
    "/articles/{article_id}/withdraw",
    response={200: PortalArticleOut, **ERRORS},
    summary="Withdraw a published item with a reason (administrator or approver)",
)
def withdraw(request, article_id: int, payload: PortalWithdrawIn):
    access.require_writer(request.user)
    a = get_object_or_404(Article, pk=article_id)
    return _out(services.withdraw_article(actor=request.user, article=a, reason=payload.reason))
