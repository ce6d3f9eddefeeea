"""Pages of the serious-dishonesty list (R10.2, 应急管理部令第11号): the staff list with its
steps (notice, statement, decision, removal), the notice (.docx), the party's statement and
early-removal application, the approver's proposal, and the public list of decisions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fairinspect.core.errors import DomainError, NotFound
from fairinspect.core.roles import Role, has_role

from . import access, documents, services
from .models import DishonestyListing
from .views import _today


@login_required
@require_POST
def listing_act(request, listing_id: int, action: str):
    listing = get_object_or_404(access.listings_visible_to(request.user), pk=listing_id)
    try:
        note = request.POST.get("note", "")
        if action == "notify":
            services.notify_listing(actor=request.user, listing=listing, on=_today())
        elif action == "statement":
            services.submit_listing_statement(
                actor=request.user,
                listing=listing,
                statement=request.POST.get("statement", ""),
                hearing=request.POST.get("hearing") in ("on", "1", "true"),
                on=_today(),
            )
        elif action == "list":
            services.list_dishonest(actor=request.user, listing=listing, on=_today(), note=note)
        elif action == "decline":
            services.decline_listing(actor=request.user, listing=listing, on=_today(), note=note)
        elif action in ("remove", "remove_early"):
            reason = request.POST.get("reason", "").strip()
            if action == "remove" and not reason:
                reason = services.EXPIRY_REASON
            services.remove_dishonest(
                actor=request.user,
                listing=listing,
                on=_today(),
                reason=reason,
                early=action == "remove_early",
            )
        else:
            raise NotFound()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已办理。"))
    return redirect("cases:dishonesty_list")


@login_required
def dishonesty_list(request):
    listings = (
        access.listings_visible_to(request.user)
        .select_related("enterprise", "case")
        .prefetch_related("removal_applications")
    )
    today = _today()
    can_list = has_role(request.user, Role.APPROVER)
    rows = [
        (
            x,
            access.listing_decision(request.user, x, today)
            if can_list and x.status == "notified"
            else None,
            access.removal_decision(request.user, x) if can_list and x.status == "listed" else None,
        )
        for x in listings
    ]
    return render(
        request,
        "cases/dishonesty_list.html",
        {
            "rows": rows,
            "can_list": can_list,
            "can_notify": has_role(request.user, Role.OFFICER, Role.APPROVER),
            "can_record": has_role(request.user, Role.OFFICER),
            "today": today,
        },
    )


def _docx(name: str, data: bytes, fallback: str) -> HttpResponse:
    from urllib.parse import quote

    resp = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    resp["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    )
    return resp


@login_required
def listing_notice(request, listing_id: int):
    """The listing notice (.docx) for staff of the bureau that may see the enterprise."""
    listing = get_object_or_404(access.listings_visible_to(request.user), pk=listing_id)
    name, data = documents.build_listing_notice(listing)
    return _docx(name, data, f"listing-{listing.pk}-notice.docx")


@login_required
def my_listing_notice(request, listing_id: int):
    """The same notice, served on the party (the enterprise's own user)."""
    listing = get_object_or_404(access.party_listings(request.user), pk=listing_id)
    name, data = documents.build_listing_notice(listing)
    return _docx(name, data, f"listing-{listing.pk}-notice.docx")


@login_required
@require_POST
def my_listing_statement(request, listing_id: int):
    """The party states its case against the proposed listing (陈述、申辩), within the period."""
    listing = get_object_or_404(access.party_listings(request.user), pk=listing_id)
    try:
        services.submit_listing_statement(
            actor=request.user,
            listing=listing,
            statement=request.POST.get("statement", ""),
            hearing=request.POST.get("hearing") in ("on", "1", "true"),
            on=_today(),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("陈述、申辩已提交，单位负责人将复核后作出决定。"))
    return redirect("cases:my_cases")


def dishonesty_public(request):
    """The published serious-dishonesty list (R10.2): units only, while listed."""
    listings = (
        DishonestyListing.objects.filter(status="listed")
        .select_related("enterprise", "case")
        .order_by("-listed_on", "-id")
    )
    return render(request, "cases/dishonesty_public.html", {"listings": listings})


@login_required
@require_POST
def my_listing_apply(request, listing_id: int):
    listing = get_object_or_404(access.party_listings(request.user), pk=listing_id)
    try:
        services.apply_early_removal(
            actor=request.user,
            listing=listing,
            statement=request.POST.get("statement", ""),
            on=_today(),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("提前移出申请已提交，待单位负责人审核。"))
    return redirect("cases:my_cases")


@login_required
@require_POST
def removal_decide(request, application_id: int):
    from .models import RemovalApplication

    app = get_object_or_404(
        RemovalApplication.objects.select_related("listing__enterprise").filter(
            listing__in=access.listings_visible_to(request.user)
        ),
        pk=application_id,
    )
    try:
        services.decide_early_removal(
            actor=request.user,
            application=app,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
            on=_today(),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已审核提前移出申请。"))
    return redirect("cases:dishonesty_list")


@login_required
@require_POST
def listing_propose(request, case_id: int):
    case = access.get_case(request.user, case_id)
    try:
        services.propose_listing_by_approver(
            actor=request.user,
            case=case,
            ground=request.POST.get("ground", ""),
            reason=request.POST.get("reason", ""),
            on=_today(),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "已建议列入严重失信主体名单：下一步向当事人送达告知书，陈述申辩期满后由其他负责人决定。"
            ),
        )
    return redirect("cases:case_detail", case.pk)
