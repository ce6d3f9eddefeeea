"""Officers' training (R1.4) and the certificate audit's history (R1.2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from fairinspect.audit import trail
from fairinspect.core.errors import Conflict
from fairinspect.registry.models import Officer
from fairinspect.registry.queries import certificate_audit

from .. import access
from ..models import CertificateAuditRun, TrainingRecord, TrainingRequirement
from .imports import clean_training

# Used when the administrator has not set a year's requirement (TrainingRequirement).
DEFAULT_HOURS = Decimal("60")
DEFAULT_SOURCE = (
    "《提升行政执法质量三年行动计划（2023—2025年）》（国办发〔2023〕27号）：行政执法人员每人每年"
    "接受不少于60学时的公共法律知识、业务知识和行政执法技能培训（本局按此执行，年度要求可由管理员调整）"
)


def requirement(year: int) -> tuple[Decimal, str]:
    r = TrainingRequirement.objects.filter(year=year).first()
    return (r.hours, r.source) if r else (DEFAULT_HOURS, DEFAULT_SOURCE)


def add_training(
    *,
    actor,
    officer: Officer,
    course: str,
    provider: str = "",
    on,
    hours,
    assessment: str = "none",
    score=None,
) -> TrainingRecord:
    access.require_supervision_staff(actor)
    values = clean_training(
        course=course, provider=provider, on=on, hours=hours, assessment=assessment, score=score
    )
    try:
        with transaction.atomic():
            rec = TrainingRecord.objects.create(officer=officer, created_by=actor, **values)
            trail.record(
                actor=actor,
                action="training_added",
                obj=rec,
                summary=f"{officer.name} 培训 {rec.course} {rec.hours}学时",
            )
    except IntegrityError:
        raise Conflict(
            "already_recorded", "该人员当天该课程的培训已登记。", field="course"
        ) from None
    return rec


def below_required(year: int):
    """Officers on duty this year whose training hours fall short, with their hours (one
    aggregate query); the requirement and its source."""
    hours, source = requirement(year)
    total = (
        TrainingRecord.objects.filter(officer=OuterRef("pk"), on__year=year)
        .values("officer")
        .annotate(h=Sum("hours"))
        .values("h")
    )
    zero = Value(Decimal("0"), output_field=DecimalField(max_digits=7, decimal_places=1))
    qs = (
        Officer.objects.filter(status="on_duty")
        .annotate(
            hours=Coalesce(
                Subquery(total, output_field=DecimalField(max_digits=7, decimal_places=1)), zero
            )
        )
        .filter(hours__lt=hours)
        .select_related("department")
        .order_by("department__code", "name")
    )
    return qs, hours, source


def snapshot_certificate_audit(*, on: dt.date | None = None) -> CertificateAuditRun:
    on = on or timezone.localdate()
    rows = [
        {
            "officer_id": r.officer_id,
            "officer_name": r.officer_name,
            "finding": str(r.finding),
            "finding_label": r.finding_label,
            "certificate": r.certificate,
            "detail": r.detail,
        }
        for r in certificate_audit(on)
    ]
    with transaction.atomic():
        run, _ = CertificateAuditRun.objects.update_or_create(
            on=on, defaults={"rows": rows, "problems": len(rows)}
        )
        trail.record(
            actor=None,
            action="certificate_audit",
            obj=run,
            summary=f"{on} 执法证件清查：{len(rows)}项问题",
        )
    return run
