"""Recording the compliance guidance explained at a visit (R2.4, 谁执法谁普法)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from fairinspect.audit import trail
from fairinspect.catalog.models import Audience, GuidanceEntry
from fairinspect.core.errors import ValidationFailed

from ..models import GuidanceGiven, Visit
from .common import _refuse
from .onsite import _require_on_team


def record_guidance(
    *, actor, visit: Visit, entry_codes: Iterable[str], audiences: Iterable[str], now=None
) -> list[GuidanceGiven]:
    """What the officers explained, and to whom by role: replaces the visit's earlier record.

    Recorded by an officer of the team while the visit runs or once it is done (at
    check-out); entries come from the list in force; at least one entry and one audience.
    The legal representative is never a required audience (measure 十二)."""
    _require_on_team(actor, visit)
    codes = sorted({c.strip() for c in entry_codes if c and c.strip()})
    given_roles = {a.strip() for a in audiences if a and a.strip()}
    if not codes:
        raise ValidationFailed(
            "required", "请至少选择一项已讲解的合规指导内容。", field="entry_codes"
        )
    if not given_roles:
        raise ValidationFailed("required", "请选择指导对象（按岗位）。", field="audiences")
    unknown = sorted(given_roles - set(Audience.values))
    if unknown:
        raise ValidationFailed(
            "audience_unknown", f"指导对象不在允许范围内：{'、'.join(unknown)}。", field="audiences"
        )
    roles = [a for a in Audience.values if a in given_roles]  # in the list's order
    entries = {
        e.code: e for e in GuidanceEntry.objects.filter(version__status="published", code__in=codes)
    }
    missing = [c for c in codes if c not in entries]
    if missing:
        raise ValidationFailed(
            "entry_not_in_force",
            f"合规指导清单现行版本中没有条目：{'、'.join(missing)}。",
            field="entry_codes",
        )
    now = now or timezone.now()
    with transaction.atomic():
        v = Visit.objects.select_for_update().get(pk=visit.pk)
        if v.status not in ("in_progress", "done"):
            raise _refuse(
                "visit_not_started", "检查开始后（扫码入企后）或离企时才能记录普法指导内容。"
            )
        GuidanceGiven.objects.filter(visit=v).delete()
        rows = GuidanceGiven.objects.bulk_create(
            GuidanceGiven(
                visit=v,
                enterprise_id=v.enterprise_id,
                entry=entries[c],
                audiences=roles,
                recorded_by=actor,
                recorded_at=now,
            )
            for c in codes
        )
        trail.record(
            actor=actor,
            action="record_guidance",
            obj=v,
            summary=f"记录普法指导：{'、'.join(codes)}",
            data={"entries": codes, "audiences": roles},
        )
    return rows
