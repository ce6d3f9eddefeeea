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
from fairinspect.core.prepared import Prepared
from fairinspect.registry.access import EnterpriseScope
from fairinspect.registry.models import Enterprise


def token_for(enterprise: Enterprise) -> str:
    return signing.dumps([enterprise.pk, enterprise.qr_generation], salt=settings.QR_TOKEN_SALT)


def _with_visibility(pk, visible: QuerySet[Enterprise] | None):
    qs = Enterprise.objects.select_related("industry")
    if visible is not None:
        qs = qs.annotate(pc_visible=Exists(visible.filter(pk=OuterRef("pk"))))
    else:
        qs = qs.annotate(pc_visible=Value(False))
    return qs.filter(pk=pk).order_by("pk")[:1]


# The same statement prepared (compiled once per connection, core/prepared.py) for the two
# staff scopes of `registry.access.enterprise_scope`: every enterprise, or one
# district's. Any other shape is compiled as usual.
_PK, _DISTRICT = -7_000_001, "\x00district\x00"
_NOBODY = Prepared(lambda pk: _with_visibility(pk, None), pk=_PK)
_ALL = Prepared(lambda pk: _with_visibility(pk, Enterprise.objects.all()), pk=_PK)
_ONE_DISTRICT = Prepared(
    lambda pk, district: _with_visibility(pk, Enterprise.objects.filter(district_code=district)),
    pk=_PK,
    district=_DISTRICT,
)


def _fetch(pk, scope: EnterpriseScope | None) -> Enterprise | None:
    if not isinstance(pk, int) or isinstance(pk, bool):
        found = list(_with_visibility(pk, scope.queryset() if scope else None))
    elif scope is None:
        found = _NOBODY.objects(pk=pk)
    elif scope.kind == "all":
        found = _ALL.objects(pk=pk)
    elif scope.kind == "district":
        found = _ONE_DISTRICT.objects(pk=pk, district=scope.district)
    else:
        found = list(_with_visibility(pk, scope.queryset()))
    return found[0] if found else None


def enterprise_for(token: str, *, scope: EnterpriseScope | None = None) -> Enterprise:
    """The enterprise of a valid token. With `scope` (the enterprises the user may see,
    registry.access.enterprise_scope), `pc_visible` on the result says whether it is among
    them, read in the same query."""
    try:
        pk, generation = signing.loads(token, salt=settings.QR_TOKEN_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise NotFound("二维码无效：请确认扫描的是企业张贴的最新二维码。") from None
    ent = _fetch(pk, scope)
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
