"""The justification's attachment."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required

from fairinspect.core.errors import NotFound

from .. import access, services
from ..models import Visit
from .visit_page import _action

ATTACHMENT_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".png": "image/png"}


def attachment_response(v: Visit):
    """The stored attachment, always as a download (never rendered by the browser on our
    origin): Content-Disposition attachment, X-Content-Type-Options nosniff, a sandboxing CSP,
    and the type from the extension the server chose from the file's bytes."""
    from django.http import FileResponse

    f = v.justification_attachment
    if not f:
        raise NotFound("本次检查没有依据附件。")
    ext = "." + f.name.rsplit(".", 1)[-1].lower()
    try:
        handle = f.open("rb")
    except FileNotFoundError:
        raise NotFound("依据附件文件不存在。") from None
    resp = FileResponse(
        handle,
        as_attachment=True,
        filename=f"依据附件-{v.pk}{ext}",
        content_type=ATTACHMENT_TYPES.get(ext, "application/octet-stream"),
    )
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Security-Policy"] = "default-src 'none'; sandbox"
    resp["Cache-Control"] = "private, no-store"
    return resp


@login_required
def justification_attachment(request, visit_id: int):
    v = access.get_visit(request.user, visit_id)
    return attachment_response(v)


@_action
def attach_justification(request, v):
    services.attach_justification(
        actor=request.user, visit=v, upload=request.FILES.get("justification_attachment")
    )
    return "依据附件已上传。"
