"""Recording how an off-site inspection was done (R4.1). Findings, hazards and orders go
through the visit's own services; the cap never counts an off-site visit (rules/caps.py)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from fairinspect.audit import trail
from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.visits.services import officer_of

from ..models import EarlyWarning, OffsiteInspection


def record_offsite_method(
    *, actor, visit, method: str, material: str, warning_number: str = ""
) -> OffsiteInspection:
    if visit.kind != "off_site":
        raise ValidationFailed(
            "not_off_site", "只有非现场检查可以登记非现场检查方式。", field="visit_id"
        )
    officer = officer_of(actor)
    if officer is None or not visit.team.filter(officer=officer).exists():
        raise Forbidden("只有本次检查的执法人员可以登记非现场检查方式。")
    if method not in OffsiteInspection.Method.values:
        raise ValidationFailed("invalid", "method: 取值不在允许范围内", field="method")
    material = (material or "").strip()
    if len(material) < 4:
        raise ValidationFailed(
            "invalid", "material: 请写明审查的资料、视频连线或比对的数据。", field="material"
        )
    warning = None
    if warning_number:
        warning = EarlyWarning.objects.filter(
            number=warning_number.strip().upper(), enterprise_id=visit.enterprise_id
        ).first()
        if warning is None:
            raise ValidationFailed(
                "warning_not_found", "warning_number: 该企业没有这条预警。", field="warning_number"
            )
    try:
        with transaction.atomic():
            row = OffsiteInspection.objects.create(
                visit=visit,
                enterprise_id=visit.enterprise_id,
                method=method,
                warning=warning,
                material=material[:4000],
                created_by=actor,
            )
            trail.record(
                actor=actor,
                action="monitoring.offsite_recorded",
                obj=row,
                summary=f"非现场检查（{row.get_method_display()}）：检查 {visit.pk}",
                data={
                    "visit": visit.pk,
                    "method": method,
                    "warning": warning.number if warning else None,
                },
            )
    except IntegrityError:
        raise Conflict("offsite_already_recorded", "该检查已登记非现场检查方式。") from None
    return row
