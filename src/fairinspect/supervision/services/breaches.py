"""Handling a breach (R8.4): assigned to someone of the unit responsible, explained or
rectified by them, closed by a supervisor with a note. Whoever explained or rectified a
breach does not close it (R1.5)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from fairinspect.audit import trail
from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.registry.models import User

from .. import access
from ..models import Breach


def _text(value, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(f"{field}_required", f"请填写{label}。", field=field)
    if len(value) > 4000:
        raise ValidationFailed(f"{field}_too_long", f"{label}不得超过4000字。", field=field)
    return value


def _locked(breach: Breach, allowed: tuple[str, ...]) -> Breach:
    b = Breach.objects.select_for_update().get(pk=breach.pk)
    if b.status not in allowed:
        raise Conflict("wrong_state", f"该线索当前为“{b.get_status_display()}”，不能办理此项。")
    return b


def assign(*, actor, breach: Breach, username: str) -> Breach:
    access.require_supervision_staff(actor)
    user = User.objects.filter(username=(username or "").strip(), is_active=True).first()
    if user is None:
        raise ValidationFailed("user_not_found", "没有该用户。", field="username")
    with transaction.atomic():
        b = _locked(breach, ("open", "assigned", "explained", "rectified"))
        b.status, b.assigned_to = "assigned", user
        b.save(update_fields=["status", "assigned_to"])
        trail.record(
            actor=actor,
            action="breach_assigned",
            obj=b,
            summary=f"违规线索{b.pk}指派给{user.get_full_name() or user.username}",
        )
    return b


def respond(*, actor, breach: Breach, kind: str, text: str) -> Breach:
    """The assignee (or a supervisor) explains why it is not a breach, or reports the
    rectification."""
    if kind not in ("explained", "rectified"):
        raise ValidationFailed("kind_invalid", "应为说明或整改。", field="kind")
    if breach.assigned_to_id != actor.pk and not access.is_supervision(actor):
        raise Forbidden("只有被指派的人员或监督人员可以说明或整改。")
    field = "explanation" if kind == "explained" else "rectification"
    text = _text(text, field, "情况说明" if kind == "explained" else "整改情况")
    with transaction.atomic():
        b = _locked(breach, ("open", "assigned", "explained", "rectified"))
        setattr(b, field, text)
        b.status, b.explained_by = kind, actor
        b.save(update_fields=[field, "status", "explained_by"])
        trail.record(
            actor=actor,
            action=f"breach_{kind}",
            obj=b,
            summary=f"违规线索{b.pk}：{b.get_status_display()}",
        )
    return b


def close(*, actor, breach: Breach, note: str, on: dt.date) -> Breach:
    access.require_supervision_staff(actor)
    note = _text(note, "closing_note", "关闭说明")
    with transaction.atomic():
        b = _locked(breach, ("open", "assigned", "explained", "rectified"))
        if b.explained_by_id == actor.pk:
            raise Forbidden("说明或整改该线索的人不能关闭它，请由其他监督人员关闭。")
        b.status, b.closing_note, b.closed_by, b.closed_on = "closed", note, actor, on
        b.save(update_fields=["status", "closing_note", "closed_by", "closed_on"])
        trail.record(
            actor=actor, action="breach_closed", obj=b, summary=f"违规线索{b.pk}关闭：{note[:80]}"
        )
    return b
