"""The warning as the record that justifies an exempt inspection (R3.3).

Only serious warnings justify: grades 红 (red) and 橙 (orange), `rules.monitoring.SERIOUS_GRADES`.
A blue or yellow warning names a record that exists but does not justify, so the resolver
answers None for it (the visit is then refused for want of a justifying record)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from fairinspect.rules import monitoring as rules
from fairinspect.rules.caps import JustificationKind
from fairinspect.visits.justifications import JustifyingRecord

from .models import EarlyWarning


def resolve_warning(reference: str) -> JustifyingRecord | None:
    number = (reference or "").strip().upper()
    w = EarlyWarning.objects.select_related("point").filter(number=number).first()
    if w is None or not rules.is_serious(rules.Grade.from_code(w.grade)):
        return None
    return JustifyingRecord(
        kind=JustificationKind.MONITORING_WARNING,
        reference=w.number,
        enterprise_id=w.enterprise_id,
        dated=timezone.localdate(w.started_at),
        summary=f"{w.get_grade_display()}预警：{w.point.code} {w.point.name} {w.message}"[:200],
        url=reverse("monitoring:warning", args=[w.number]),
    )
