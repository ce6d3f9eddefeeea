import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from fairinspect.core.errors import DomainError
from fairinspect.rules.domains import DOMAIN_LABELS

from . import access, queries, services
from .models import InspectionItem, ItemListVersion


def public_list(request):
    """The list in force and its history: public, no login (R2.2)."""
    version = queries.version_in_force()
    return render(request, "catalog/version_detail.html", _version_context(request, version))


def version_detail(request, number: str):
    return render(
        request,
        "catalog/version_detail.html",
        _version_context(request, access.get_public_version(number)),
    )


def _version_context(request, version):
    items = version.items.all() if version else InspectionItem.objects.none()
    domain, q = request.GET.get("domain", ""), request.GET.get("q", "").strip()[:50]
    if version and domain:
        items = items.filter(domain=domain)
    if version and q:
        items = items.filter(Q(name__contains=q) | Q(code__icontains=q))
    return {
        "version": version,
        "items": items,
        "domain": domain,
        "q": q,
        "domains": DOMAIN_LABELS.items(),
        "versions": queries.public_versions(),
        "changes": version.changes.all() if version else [],
    }


def item_detail(request, number: str, code: str):
    version = access.get_public_version(number)
    item = get_object_or_404(version.items, code=code)
    return render(request, "catalog/item_detail.html", {"version": version, "item": item})


@login_required
def manage(request):
    access.require_manager(request.user)
    return render(
        request,
        "catalog/manage.html",
        {"versions": ItemListVersion.objects.all()},
    )


@login_required
@require_POST
def draft(request, number: str):
    version = access.get_version_for_manager(request.user, number)
    try:
        new = services.draft_from(
            actor=request.user,
            version=version,
            number=request.POST.get("new_number", ""),
            title=request.POST.get("title", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已起草 {new.number}：请在后台编辑事项后发布。")
    return redirect("catalog:manage")


@login_required
@require_POST
def publish(request, number: str):
    version = access.get_version_for_manager(request.user, number)
    try:
        services.publish_version(actor=request.user, version=version)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已公布 {version.number}，原现行版本已废止。")
    return redirect("catalog:manage")


@login_required
@require_POST
def filing(request, number: str):
    version = access.get_version_for_manager(request.user, number)
    try:
        raw = request.POST.get("filing_date", "")
        day = dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        messages.error(request, "备案日期：格式应为 YYYY-MM-DD。")
        return redirect("catalog:manage")
    try:
        services.record_filing(
            actor=request.user,
            version=version,
            filing_date=day,
            doc_no=request.POST.get("filing_doc_no", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已登记备案。")
    return redirect("catalog:manage")
