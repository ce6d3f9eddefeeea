"""Evidence files of a visit (issue 12): the resized copy for the page and the original as
uploaded, each only through a view that checks access to the visit (never from MEDIA_URL)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse

from fairinspect.core.errors import NotFound

from .. import access
from ..models import MediaFile


@login_required
def media_file(request, visit_id: int, media_id: int, size: str):
    v = access.get_visit(request.user, visit_id)
    m = MediaFile.objects.filter(visit=v, pk=media_id).first()
    if m is None:
        raise NotFound()
    f = m.thumbnail if size == "thumb" and m.thumbnail else m.file
    try:
        handle = f.open("rb")
    except FileNotFoundError:
        raise NotFound("文件不存在。") from None
    is_thumb = f is m.thumbnail
    resp = FileResponse(
        handle,
        as_attachment=not is_thumb,
        filename=m.original_name,
        content_type="image/jpeg" if is_thumb else m.content_type,
    )
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Security-Policy"] = "default-src 'none'; sandbox"
    resp["Cache-Control"] = "private, max-age=3600"
    return resp
