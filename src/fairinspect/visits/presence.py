"""The enterprise's registered location and the check-in compared with it (issue 12).

The location is supervision's `EnterpriseLocation` (registry has no coordinates; the model was
put beside the registry by supervision for its distant check-in flag, R8.4). Visits reads and
writes it through the app registry, not by import, because supervision sits above visits.
No offline geocoding: /work/shared/data has the division codes but no centroids, so a
location is only ever set by an officer on site (once, audited) or an administrator."""

from __future__ import annotations

from decimal import Decimal

from django.apps import apps
from django.db import transaction

from fairinspect.audit import trail
from fairinspect.core.errors import Forbidden, ValidationFailed
from fairinspect.core.roles import Role, has_role
from fairinspect.rules.presence import Presence, judge_presence

from .services.common import _refuse


def _model():
    return apps.get_model("supervision", "EnterpriseLocation")


def registered_location(enterprise):
    return _model().objects.filter(enterprise=enterprise).first()


def presence_of(visit) -> Presence:
    loc = registered_location(visit.enterprise)
    here = (
        (float(visit.checkin_lat), float(visit.checkin_lng))
        if visit.checkin_lat is not None and visit.checkin_lng is not None
        else None
    )
    return judge_presence(
        here,
        visit.checkin_accuracy,
        (float(loc.lat), float(loc.lng)) if loc else None,
    )


def _coord(value, lo, hi, name) -> Decimal:
    try:
        v = Decimal(str(value)).quantize(Decimal("0.000001"))
    except Exception:
        raise ValidationFailed("location_invalid", f"{name}格式不正确。", field=name) from None
    if not lo <= v <= hi:
        raise ValidationFailed("location_out_of_range", f"{name}超出范围。", field=name)
    return v


def set_location(*, actor, enterprise, lat, lng, accuracy=None):
    """An officer registers where the enterprise is, standing there: once. Afterwards only an
    administrator replaces it (a wrong point would otherwise move to meet the check-ins)."""
    if not has_role(actor, Role.OFFICER, Role.ADMIN):
        raise Forbidden("只有执法人员或管理员可以登记企业位置。")
    lat = _coord(lat, -90, 90, "lat")
    lng = _coord(lng, -180, 180, "lng")
    try:
        acc = float(accuracy) if accuracy not in (None, "") else None
    except (TypeError, ValueError):
        acc = None
    if acc is not None and acc > 200:
        raise ValidationFailed(
            "accuracy_too_poor",
            f"定位精度约{acc:.0f}米，超过200米，不宜作为企业登记位置，请到开阔处重新定位。",
            field="accuracy",
        )
    model = _model()
    name = actor.get_full_name() or actor.username
    with transaction.atomic():
        existing = model.objects.select_for_update().filter(enterprise=enterprise).first()
        if existing is not None and not has_role(actor, Role.ADMIN):
            raise _refuse(
                "location_already_set",
                f"该企业位置已登记（{existing.source}），执法人员不能更改；如有错误请联系管理员。",
            )
        source = f"执法人员现场定位：{name}" + (f"（精度约{acc:.0f}米）" if acc else "")
        if has_role(actor, Role.ADMIN) and not has_role(actor, Role.OFFICER):
            source = f"管理员登记：{name}"
        loc, _created = model.objects.update_or_create(
            enterprise=enterprise, defaults={"lat": lat, "lng": lng, "source": source[:100]}
        )
        trail.record(
            actor=actor,
            action="set_enterprise_location",
            obj=loc,
            summary=f"登记企业位置：{enterprise.name}",
            data={"lat": lat, "lng": lng, "accuracy": acc, "replaced": existing is not None},
        )
    return loc
