"""谁执法谁普法 (R2.4)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from fairinspect.core.errors import Forbidden, NotFound
from fairinspect.registry import access as registry_access

from .. import access, documents, guidance
from ..models import Visit
from .downloads import _docx


@login_required
def guidance_received(request):
    """The enterprise's own record of the guidance it received, visit by visit."""
    if not request.user.enterprise_id:
        raise Forbidden("只有企业用户可以查看本企业接受的普法指导。")
    rows = list(guidance.received_by(request.user.enterprise_id))
    return render(request, "visits/guidance_received.html", {"rows": rows})


@login_required
def guidance_sheet_mine(request, visit_id: int):
    """The enterprise downloads the 合规指导告知书 of one of its own visits."""
    v = Visit.objects.select_related("enterprise").filter(pk=visit_id).first()
    if v is None or not request.user.enterprise_id or v.enterprise_id != request.user.enterprise_id:
        raise NotFound("没有这份普法告知书。")
    if not v.guidance_given.exists():
        raise NotFound("该次检查未记录普法指导内容。")
    return _docx(documents.guidance_docx(v), f"安全生产合规指导告知书-{v.pk}.docx")


@login_required
def guidance_activity(request):
    """Guidance given per year and per enterprise, for supervisors: activity, never a target
    and never per officer (R8.6, 严禁下达检查指标)."""
    if not access.can_see_ratings(request.user):
        raise Forbidden("只有监督人员可以查看普法指导情况。")
    enterprises = registry_access.enterprises_visible_to(request.user)
    years = guidance.activity_by_year(enterprises)
    try:
        year = int(
            request.GET.get("year") or (years[0]["year"] if years else timezone.localdate().year)
        )
    except ValueError:
        year = timezone.localdate().year
    return render(
        request,
        "visits/guidance_activity.html",
        {"years": years, "year": year, "rows": guidance.activity_by_enterprise(enterprises, year)},
    )
