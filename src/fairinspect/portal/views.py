"""The public site (no login) and the staff's editing pages."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fairinspect.core import paging
from fairinspect.core.errors import DomainError, NotFound, ValidationFailed

from . import access, services
from .models import Article


def home(request):
    latest = [(k, label, list(access.public_articles(k)[:5])) for k, label in Article.Kind.choices]
    return render(request, "portal/home.html", {"latest": latest})


def article_list(request, kind: str):
    if kind not in Article.Kind.values:
        raise NotFound()
    page = paging.paginate(
        request, access.public_articles(kind), scope="portal.articles", per_page=20
    )
    return render(
        request,
        "portal/list.html",
        {"page": page, "kind": kind, "label": Article.Kind(kind).label},
    )


def article(request, article_id: int):
    a = get_object_or_404(access.public_articles(), pk=article_id)
    return render(
        request,
        "portal/article.html",
        {
            "a": a,
            "attachments": a.attachments.all(),
            "public_section": reverse("public:list", args=[a.kind]),
        },
    )


def attachment(request, article_id: int, attachment_id: int):
    a = get_object_or_404(access.public_articles(), pk=article_id)
    att = get_object_or_404(a.attachments, pk=attachment_id)
    resp = FileResponse(att.file.open("rb"), as_attachment=True, filename=att.original_name)
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


# ---- staff ------------------------------------------------------------------------------------


def _flash(request, exc: DomainError) -> None:
    messages.error(request, exc.message)


@login_required
def manage(request):
    access.require_writer(request.user)
    if request.method == "POST":
        p = request.POST
        try:
            a = services.create_article(
                actor=request.user,
                kind=p.get("kind", ""),
                title=p.get("title", ""),
                summary=p.get("summary", ""),
                body=p.get("body", ""),
                source=p.get("source", ""),
            )
        except DomainError as exc:
            _flash(request, exc)
            return render(
                request,
                "portal/manage.html",
                {"articles": Article.objects.all()[:200], "kinds": Article.Kind, "data": p},
                status=422,
            )
        messages.success(request, _("已保存为草稿。"))
        return redirect("public:edit", a.pk)
    return render(
        request,
        "portal/manage.html",
        {"articles": Article.objects.all()[:200], "kinds": Article.Kind, "data": {}},
    )


@login_required
def edit(request, article_id: int):
    access.require_writer(request.user)
    a = get_object_or_404(Article, pk=article_id)
    if request.method == "POST":
        p = request.POST
        try:
            services.update_article(
                actor=request.user,
                article=a,
                kind=p.get("kind", a.kind),
                title=p.get("title", ""),
                summary=p.get("summary", ""),
                body=p.get("body", ""),
                source=p.get("source", ""),
            )
        except DomainError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("已保存。"))
        return redirect("public:edit", a.pk)
    return render(
        request,
        "portal/edit.html",
        {"a": a, "kinds": Article.Kind, "attachments": a.attachments.all(), "now": timezone.now()},
    )


@login_required
@require_POST
def act(request, article_id: int, action: str):
    a = get_object_or_404(Article, pk=article_id)
    p = request.POST
    try:
        if action == "publish":
            at = None
            if p.get("at"):
                try:
                    at = dt.datetime.fromisoformat(p["at"])
                except ValueError:
                    raise ValidationFailed(
                        "bad_time", "at：发布时间格式不正确。", field="at"
                    ) from None
                if timezone.is_naive(at):
                    at = timezone.make_aware(at)
            services.publish_article(actor=request.user, article=a, at=at)
        elif action == "withdraw":
            services.withdraw_article(actor=request.user, article=a, reason=p.get("reason", ""))
        elif action == "attach":
            f = request.FILES.get("file")
            if f is None:
                raise ValidationFailed("file_missing", "file：请选择附件。", field="file")
            services.add_attachment(actor=request.user, article=a, upload=f)
        else:
            raise NotFound()
    except DomainError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("已办理。"))
    return redirect("public:edit", a.pk)
