"""Documents."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from fairinspect.core.errors import Forbidden, NotFound
from fairinspect.registry import access as registry_access

from .. import access, documents
from ._common import DOCX


def _docx(content: bytes, name: str) -> HttpResponse:
    from urllib.parse import quote

    resp = HttpResponse(content, content_type=DOCX)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


# The documents served on the enterprise (its own visits only, through visits_visible_to);
# the 现场检查方案 is the bureau's internal plan and stays with staff.
SERVED_ON_ENTERPRISE = ("record", "guidance", "review")


@login_required
def document(request, visit_id: int, kind: str):
    staff = registry_access.is_staff(request.user)
    if not staff and kind not in SERVED_ON_ENTERPRISE:
        raise Forbidden("现场检查方案是本局的内部文书。")
    v = access.get_visit(request.user, visit_id, staff_only=staff or kind == "plan")
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
    # Staff of the enterprises they may see; the enterprise user its own orders only
    # (access.get_order reads through visits_visible_to).
    o = access.get_order(request.user, order_id)
    return _docx(documents.order_docx(o), f"责令限期整改指令书-{o.pk}.docx")
