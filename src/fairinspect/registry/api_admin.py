"""Registry endpoints for tokens and import mappings (issue 8 item 8, issue 15 item 3).

Registered on the routers of api.py (imported at its end), each action with its own schema.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import File, Schema
from ninja.files import UploadedFile

from fairinspect.core.errors import NotFound
from fairinspect.core.schemas import Bool, Input

from . import access, mappings
from .api import Error, admin_bearer, auth_router, router
from .auth import revoke_token, token_state, tokens_visible_to
from .models import ImportMapping


class TokenInfo(Schema):
    id: int
    username: str
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    state: Literal["active", "revoked", "expired", "password_changed"]


def _token_info(t) -> dict:
    return {
        "id": t.pk,
        "username": t.user.username,
        "name": t.name,
        "prefix": t.prefix,
        "created_at": t.created_at,
        "expires_at": t.expires_at,
        "last_used_at": t.last_used_at,
        "revoked_at": t.revoked_at,
        "state": token_state(t),
    }


@auth_router.get("/tokens", response=list[TokenInfo], summary="List API tokens")
def list_tokens(request):
    """The caller's tokens; an administrator's call lists everyone's."""
    return [_token_info(t) for t in tokens_visible_to(request.user)[:500]]


@auth_router.delete(
    "/tokens/{token_id}",
    response={200: TokenInfo, 403: Error, 404: Error},
    summary="Revoke an API token",
)
def delete_token(request, token_id: int):
    """Revoke one token (its owner or an administrator); revoking the token in use works."""
    return _token_info(revoke_token(actor=request.user, token_id=token_id))


class MappingOut(Schema):
    source: str
    name: str
    columns: dict[str, str]
    defaults: dict[str, str]
    flags_missing: bool
    updated_at: dt.datetime


class MappingIn(Input):
    name: str
    columns: dict[str, str]
    defaults: dict[str, str] = {}
    flags_missing: Bool = True


class PreviewColumn(Schema):
    header: str
    field: str
    label: str


class PreviewError(Schema):
    row: int
    field: str
    column: str
    code: str
    value: str
    message: str


class PreviewNote(Schema):
    row: int
    field: str
    value: str
    message: str


class PreviewRow(Schema):
    row: int
    action: Literal["create", "update", "unchanged", "refused"]
    values: dict[str, str]
    errors: list[PreviewError]
    notes: list[PreviewNote]


class PreviewOut(Schema):
    total_rows: int
    columns: list[PreviewColumn]
    missing_fields: list[str]
    rows: list[PreviewRow]


@router.get(
    "/import-mappings",
    auth=admin_bearer,
    response={200: list[MappingOut], 403: Error},
    summary="List import column mappings",
)
def list_mappings(request):
    access.require_admin(request.user)
    return list(ImportMapping.objects.all())


@router.put(
    "/import-mappings/{source}",
    auth=admin_bearer,
    response={200: MappingOut, 403: Error, 422: Error},
    summary="Create or replace a source's column mapping",
)
def put_mapping(request, source: str, payload: MappingIn):
    access.require_admin(request.user)
    return mappings.save_mapping(
        actor=request.user,
        source=source[:50],
        name=payload.name,
        columns=payload.columns,
        defaults=payload.defaults,
        flags_missing=payload.flags_missing,
    )


@router.post(
    "/import-mappings/{source}/preview",
    auth=admin_bearer,
    response={200: PreviewOut, 403: Error, 404: Error, 422: Error},
    summary="Preview how a file reads under a mapping",
)
def preview_mapping(request, source: str, file: UploadedFile = File(...)):  # noqa: B008
    """The first ten rows of an uploaded .csv/.xlsx as the import would read them (nothing
    is stored)."""
    access.require_admin(request.user)
    mapping = ImportMapping.objects.filter(source=source).first()
    if mapping is None:
        raise NotFound()
    return mappings.preview(file_name=file.name or "", data=file.read(), mapping=mapping)
