import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fairinspect.core.errors import DomainError, ValidationFailed
from fairinspect.rules.domains import DOMAIN_LABELS

from . import access, guidance, queries, services
from .models import Audience, GuidanceListVersion, InspectionItem, ItemListVersion


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
    return render(
        request,
        "catalog/item_detail.html",
        {"version": version, "item": item, "guidance": guidance.entries_for_item(item.code)},
    )


@login_required
def manage(request):
    access.require_manager(request.user)
    return _manage_page(request)


def _manage_page(request, *, error=None, number: str = ""):
    """The versions page; after a refused form, the message and what was typed in that
    version's form (nothing saved)."""
    return render(
        request,
        "catalog/manage.html",
        {
            "versions": ItemListVersion.objects.all(),
            "error": error,
            "posted_number": number,
            "v_in": request.POST if error else {},
        },
        status=422 if error else 200,
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
        messages.success(
            request, _("已起草 %(number)s：请在后台编辑事项后发布。") % {"number": new.number}
        )
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
        messages.success(
            request, _("已公布 %(number)s，原现行版本已废止。") % {"number": version.number}
        )
    return redirect("catalog:manage")


@login_required
@require_POST
def filing(request, number: str):
    version = access.get_version_for_manager(request.user, number)
    try:
        raw = request.POST.get("filing_date", "").strip()
        try:
            day = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            raise ValidationFailed(
                "invalid", "filing_date: 备案日期格式应为 YYYY-MM-DD。", field="filing_date"
            ) from None
        services.record_filing(
            actor=request.user,
            version=version,
            filing_date=day,
            doc_no=request.POST.get("filing_doc_no", ""),
        )
    except DomainError as exc:
        return _manage_page(request, error=exc, number=number)
    else:
        messages.success(request, _("已登记备案。"))
    return redirect("catalog:manage")


# ------------------------------------------------ the compliance guidance list (R2.4)


def guidance_list(request, number: str | None = None):
    """The guidance list in force (or a published/superseded version): public, searchable
    by words and by industry code, printable."""
    version = access.get_public_guidance_version(number) if number else guidance.version_in_force()
    q = request.GET.get("q", "").strip()[:50]
    industry = request.GET.get("industry", "").strip()[:5]
    return render(
        request,
        "catalog/guidance_list.html",
        {
            "version": version,
            "entries": guidance.search(version, q=q, industry=industry) if version else [],
            "q": q,
            "industry": industry,
            "versions": guidance.public_versions(),
            "changes": version.changes.all() if version else [],
        },
    )


def guidance_entry(request, number: str, code: str):
    version = access.get_public_guidance_version(number)
    entry = get_object_or_404(version.entries, code=code)
    items = {i.code: i for i in queries.items_in_force().filter(code__in=entry.item_codes)}
    return render(
        request,
        "catalog/guidance_entry.html",
        {
            "version": version,
            "entry": entry,
            "items": [items.get(c) or c for c in entry.item_codes],
        },
    )


@login_required
def guidance_manage(request):
    access.require_manager(request.user)
    return render(
        request,
        "catalog/guidance_manage.html",
        {"versions": GuidanceListVersion.objects.all(), "audiences": Audience.choices},
    )


def _lines(text: str) -> list[str]:
    return [x.strip() for x in (text or "").splitlines() if x.strip()]


def guidance_form_data(post) -> dict:
    """The HTML form as the dict the service cleans (the API sends the same shape): lists one
    per line; a legal basis per line as 法律|条|款|摘录."""
    basis: list[dict] = []
    for line in _lines(post.get("legal_basis", "")):
        law, article, clause, excerpt = (s.strip() for s in [*line.split("|"), "", "", ""][:4])
        b: dict = {"law": law, "article": int(article) if article.isdigit() else article}
        if clause:
            b["clause"] = int(clause) if clause.isdigit() else clause
        if excerpt:
            b["text_excerpt"] = excerpt
        basis.append(b)
    return {
        "code": post.get("code", ""),
        "name": post.get("name", ""),
        "requirement": post.get("requirement", ""),
        "legal_basis": basis,
        "industries": _lines(post.get("industries", "").replace(",", "\n")),
        "item_codes": _lines(post.get("item_codes", "").replace(",", "\n")),
        "violation_codes": _lines(post.get("violation_codes", "").replace(",", "\n")),
        "common_violations": _lines(post.get("common_violations", "")),
        "self_check_points": _lines(post.get("self_check_points", "")),
        "audiences": post.getlist("audiences"),
    }


@login_required
@require_POST
def guidance_action(request, number: str, action: str):
    access.require_manager(request.user)
    version = get_object_or_404(GuidanceListVersion, number=number)
    try:
        if action == "draft":
            new = guidance.draft_from(
                actor=request.user,
                version=version,
                number=request.POST.get("new_number", ""),
                title=request.POST.get("title", ""),
            )
            messages.success(request, _("已起草 %(number)s。") % {"number": new.number})
        elif action == "publish":
            guidance.publish_version(actor=request.user, version=version)
            messages.success(
                request, _("已公布 %(number)s，原现行版本已废止。") % {"number": version.number}
            )
        elif action == "save-entry":
            e = guidance.save_entry(
                actor=request.user, version=version, data=guidance_form_data(request.POST)
            )
            messages.success(request, _("已保存条目 %(code)s。") % {"code": e.code})
        elif action == "remove-entry":
            guidance.remove_entry(
                actor=request.user, version=version, code=request.POST.get("code", "")
            )
            messages.success(request, _("已删除条目。"))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("catalog:guidance_manage")
