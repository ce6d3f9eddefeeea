"""Conflicts of interest (回避, R9.2): an officer declares for themself — or the administrator
enters — that they stand aside for one enterprise (a declared interest, a former employer, a
relative working there). Draws exclude the pair from the next pool frozen; pools already
published keep the conflicts they froze (so a draw re-runs identically).

Who sees the list: the officer their own declarations; approvers (and supervisors) those of
the officers of their bureau (city-wide staff: all); the administrator all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from fairinspect.audit import trail
from fairinspect.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from fairinspect.core.roles import Role, has_role
from fairinspect.registry.access import officer_of
from fairinspect.registry.models import Enterprise, Officer

from . import access
from .models import OfficerConflict

NOTE_MAX = 300


def can_review(user) -> bool:
    return has_role(user, Role.APPROVER, Role.SUPERVISOR, Role.ADMIN)


def conflicts_visible_to(user) -> QuerySet[OfficerConflict]:
    qs = OfficerConflict.objects.select_related(
        "officer", "officer__department", "enterprise"
    ).order_by("-created_at", "-id")
    if not user.is_authenticated:
        return qs.none()
    if has_role(user, Role.ADMIN):
        return qs
    if can_review(user):
        bureau = access.bureau_of(user)
        if bureau is None:
            return qs.none()
        if bureau.level == "city":
            return qs
        return qs.filter(
            officer__department__in=[bureau.pk, *bureau.sections.values_list("pk", flat=True)]
        )
    me = officer_of(user)
    if me is not None:
        return qs.filter(officer=me)
    return qs.none()


def require_can_declare(user) -> None:
    if not (has_role(user, Role.ADMIN) or officer_of(user) is not None):
        raise Forbidden("只有执法人员本人或管理员可以申报回避。")


def declare(*, actor, data: Mapping[str, Any]) -> OfficerConflict:
    """Record one conflict. An officer declares for themself only; the administrator for any
    officer (``officer_id``). ``enterprise`` is the credit code; ``kind`` one of
    declared_conflict / former_employer / relative; ``note`` required for a declared interest."""
    require_can_declare(actor)
    me = officer_of(actor)
    raw_officer = data.get("officer_id")
    if raw_officer in (None, ""):
        if me is None:
            raise ValidationFailed(
                "officer_missing", "请选择申报回避的执法人员。", field="officer_id"
            )
        officer = me
    else:
        try:
            officer = Officer.objects.get(pk=int(str(raw_officer)))
        except (TypeError, ValueError, Officer.DoesNotExist):
            raise ValidationFailed(
                "officer_not_found", "执法人员不存在。", field="officer_id"
            ) from None
        if not has_role(actor, Role.ADMIN) and (me is None or officer.pk != me.pk):
            raise Forbidden("执法人员只能为本人申报回避；为他人登记须由管理员办理。")
    code = str(data.get("enterprise") or "").strip().upper()
    if not code:
        raise ValidationFailed(
            "enterprise_missing", "请填写企业统一社会信用代码。", field="enterprise"
        )
    enterprise = Enterprise.objects.filter(credit_code=code).first()
    if enterprise is None:
        raise ValidationFailed(
            "enterprise_not_found",
            f"统一社会信用代码 {code[:18]} 不在企业名录中。",
            field="enterprise",
        )
    kind = str(data.get("kind") or "")
    if kind not in OfficerConflict.Kind.values:
        raise ValidationFailed(
            "kind_invalid",
            "回避情形应为申报的利害关系、曾在该企业任职或近亲属在该企业。",
            field="kind",
        )
    note = str(data.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed("note_too_long", f"说明不得超过{NOTE_MAX}字。", field="note")
    if kind == OfficerConflict.Kind.DECLARED and not note:
        raise ValidationFailed("note_required", "申报利害关系的，须说明具体情况。", field="note")
    try:
        with transaction.atomic():
            c = OfficerConflict.objects.create(
                officer=officer, enterprise=enterprise, kind=kind, note=note
            )
            trail.record(
                actor=actor,
                action="declare_conflict",
                obj=c,
                summary=f"{officer.name}申报回避：{enterprise.name}（{c.get_kind_display()}）",
                data={"officer": officer.pk, "enterprise": enterprise.credit_code, "kind": kind},
            )
    except IntegrityError:
        raise Conflict(
            "conflict_already_declared",
            f"{officer.name}对{enterprise.name}的该项回避情形已经登记。",
            field="kind",
        ) from None
    return c


def withdraw(*, actor, conflict_id: int, reason: str) -> None:
    """The administrator removes a declaration entered in error (with the reason, audited).
    Officers cannot withdraw their own: a conflict must not vanish before a draw."""
    if not has_role(actor, Role.ADMIN):
        raise Forbidden("只有管理员可以撤销回避登记。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("reason_blank", "请填写撤销理由。", field="reason")
    with transaction.atomic():
        c = OfficerConflict.objects.select_for_update().filter(pk=conflict_id).first()
        if c is None:
            raise NotFound()
        pk = c.pk
        c.delete()  # first, so the event records the deleted state
        trail.record(
            actor=actor,
            action="withdraw_conflict",
            obj=c,
            object_id=pk,
            summary=f"撤销回避登记：{c.officer_id} / {c.enterprise_id}（{reason}）",
            data={"reason": reason},
        )
