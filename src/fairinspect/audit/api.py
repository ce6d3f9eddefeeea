"""The published checkpoints over the API (public, like the page)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from fairinspect.core import paging
from fairinspect.registry.api import Error

from . import queries
from .checkpoints import as_json

router = Router(tags=["审计 audit"])


class HeadOut(Schema):
    chain: str
    length: int
    head: str


class CheckpointOut(Schema):
    seq: int
    at: dt.datetime
    heads: list[HeadOut]
    chains_total: int
    events_total: int
    prev_mac: str
    key_id: str
    mac: str


class CheckpointFilter(Schema):
    after: int = Field(0, ge=0, le=2**62, description="keep checkpoints numbered above this")
    limit: int = Field(100, ge=1, le=1000)


@router.get(
    "/audit/checkpoints",
    response=list[CheckpointOut],
    auth=None,
    summary="Signed checkpoints of the audit chains, newest first",
)
def list_checkpoints(request, filters: Query[CheckpointFilter]):
    return [as_json(cp) for cp in queries.checkpoints(after=filters.after)[: filters.limit]]


class AuditEventOut(Schema):
    id: int
    at: dt.datetime
    actor_name: str
    action: str
    object_type: str
    object_id: str
    summary: str
    chain: str = Field(..., alias="chain.key")
    seq: int
    hash: str


class AuditEventPage(paging.PageOut):
    items: list[AuditEventOut]


@router.get(
    "/audit/events",
    response={200: AuditEventPage, 403: Error, 422: Error},
    summary="The audit trail, newest first (supervisors; by cursor)",
)
def list_events(
    request,
    object_filter: str = Query(
        "", alias="object", max_length=120, description='"type" or "type:id"'
    ),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=paging.MAX_OFFSET),
    cursor: str = Query("", max_length=2000),
):
    from fairinspect.supervision import access

    access.require_supervisor(request.user)
    return paging.api_page(
        queries.events(object_filter=object_filter),
        queries.EVENT_ORDER,
        scope=queries.EVENT_SCOPE,
        limit=limit,
        cursor=cursor,
        offset=offset,
    )
