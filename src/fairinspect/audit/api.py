"""The published checkpoints over the API (public, like the page)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

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
