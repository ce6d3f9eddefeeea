"""Conflicts of interest (回避)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fairinspect.core import paging
from fairinspect.core.errors import DomainError
from fairinspect.core.roles import Role, has_role

from ._common import _act


@login_required
@require_http_methods(["GET", "POST"])
def conflicts(request):
    """Officers declare their own 回避 (the administrator for anyone); approvers, supervisors
    and the administrator see the declarations of their bureau's officers."""
    from .. import conflicts as cf
    from ..models import OfficerConflict

    user = request.user
    may_declare = has_role(user, Role.ADMIN) or cf.officer_of(user) is not None
    if not (may_declare or cf.can_review(user)):
        from fairinspect.core.errors import Forbidden

        raise Forbidden("只有执法人员、审批负责人、监督人员或管理员可以查看回避登记。")
    error = None
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            c = cf.declare(actor=user, data=request.POST.dict())
        except DomainError as exc:
            error = exc
        else:
            messages.success(
                request,
                _("已登记：%(officer)s对%(enterprise)s回避。此后公布的执法人员名录库将排除该组合。")
                % {"officer": c.officer.name, "enterprise": c.enterprise.name},
            )
            return redirect("planning:conflicts")
    qs = cf.conflicts_visible_to(user)
    q = (request.GET.get("q") or "").strip()[:50]
    kind = request.GET.get("kind", "")
    if q:
        from django.db.models import Q

        qs = qs.filter(
            Q(officer__name__icontains=q)
            | Q(enterprise__name__icontains=q)
            | Q(enterprise__credit_code__icontains=q)
        )
    if kind in OfficerConflict.Kind.values:
        qs = qs.filter(kind=kind)
    page = paging.paginate(request, qs, scope="planning.conflicts", per_page=30)
    from fairinspect.registry.models import Officer

    return render(
        request,
        "planning/conflicts.html",
        {
            "page": page,
            "q": q,
            "kind": kind,
            "kinds": OfficerConflict.Kind.choices,
            "may_declare": may_declare,
            "is_admin": has_role(user, Role.ADMIN),
            "me": cf.officer_of(user),
            "officers": (
                Officer.objects.select_related("department").order_by("department__code", "name")[
                    :500
                ]
                if has_role(user, Role.ADMIN)
                else []
            ),
            "values": values,
            "error": error,
        },
        status=422 if error else 200,
    )


@login_required
@require_POST
def conflict_withdraw(request, conflict_id: int):
    from .. import conflicts as cf

    if _act(
        request,
        lambda: cf.withdraw(
            actor=request.user, conflict_id=conflict_id, reason=request.POST.get("reason", "")
        ),
        "回避登记已撤销。",
    ):
        pass
    return redirect("planning:conflicts")
