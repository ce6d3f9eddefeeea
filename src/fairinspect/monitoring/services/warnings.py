"""Warnings: raised and cleared from the rules' verdicts, then disposed of (处置闭环):
the enterprise acknowledges and reports its action within deadlines, the bureau reviews,
and a periodic sweep escalates what nobody acted on and flags offline sensors."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fairinspect.audit import trail
from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.registry.access import is_staff
from fairinspect.rules import monitoring as rules
from fairinspect.rules.results import reason_dicts

from ..engine import config
from ..models import EarlyWarning, MonitoringPoint

Stage = EarlyWarning.Stage


def limits_of(p: MonitoringPoint) -> rules.Limits:
    return rules.Limits(
        low_low=p.low_low,
        low=p.low,
        high=p.high,
        high_high=p.high_high,
        rate_per_minute=p.rate_per_minute,
        range_low=p.range_low,
        range_high=p.range_high,
    )


def grade_of(w: EarlyWarning) -> rules.Grade:
    return rules.Grade.from_code(w.grade)


def live_warnings(point_ids) -> dict[int, dict[str, EarlyWarning]]:
    """The live (not cleared) warnings of the points, locked, by point and rule."""
    out: dict[int, dict[str, EarlyWarning]] = {pid: {} for pid in point_ids}
    for w in EarlyWarning.objects.select_for_update().filter(
        point_id__in=list(point_ids), cleared_at__isnull=True
    ):
        out[w.point_id][w.rule_kind] = w
    return out


def apply_conditions(
    *,
    point,  # a MonitoringPoint, or ingestion's PointRow (pk, enterprise_id, code)
    rule_set: rules.RuleSet,
    verdicts,
    now: dt.datetime,
    live: dict[str, EarlyWarning] | None = None,
) -> list[EarlyWarning]:
    """Open, refresh or clear the point's live warnings from the verdicts of a batch
    (`verdicts`: (at, conditions, in_order) in time order). Returns the warnings opened.
    `live`: the point's live warnings when the caller loaded them (locked) already."""
    if live is None:
        live = live_warnings([point.pk])[point.pk]
    dirty: dict[int, EarlyWarning] = {}
    opened: list[EarlyWarning] = []
    clear_after = config().clear_after_seconds
    for at, conditions, in_order in verdicts:
        for c in conditions:
            w = live.get(c.kind)
            if c.active:
                if w is not None:
                    if at > w.last_seen_at:
                        w.last_seen_at, w.value = at, c.value
                        dirty[w.pk] = w
                    continue
                w = _open(
                    point=point,
                    rule_set=rule_set,
                    condition=c,
                    at=at,
                    now=now,
                    live=list(live.values()),
                )
                opened.append(w)
                live[c.kind] = w
            elif (
                in_order
                and w is not None
                and rules.clears(
                    c.kind, last_active_at=w.last_seen_at, at=at, clear_after_seconds=clear_after
                )
            ):
                w.cleared_at = at
                # Saved now, not with the others at the end: the same rule may open again
                # later in this batch, and the one-live-per-rule constraint must see this
                # one cleared first.
                w.save(update_fields=["last_seen_at", "value", "cleared_at"])
                dirty.pop(w.pk, None)
                del live[c.kind]
    for w in dirty.values():
        w.save(update_fields=["last_seen_at", "value", "cleared_at"])
    return opened


def _open(*, point, rule_set, condition: rules.Condition, at, now, live) -> EarlyWarning:
    base = condition.grade
    rolled = rules.roll_up([grade_of(w) for w in live] + [base]) or base
    grade = max(base, rolled)
    due = rules.disposal_deadlines(grade, now)
    w = EarlyWarning.objects.create(
        number=uuid.uuid4().hex[:24],
        enterprise_id=point.enterprise_id,
        point_id=point.pk,
        rule_kind=condition.kind.value,
        rule_set=rule_set.code,
        rule_version=rule_set.version,
        grade=grade.code,
        base_grade=base.code,
        message=condition.message[:200],
        value=condition.value if condition.value != float("inf") else -1.0,
        limit=condition.limit,
        started_at=at,
        last_seen_at=at,
        acknowledge_by=due.acknowledge_by,
        report_by=due.report_by,
        review_by=due.review_by,
    )
    w.number = f"YJ{at:%Y%m%d}-{w.pk:07d}"
    w.save(update_fields=["number"])
    trail.record(
        actor=None,
        action="monitoring.warning_opened",
        obj=w,
        summary=f"{grade.label}预警 {w.number}：{point.code} {condition.message}"[:300],
        data={
            "rule": condition.kind.value,
            "rule_set": rule_set.code,
            "version": rule_set.version,
            "grade": grade.code,
            "base_grade": base.code,
        },
    )
    return w


def _transition(w: EarlyWarning, old: str, **changes) -> None:
    """UPDATE ... WHERE stage = old: a second click or a race changes nothing."""
    n = EarlyWarning.objects.filter(pk=w.pk, stage=old).update(**changes)
    if n != 1:
        raise Conflict("stage_changed", "该预警的处置状态已变化，请刷新后再试。")
    for k, v in changes.items():
        setattr(w, k, v)


def _require_enterprise_user(actor, w: EarlyWarning) -> None:
    if getattr(actor, "enterprise_id", None) != w.enterprise_id:
        raise Forbidden("只有本企业用户可以签收和报告处置情况。")


