"""QR: pre-check or transparency card."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fairinspect.core.errors import DomainError, Forbidden
from fairinspect.core.roles import Role, has_role
from fairinspect.registry import access as registry_access
from fairinspect.registry.access import is_staff
from fairinspect.registry.models import Certificate

from .. import access, qr, queries, services
from ..models import Visit
from ._common import _flash


def qr_landing(request, token: str):
    # The session's user came with their department, bureau and officer (registry.backends).
    staff = request.user.is_authenticated and is_staff(request.user)
    # Whether the user may see the enterprise comes with the enterprise's row (one query).
    ent = qr.enterprise_for(
        token, scope=registry_access.enterprise_scope(request.user) if staff else None
    )
    if staff and getattr(ent, "pc_visible", False):
        # Staff who may see the enterprise get the pre-check; everyone else (other districts'
        # staff included) the public transparency card.
        from .field_day import precheck_page

        return precheck_page(request, ent, token=token)
    return _card(request, ent, token=token)


def _card(request, ent, *, token: str):
    today = timezone.localdate()
    visits = [v for v in queries.visits_this_year(ent, today.year) if v.status != "draft"]
    own = (
        request.user.is_authenticated
        and has_role(request.user, Role.ENTERPRISE)
        and request.user.enterprise_id == ent.pk
    )
    rated = set()
    if own:
        from ..models import VisitRating

        rated = set(
            VisitRating.objects.filter(visit__in=[v.pk for v in visits]).values_list(
                "visit_id", flat=True
            )
        )
    cert = (request.GET.get("cert") or "").strip()[:30]
    check = _verify(ent, cert, today) if cert else None
    return render(
        request,
        "visits/card.html",
        {
            "e": ent,
            "visits": visits,
            "own": own,
            "rated": rated,
            "cert": cert,
            "check": check,
            "token": token,
            "year": today.year,
        },
    )


def _verify(ent, number: str, today: dt.date) -> dict:
    c = (
        Certificate.objects.select_related("officer", "officer__department")
        .filter(number=number)
        .first()
    )
    if c is None:
        return {"found": False}
    valid = c.status == "valid" and c.valid_from <= today <= c.valid_to
    on_visit = Visit.objects.filter(
        enterprise=ent, team__officer=c.officer, planned_date__year=today.year
    ).exists()
    return {
        "found": True,
        "name": c.officer.name,
        "department": c.officer.department.name,
        "valid": valid and c.officer.status == "on_duty",
        "valid_to": c.valid_to,
        "on_visit": on_visit,
    }


def my_card(request):
    """The enterprise user's own card (the same page the QR code opens)."""
    if not (request.user.is_authenticated and has_role(request.user, Role.ENTERPRISE)):
        raise Forbidden("只有企业用户可以查看本企业的检查记录。")
    ent = request.user.enterprise
    return _card(request, ent, token=qr.token_for(ent))


def _require_staff_or_own(user) -> None:
    if not (is_staff(user) or (has_role(user, Role.ENTERPRISE) and user.enterprise_id)):
        raise Forbidden("只有本局工作人员或本企业用户可以打印二维码。")


@login_required
def poster(request, credit_code: str):
    # Staff of the enterprises they may see, and the enterprise's own user (its poster to
    # print): get_enterprise reads through enterprises_visible_to, which gives an enterprise
    # user its own enterprise only.
    _require_staff_or_own(request.user)
    ent = registry_access.get_enterprise(request.user, credit_code)
    return render(request, "visits/poster.html", {"e": ent, "url": qr.url_for(ent)})


@login_required
def qr_svg(request, credit_code: str):
    _require_staff_or_own(request.user)
    ent = registry_access.get_enterprise(request.user, credit_code)
    resp = HttpResponse(qr.svg_for(ent), content_type="image/svg+xml")
    resp["Cache-Control"] = "private, max-age=300"
    return resp


@login_required
@require_POST
def revoke_qr(request, credit_code: str):
    registry_access.require_admin(request.user)
    ent = registry_access.get_enterprise(request.user, credit_code)
    from fairinspect.registry.services import revoke_qr as revoke

    revoke(actor=request.user, enterprise=ent)
    messages.success(request, _("旧二维码已作废，请打印新的二维码张贴。"))
    return redirect("visits:poster", credit_code)


@require_POST
def rate(request, visit_id: int):
    if not request.user.is_authenticated:
        raise Forbidden()
    v = access.get_visit(request.user, visit_id, staff_only=False)
    try:
        services.rate_visit(
            actor=request.user,
            visit=v,
            score=request.POST.get("score"),
            comment=request.POST.get("comment", ""),
        )
        messages.success(request, _("感谢您的评价。评价只有监督人员可见，检查单位看不到。"))
    except DomainError as exc:
        _flash(request, exc)
    return redirect("visits:my_card")
