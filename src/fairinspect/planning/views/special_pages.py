"""Special inspections."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fairinspect.core.errors import DomainError
from fairinspect.registry.tabular import write_xlsx

from .. import access, queries, services
from ..models import SpecialInspection, SpecialQuota
from ._common import XLSX, _act, _can_approve, _can_plan


@login_required
@require_http_methods(["GET", "POST"])
def special_list(request):
    return _special_list_page(request)


def _special_list_page(request, *, posted=None):
    """The special inspections; with `posted` (a refused quota form) the form shows what was
    typed and the page answers 422."""
    qs = access.specials_visible_to(request.user)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    bureau = access.bureau_of(request.user)
    this_year = timezone.localdate().year
    quota = (
        SpecialQuota.objects.filter(department=bureau, year=this_year).first() if bureau else None
    )
    return render(
        request,
        "planning/special_list.html",
        {
            "specials": qs,
            "year": year,
            "quota": quota,
            "used": queries.special_used(bureau, this_year) if bureau else 0,
            "this_year": this_year,
            "can_approve": bureau is not None and _can_approve(request.user, bureau),
            "posted": posted,
        },
        status=422 if posted is not None else 200,
    )


@login_required
def special_ledger(request):
    qs = access.specials_visible_to(request.user)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    data = write_xlsx(queries.LEDGER_LABELS, queries.special_ledger(qs), "专项检查台账")
    resp = HttpResponse(data, content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="special-inspections-{year or "all"}.xlsx"'
    return resp


@login_required
@require_POST
def special_quota(request):
    # Without a bureau, require_planner refuses with the reason.
    bureau = access.bureau_of(request.user) or access.require_planner(request.user)
    done = _act(
        request,
        lambda: services.set_special_quota(
            actor=request.user, department=bureau, data=request.POST
        ),
        "已设定年度专项检查限额。",
    )
    if not done:
        return _special_list_page(request, posted=request.POST)
    return redirect("planning:special_list")


@login_required
@require_http_methods(["GET", "POST"])
def special_create(request):
    access.require_planner(request.user)
    error = None
    if request.method == "POST":
        data = request.POST.dict()
        data["enterprises"] = [
            c
            for c in request.POST.get("enterprises", "")
            .replace("，", ",")
            .replace("\n", ",")
            .split(",")
        ]
        try:
            s = services.create_special(actor=request.user, data=data)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("已起草。请提交单位负责人审批。"))
            return redirect("planning:special_detail", s.pk)
    return render(
        request,
        "planning/special_form.html",
        {"values": request.POST, "error": error, "kinds": SpecialInspection.Kind.choices},
        status=422 if error else 200,
    )


@login_required
def special_detail(request, special_id: int):
    s = access.get_special(request.user, special_id)
    return render(
        request,
        "planning/special_detail.html",
        {
            "s": s,
            "can_plan": _can_plan(request.user, s.department),
            "can_approve": _can_approve(request.user, s.department),
            "approval": access.approval(request.user, access.special_duty(s)),
        },
    )


SPECIAL_ACTIONS = {
    "submit": (lambda u, s, p: services.submit_special(actor=u, special=s), "已提交审批。"),
    "approve": (
        lambda u, s, p: services.decide_special(
            actor=u, special=s, approve=True, note=p.get("note", "")
        ),
        "已批准并登记台账。",
    ),
    "reject": (
        lambda u, s, p: services.decide_special(
            actor=u, special=s, approve=False, note=p.get("note", "")
        ),
        "已不予批准。",
    ),
    "announce": (
        lambda u, s, p: services.announce_special(actor=u, special=s),
        "已在公开网站公告。",
    ),
}


@login_required
@require_POST
def special_action(request, special_id: int, action: str):
    s = access.get_special(request.user, special_id)
    fn, msg = SPECIAL_ACTIONS.get(action, (None, ""))
    if fn is None:
        return HttpResponse(status=404)
    _act(request, lambda: fn(request.user, s, request.POST), msg)
    return redirect("planning:special_detail", s.pk)