def acknowledge(*, actor, warning: EarlyWarning, now: dt.datetime | None = None) -> EarlyWarning:
    now = now or timezone.now()
    _require_enterprise_user(actor, warning)
    with transaction.atomic():
        _transition(
            warning,
            Stage.OPEN,
            stage=Stage.ACKNOWLEDGED,
            acknowledged_at=now,
            acknowledged_by=actor,
        )
        trail.record(
            actor=actor,
            action="monitoring.warning_acknowledged",
            obj=warning,
            summary=f"企业签收预警 {warning.number}",
        )
    return warning


def report_action(
    *, actor, warning: EarlyWarning, text: str, now: dt.datetime | None = None
) -> EarlyWarning:
    now = now or timezone.now()
    _require_enterprise_user(actor, warning)
    text = (text or "").strip()
    if len(text) < 4:
        raise ValidationFailed(
            "invalid", "action_text: 请写明采取的处置措施（至少 4 个字）。", field="action_text"
        )
    with transaction.atomic():
        _transition(
            warning,
            Stage.ACKNOWLEDGED,
            stage=Stage.REPORTED,
            action_text=text[:4000],
            reported_at=now,
            reported_by=actor,
        )
        trail.record(
            actor=actor,
            action="monitoring.warning_reported",
            obj=warning,
            summary=f"企业报告预警 {warning.number} 的处置情况",
            data={"action": text[:500]},
        )
    return warning


def review(
    *, actor, warning: EarlyWarning, decision: str, note: str = "", now: dt.datetime | None = None
) -> EarlyWarning:
    now = now or timezone.now()
    check = rules.may_review(
        reviewer_is_staff=is_staff(actor),
        reviewer_id=actor.pk,
        reported_by_id=warning.reported_by_id,
        stage=rules.Stage(warning.stage),
    )
    if not check.allowed:
        raise Forbidden(
            " ".join(r.message for r in check.reasons),
            extra={"reasons": reason_dicts(check.reasons)},
        )
    if decision not in EarlyWarning.Decision.values:
        raise ValidationFailed("invalid", "decision: 取值不在允许范围内", field="decision")
    with transaction.atomic():
        if decision == EarlyWarning.Decision.ACCEPTED:
            _transition(
                warning,
                Stage.REPORTED,
                stage=Stage.CLOSED,
                decision=decision,
                review_note=note[:2000],
                reviewed_at=now,
                reviewed_by=actor,
            )
        else:
            # Returned: the enterprise reports again, within a fresh report period.
            hours = rules.DEFAULT_DISPOSAL.report_hours[grade_of(warning)]
            _transition(
                warning,
                Stage.REPORTED,
                stage=Stage.ACKNOWLEDGED,
                decision=decision,
                review_note=note[:2000],
                reviewed_at=now,
                reviewed_by=actor,
                report_by=now + dt.timedelta(hours=hours),
                review_by=now
                + dt.timedelta(
                    hours=hours + rules.DEFAULT_DISPOSAL.review_hours[grade_of(warning)]
                ),
            )
        trail.record(
            actor=actor,
            action="monitoring.warning_reviewed",
            obj=warning,
            summary=f"审核预警 {warning.number}：{warning.get_decision_display()}",
            data={"decision": decision},
        )
    return warning


def escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Raise the escalation level of every warning whose deadlines passed with nobody acting.
    Idempotent: a second run at the same time changes nothing."""
    now = now or timezone.now()
    changed = 0
    qs = EarlyWarning.objects.exclude(stage=Stage.CLOSED).filter(
        Q(acknowledge_by__lt=now, stage=Stage.OPEN) | Q(report_by__lt=now) | Q(review_by__lt=now)
    )
    for w in qs.iterator():
        esc = rules.escalation(
            stage=rules.Stage(w.stage),
            deadlines=rules.Deadlines(w.acknowledge_by, w.report_by, w.review_by),
            now=now,
            level=w.escalation_level,
        )
        if not esc.due:
            continue
        with transaction.atomic():
            n = EarlyWarning.objects.filter(pk=w.pk, escalation_level=w.escalation_level).update(
                escalation_level=esc.level, escalated_at=now
            )
            if n:
                changed += 1
                trail.record(
                    actor=None,
                    action="monitoring.warning_escalated",
                    obj=w,
                    summary=f"预警 {w.number} 督办升级至 {esc.level} 级："
                    + "；".join(r.message for r in esc.reasons),
                    data={"level": esc.level, "reasons": reason_dicts(esc.reasons)},
                )
    return changed


def sweep_stale(*, now: dt.datetime | None = None) -> int:
    """Open a warning for every active point silent longer than its rule allows."""
    now = now or timezone.now()
    cfg = config()
    opened = 0
    live_stale = set(
        EarlyWarning.objects.filter(
            rule_kind=rules.RuleKind.STALE, cleared_at__isnull=True
        ).values_list("point_id", flat=True)
    )
    for point in MonitoringPoint.objects.filter(active=True).exclude(pk__in=live_stale).iterator():
        rule_set = cfg.rules_for_kind(point.kind)
        cond = rules.evaluate_staleness(
            rules=rule_set, last_at=point.last_at or point.created_at, now=now
        )
        if cond is None or not cond.active:
            continue
        with transaction.atomic():
            locked = MonitoringPoint.objects.select_for_update().get(pk=point.pk)
            opened += len(
                apply_conditions(
                    point=locked, rule_set=rule_set, verdicts=[(now, (cond,), True)], now=now
                )
            )
    return opened
