"""The published checkpoints over the API (public, like the page)."""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema

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
    after: int = 0
    limit: int = 100


@router.get(
    "/audit/checkpoints",
    response=list[CheckpointOut],
    auth=None,
    summary="Signed checkpoints of the audit chains, newest first",
)
def list_checkpoints(request, filters: Query[CheckpointFilter]):
    limit = max(1, min(filters.limit, 1000))
    return [as_json(cp) for cp in queries.checkpoints(after=max(filters.after, 0))[:limit]]
