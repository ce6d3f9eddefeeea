"""Recordings and media (R6.3)."""

from __future__ import annotations

import datetime as dt

from ninja import File, Form, Schema
from ninja.files import UploadedFile

from fairinspect.core.errors import ValidationFailed
from fairinspect.core.schemas import (
    DateTime,
    Input,
)
from fairinspect.registry.api import Error

from .. import access, services
from ._common import Refusal, officer_bearer, router


class RecordingIn(Input):
    device: str
    started_at: DateTime | None = None


class RecordingEndIn(Input):
    ended_at: DateTime | None = None


class MediaOut(Schema):
    id: int
    original_name: str
    sha256: str
    size: int
    content_type: str
    recording_id: int | None
    finding_id: int | None
    uploaded_at: dt.datetime


class RecordingOut(Schema):
    id: int
    device: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    files: list[MediaOut] = []


def _media_out(m) -> dict:
    return {
        "id": m.pk,
        "original_name": m.original_name,
        "sha256": m.sha256,
        "size": m.size,
        "content_type": m.content_type,
        "recording_id": m.recording_id,
        "finding_id": m.finding_id,
        "uploaded_at": m.uploaded_at,
    }


def _recording_out(r) -> dict:
    return {
        "id": r.pk,
        "device": r.device,
        "started_at": r.started_at,
        "ended_at": r.ended_at,
        "files": [_media_out(m) for m in r.files.all()],
    }


@router.post(
    "/visits/{visit_id}/recordings",
    auth=officer_bearer,
    response={201: RecordingOut, 403: Error, 404: Error, 409: Refusal, 422: Error},
)
def start_recording(request, visit_id: int, payload: RecordingIn):
    """The team registers the 执法记录仪 started for the visit (visit in progress)."""
    v = access.get_visit(request.user, visit_id)
    r = services.start_recording(
        actor=request.user, visit=v, device=payload.device, started_at=payload.started_at
    )
    return 201, _recording_out(r)


@router.post(
    "/visits/{visit_id}/recordings/{recording_id}/end",
    auth=officer_bearer,
    response={200: RecordingOut, 403: Error, 404: Error, 422: Error},
)
def end_recording(request, visit_id: int, recording_id: int, payload: RecordingEndIn):
    v = access.get_visit(request.user, visit_id)
    r = access.get_recording(request.user, v, recording_id)
    r = services.end_recording(actor=request.user, recording=r, ended_at=payload.ended_at)
    return _recording_out(r)


@router.get(
    "/visits/{visit_id}/recordings",
    response={200: list[RecordingOut], 403: Error, 404: Error},
)
def list_recordings(request, visit_id: int):
    v = access.get_visit(request.user, visit_id)
    return [_recording_out(r) for r in v.recordings.prefetch_related("files")]


@router.post(
    "/visits/{visit_id}/media",
    auth=officer_bearer,
    response={201: MediaOut, 403: Error, 404: Error, 422: Error},
)
def upload_media(
    request,
    visit_id: int,
    file: File[UploadedFile],
    recording_id: Form[int | None] = None,
    finding_id: Form[int | None] = None,
):
    """Multipart upload of a recording file or a finding photo (`file`, optional
    `recording_id` or `finding_id`). The server computes the SHA-256 and reads the file's first
    bytes to decide its type (the name's extension must agree); refused beyond the size limit."""
    v = access.get_visit(request.user, visit_id)
    rec = finding = None
    if recording_id is not None:
        rec = v.recordings.filter(pk=recording_id).first()
        if rec is None:
            raise ValidationFailed(
                "recording_not_found", "执法记录不属于本次检查。", field="recording_id"
            )
    if finding_id is not None:
        finding = v.findings.filter(pk=finding_id).first()
        if finding is None:
            raise ValidationFailed(
                "finding_not_found", "检查结果不属于本次检查。", field="finding_id"
            )
    m = services.upload_media(
        actor=request.user, visit=v, upload=file, recording=rec, finding=finding
    )
    return 201, _media_out(m)
