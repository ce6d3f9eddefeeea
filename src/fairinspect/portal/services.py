"""Writes of the public site's content (R13.2): draft → published (now or at a stated time) →
withdrawn. The body is sanitised on every save; attachments are PDF, images or office files
checked by their bytes. Every write is audited."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.utils import timezone

from fairinspect.audit import trail
from fairinspect.core.errors import Conflict, ValidationFailed

from . import access, sanitize
from .models import Article, Attachment

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
# content type → extensions accepted for it
ATTACHMENT_TYPES = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "application/zip": (".docx", ".xlsx"),  # OOXML files are zip archives
}


def _clean_fields(kind: str, title: str, summary: str, body: str, source: str) -> dict:
    if kind not in Article.Kind.values:
        raise ValidationFailed(
            "kind_invalid", "kind：请选择栏目（新闻、政策、典型案例）。", field="kind"
        )
    title = (title or "").strip()
    if not title:
        raise ValidationFailed("missing", "title：请填写标题。", field="title")
    if len(title) > 200:
        raise ValidationFailed("too_long", "title：标题不超过200字。", field="title")
    return {
        "kind": kind,
        "title": title,
        "summary": (summary or "").strip()[:500],
        "body": sanitize.clean(body or ""),
        "source": (source or "").strip()[:100],
    }


def create_article(
    *, actor, kind: str, title: str, body: str = "", summary: str = "", source: str = ""
) -> Article:
    access.require_writer(actor)
    fields = _clean_fields(kind, title, summary, body, source)
    with transaction.atomic():
        a = Article.objects.create(created_by=actor, **fields)
        trail.record(actor=actor, action="portal.create", obj=a, summary=f"起草公开信息：{a.title}")
    return a


def update_article(
    *,
    actor,
    article: Article,
    kind: str,
    title: str,
    body: str,
    summary: str = "",
    source: str = "",
) -> Article:
    access.require_writer(actor)
    fields = _clean_fields(kind, title, summary, body, source)
    with transaction.atomic():
        a = Article.objects.select_for_update().get(pk=article.pk)
        if a.status == "published":
            access.require_publisher(actor)  # a published text changes only by a publisher
        for k, v in fields.items():
            setattr(a, k, v)
        a.save(update_fields=[*fields, "updated_at"])
        trail.record(actor=actor, action="portal.update", obj=a, summary=f"修改公开信息：{a.title}")
    return a


def publish_article(*, actor, article: Article, at: dt.datetime | None = None) -> Article:
    """Publish now, or from `at` (a scheduled publication stays hidden until then)."""
    access.require_publisher(actor)
    at = at or timezone.now()
    with transaction.atomic():
        a = Article.objects.select_for_update().get(pk=article.pk)
        if a.status == "published":
            raise Conflict("already_published", "该信息已发布。")
        if not a.body.strip() and not a.attachments.exists():
            raise ValidationFailed("empty", "body：正文和附件不能都为空。", field="body")
        a.status, a.published_at, a.published_by = "published", at, actor
        a.save(update_fields=["status", "published_at", "published_by", "updated_at"])
        trail.record(
            actor=actor,
            action="portal.publish",
            obj=a,
            summary=f"发布公开信息：{a.title}",
            data={"at": at.isoformat()},
        )
    return a


def withdraw_article(*, actor, article: Article, reason: str) -> Article:
    access.require_publisher(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("missing", "reason：请写明撤回理由。", field="reason")
    with transaction.atomic():
        a = Article.objects.select_for_update().get(pk=article.pk)
        if a.status != "published":
            raise Conflict("not_published", "只有已发布的信息可以撤回。")
        a.status = "withdrawn"
        a.save(update_fields=["status", "updated_at"])
        trail.record(
            actor=actor,
            action="portal.withdraw",
            obj=a,
            summary=f"撤回公开信息：{a.title}",
            data={"reason": reason},
        )
    return a


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    return None


def add_attachment(*, actor, article: Article, upload) -> Attachment:
    access.require_writer(actor)
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:200]
    size = getattr(upload, "size", 0) or 0
    if size <= 0 or size > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed("file_size", "file：附件不能为空，且不超过20MB。", field="file")
    upload.seek(0)
    kind = _sniff(upload.read(8))
    upload.seek(0)
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind not in ATTACHMENT_TYPES or ext not in ATTACHMENT_TYPES[kind]:
        raise ValidationFailed(
            "file_type", "file：附件只接受PDF、JPEG、PNG、DOCX、XLSX，且内容须与扩展名一致。",
            field="file",
        )  # fmt: skip
    h = hashlib.sha256()
    for chunk in upload.chunks():
        h.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        a = Article.objects.select_for_update().get(pk=article.pk)
        if a.status == "published":
            access.require_publisher(actor)
        att = Attachment(
            article=a,
            original_name=name,
            content_type=kind if kind != "application/zip" else "application/octet-stream",
            size=size,
            sha256=h.hexdigest(),
            uploaded_by=actor,
        )
        att.file.save(f"{a.pk}-{h.hexdigest()[:16]}{ext}", upload, save=False)
        att.save()
        trail.record(
            actor=actor, action="portal.attach", obj=att, summary=f"上传附件：{name}（{a.title}）"
        )
    return att
