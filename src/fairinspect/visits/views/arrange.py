"""Officers: my visits, new visit."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from fairinspect.catalog.queries import items_in_force
from fairinspect.core import paging
from fairinspect.core.errors import DomainError
from fairinspect.registry import access as registry_access
from fairinspect.registry.models import Officer

from .. import access, guidance, queries, services
from ..models import Visit
from ._common import _back, _flash

# The visit lists page by keyset (core/paging.py) in this order.
ORDER = ("-planned_date", "-id")
SCOPE = "visits.list"


def visit_list(user, *, scope: str, status: str):
    """The visits of the list page and of `GET /api/v1/visits`, unordered: "mine" (the
    officer's team), "approve" (waiting for approval) or "all" the user may see."""
    officer = services.officer_of(user)
    qs = access.visits_visible_to(user).select_related("enterprise", "department")
    if scope == "mine" and officer:
        qs = qs.filter(team__officer=officer)
    elif scope == "approve":
        qs = qs.filter(status="plan_submitted")
    if status:
        qs = qs.filter(status=status)
    return qs


@login_required
def my_visits(request):
    registry_access.require_staff(request.user)
    officer = services.officer_of(request.user)
    status = request.GET.get("status", "")
    scope = request.GET.get("scope", "mine" if officer else "all")
    qs = visit_list(request.user, scope=scope, status=status)
    page = paging.paginate(request, qs, ORDER, scope=SCOPE, per_page=30)
    return render(
        request,
        "visits/my_visits.html",
        {
            "page": page,
            "params": page.params,
            "status": status,
            "scope": scope,
            "statuses": Visit.Status.choices,
        },
    )


@login_required
def new_visit(request):
    access.require_officer(request.user)
    credit_code = request.GET.get("enterprise") or request.POST.get("enterprise", "")
    ent = registry_access.get_enterprise(request.user, credit_code) if credit_code else None
    officers = Officer.objects.filter(status="on_duty").select_related("department")
    if request.user.department_id:
        officers = officers.filter(department__in=_my_bureau_departments(request.user))
    ctx = {
        "e": ent,
        "items": items_in_force(),
        "officers": officers.order_by("department__code", "name")[:300],
        "triggers": Visit._meta.get_field("trigger").choices,
        "justification_kinds": Visit._meta.get_field("justification_kind").choices,
        "entry_kinds": guidance.entry_kinds().values(),
        "me": services.officer_of(request.user),
        "today": timezone.localdate(),
        "data": request.POST,
    }
    # What was typed stays after a refusal: the date as typed, every ticked item and officer.
    me = ctx["me"]
    if request.method == "POST":
        ctx["planned_value"] = request.POST.get("planned_date", "")
        ctx["chosen_items"] = set(request.POST.getlist("item_codes"))
        ctx["chosen_officers"] = {i for i in request.POST.getlist("officer_ids") if i.isdigit()}
    else:
        ctx["planned_value"] = ctx["today"].isoformat()
        ctx["chosen_items"] = set()
        ctx["chosen_officers"] = {str(me.pk)} if me else set()
    if ent is not None:
        # Told before planning: would approval refuse an ordinary on-site visit (cap, R5.3)?
        ctx["forecast"] = queries.planning_forecast(
            ent, department=request.user.department, today=ctx["today"]
        )
    if request.method == "POST" and ent is not None:
        p = request.POST
        try:
            planned = dt.date.fromisoformat(p.get("planned_date", ""))
        except ValueError:
            messages.error(request, _("计划检查日期：格式应为 YYYY-MM-DD。"))
            return render(request, "visits/new.html", ctx, status=422)
        typed = p.get("justification_date", "").strip()
        if typed and not _is_iso_date(typed):
            # A wrong type is named before the justification's other rules are applied.
            messages.error(request, _("justification_date：依据日期格式应为 YYYY-MM-DD。"))
            return render(request, "visits/new.html", ctx, status=422)
        upload = request.FILES.get("justification_attachment")
        try:
            if upload is not None:
                services.check_justification_file(upload)  # refused before anything is saved
            with transaction.atomic():
                v = _create_from_form(request, ent, p, planned, upload)
        except DomainError as exc:
            _flash(request, exc)
            return render(request, "visits/new.html", ctx, status=422)
        messages.success(
            request, _("检查已安排，现场检查方案已按事项和企业情况起草，请完善后提交审批。")
        )
        return _back(v.pk)
    return render(request, "visits/new.html", ctx)


def _is_iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _create_from_form(request, ent, p, planned, upload):
    v = services.create_visit(
        actor=request.user,
        enterprise=ent,
        kind=p.get("kind", "on_site"),
        trigger=p.get("trigger", ""),
        planned_date=planned,
        item_codes=p.getlist("item_codes"),
        officer_ids=[int(i) for i in p.getlist("officer_ids") if i.isdigit()],
        justification={
            "kind": p.get("justification_kind", ""),
            "reference": p.get("justification_reference", ""),
            "date": p.get("justification_date", ""),
            "summary": p.get("justification_summary", ""),
        },
        entry_kind=p.get("entry_kind", "inspection"),
    )
    if upload is not None:
        services.attach_justification(actor=request.user, visit=v, upload=upload)
    return v


def _my_bureau_departments(user):
    from fairinspect.registry.models import Department

    bureau = user.department.bureau
    return Department.objects.filter(pk=bureau.pk) | Department.objects.filter(parent=bureau)
