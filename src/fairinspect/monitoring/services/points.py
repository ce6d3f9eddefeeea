"""Points and ingestion credentials: configured by the bureau's staff (or the admin)."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from fairinspect.audit import trail
from fairinspect.core.errors import Forbidden
from fairinspect.registry.access import enterprises_visible_to, is_staff

from ..models import IngestCredential, MonitoringPoint


def _require_staff_over(actor, enterprise) -> None:
    if not is_staff(actor) or not enterprises_visible_to(actor).filter(pk=enterprise.pk).exists():
        raise Forbidden("只有该企业属地的监管人员可以配置监测点位和接入凭证。")


def create_point(*, actor, enterprise, **fields) -> MonitoringPoint:
    _require_staff_over(actor, enterprise)
    with transaction.atomic():
        point = MonitoringPoint(enterprise=enterprise, **fields)
        point.full_clean()
        point.save()
        trail.record(
            actor=actor,
            action="monitoring.point_created",
            obj=point,
            summary=f"新增监测点位 {point.code} {point.name}",
            data=fields,
        )
    return point


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def issue_credential(*, actor, enterprise, gateway: str) -> tuple[IngestCredential, str]:
    """A new gateway key; the key itself is returned once and only its hash is stored."""
    _require_staff_over(actor, enterprise)
    key = "gw_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        cred = IngestCredential.objects.create(
            enterprise=enterprise,
            gateway=gateway.strip()[:60],
            key_hash=hash_key(key),
            created_by=actor,
        )
        trail.record(
            actor=actor,
            action="monitoring.credential_issued",
            obj=cred,
            summary=f"签发数据接入凭证：{enterprise.name} {cred.gateway}",
        )
    return cred, key


def credential_for_key(key: str) -> IngestCredential | None:
    if not key:
        return None
    return (
        IngestCredential.objects.select_related("enterprise")
        .filter(key_hash=hash_key(key.strip()), active=True)
        .first()
    )
