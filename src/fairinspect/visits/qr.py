"""The enterprise's QR code (R6.1): a signed token of (enterprise id, qr_generation).

The URL never carries the bare id. Revoking (registry.services.revoke_qr) increments the
generation, so every printed code stops working; rotating SECRET_KEY revokes them all.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.core import signing
from django.db.models import Exists, OuterRef, QuerySet, Value
from django.urls import reverse

from fairinspect.core.errors import NotFound
from fairinspect.registry.models import Enterprise


def token_for(enterprise: Enterprise) -> str:
    return signing.dumps([enterprise.pk, enterprise.qr_generation], salt=settings.QR_TOKEN_SALT)


def enterprise_for(token: str, *, visible: QuerySet[Enterprise] | None = None) -> Enterprise:
    """The enterprise of a valid token. With `visible` (the enterprises the user may see),
    `pc_visible` on the result says whether it is among them, read in the same query."""
    try:
        pk, generation = signing.loads(token, salt=settings.QR_TOKEN_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise NotFound("二维码无效：请确认扫描的是企业张贴的最新二维码。") from None
    qs = Enterprise.objects.select_related("industry")
    if visible is not None:
        qs = qs.annotate(pc_visible=Exists(visible.filter(pk=OuterRef("pk"))))
    else:
        qs = qs.annotate(pc_visible=Value(False))
    ent = qs.filter(pk=pk).first()
    if ent is None:
        raise NotFound("二维码无效：企业不存在。")
    if ent.qr_generation != generation:
        raise NotFound("该二维码已作废，请扫描企业张贴的最新二维码。")
    return ent


def url_for(enterprise: Enterprise) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("visits:qr", args=[token_for(enterprise)])


def svg_for(enterprise: Enterprise) -> bytes:
    import io

    buf = io.BytesIO()
    segno.make(url_for(enterprise), error="m").save(buf, kind="svg", scale=8, border=2)
    return buf.getvalue()
