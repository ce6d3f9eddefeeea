"""Documents."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from fairinspect.core.errors import NotFound
from fairinspect.registry import access as registry_access

from .. import access, documents
from ._common import DOCX


def _docx(content: bytes, name: str) -> HttpResponse:
    from urllib.parse import quote

    resp = HttpResponse(content, content_type=DOCX)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


@login_required
def document(request, visit_id: int, kind: str):
    v = access.get_visit(request.user, visit_id)
    if kind == "plan":
        return _docx(documents.plan_docx(v), f"现场检查方案-{v.pk}.docx")
    if kind == "record" and v.status == "done":
        return _docx(documents.record_docx(v), f"现场检查记录-{v.pk}.docx")
    if kind == "guidance" and v.guidance_given.exists():
        return _docx(documents.guidance_docx(v), f"安全生产合规指导告知书-{v.pk}.docx")
    if kind == "review" and v.follow_up_result:
        return _docx(documents.review_docx(v), f"整改复查意见书-{v.pk}.docx")

    raise NotFound("该文书尚未生成。")


@login_required
def order_document(request, order_id: int):
    registry_access.require_staff(request.user)
    o = access.get_order(request.user, order_id)
    return _docx(documents.order_docx(o), f"责令限期整改指令书-{o.pk}.docx")
