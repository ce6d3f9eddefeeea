"""Points and ingestion credentials: configured by the bureau's staff (or the admin)."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from fairinspect.audit import trail
from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.registry.access import enterprises_visible_to, is_staff
from fairinspect.rules import monitoring as rules

from ..models import IngestCredential, MonitoringPoint


def _require_staff_over(actor, enterprise) -> None:
    if not is_staff(actor) or not enterprises_visible_to(actor).filter(pk=enterprise.pk).exists():
        raise Forbidden("只有该企业属地的监管人员可以配置监测点位和接入凭证。")


CONFIG_FIELDS = (
    "name",
    "kind",
    "unit",
    "range_low",
    "range_high",
    "low_low",
    "low",
    "high",
    "high_high",
    "rate_per_minute",
    "active",
)


def _check_limits(fields: dict) -> None:
    problems = rules.limit_problems(
        rules.Limits(
            low_low=fields.get("low_low"),
            low=fields.get("low"),
            high=fields.get("high"),
            high_high=fields.get("high_high"),
            rate_per_minute=fields.get("rate_per_minute"),
            range_low=fields.get("range_low"),
            range_high=fields.get("range_high"),
        )
    )
    if problems:
        first = problems[0]
        raise ValidationFailed(
            first.code,
            f"{first.field}: {first.message}",
            field=first.field,
            extra={"errors": [{"field": p.field, "message": p.message} for p in problems]},
        )


def create_point(*, actor, enterprise, **fields) -> MonitoringPoint:
    _require_staff_over(actor, enterprise)
    _check_limits(fields)
    if MonitoringPoint.objects.filter(enterprise=enterprise, code=fields.get("code")).exists():
        raise Conflict("point_code_taken", "code: 该企业已有同一编号的点位。")
    with transaction.atomic():
        point = MonitoringPoint(enterprise=enterprise, **fields)
        _full_clean(point)
        point.save()
        trail.record(
            actor=actor,
            action="monitoring.point_created",
            obj=point,
            summary=f"新增监测点位 {point.code} {point.name}",
            data=fields,
        )
    _bump_config()
    return point


def update_point(*, actor, point: MonitoringPoint, **fields) -> MonitoringPoint:
    """Change a point's name, kind, unit, range and alarm limits (its code and enterprise
    stay). The engine's memory of the point is kept; the new limits apply from the next
    reading. Audited with what changed, before and after."""
    _require_staff_over(actor, point.enterprise)
    unknown = set(fields) - set(CONFIG_FIELDS)
    if unknown:
        raise ValidationFailed("invalid", f"{sorted(unknown)[0]}: 不可修改的字段")
    merged = {k: getattr(point, k) for k in CONFIG_FIELDS} | fields
    _check_limits(merged)
    with transaction.atomic():
        locked = MonitoringPoint.objects.select_for_update().get(pk=point.pk)
        before = {k: getattr(locked, k) for k in CONFIG_FIELDS}
        changed = {k: v for k, v in merged.items() if before[k] != v}
        if not changed:
            return locked
        for k, v in changed.items():
            setattr(locked, k, v)
        _full_clean(locked)
        locked.save(update_fields=list(changed))
        trail.record(
            actor=actor,
            action="monitoring.point_updated",
            obj=locked,
            summary=f"修改监测点位 {locked.code}：{', '.join(sorted(changed))}"[:300],
            data={"before": {k: before[k] for k in changed}, "after": changed},
        )
    _bump_config()
    return locked


def _full_clean(point: MonitoringPoint) -> None:
    try:
        point.full_clean()
    except DjangoValidationError as exc:
        name, msgs = next(iter(exc.message_dict.items()))
        raise ValidationFailed(
            "invalid", f"{name}: {msgs[0]}", field=None if name == "__all__" else name
        ) from None


def _bump_config() -> None:
    """Tell this process's point cache (the consumer's) that a configuration changed; other
    processes see it within the cache's time to live."""
    from ..engine import point_cache

    point_cache().clear()


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
