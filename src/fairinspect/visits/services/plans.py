"""The on-site plan after it was drafted (R6.2): editing, submission, approval with the cap and
level checks, rejection; cancellation. Creating visits and drafting their plans: creation.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from fairinspect.audit import trail
from fairinspect.core.duties import require as require_duty
from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.core.roles import Role, has_role
from fairinspect.registry.models import Enterprise
from fairinspect.rules.caps import (
    Level,
    Reason,
    Trigger,
    check_district_reinspection,
)
from fairinspect.rules.checkin import (
    PlanItem,
    check_plan,
)
from fairinspect.rules.entry import EntryDecision, decide_approval

from .. import queries
from ..access import plan_duty
from ..models import (
    InspectionPlan,
    Visit,
)
from .common import _decision_data, _reasons, _refuse, officer_of
from .numbers import allocate


def _require_team_or_approver(actor, visit: Visit) -> None:
    officer = officer_of(actor)
    on_team = queries.on_team(visit, officer)
    if not (
        on_team or has_role(actor, Role.APPROVER, Role.ADMIN) or visit.created_by_id == actor.pk
    ):
        raise Forbidden("只有本次检查的执法人员可以操作。")


def update_plan(*, actor, visit: Visit, data: Mapping[str, Any]) -> InspectionPlan:
    """Edit the drafted plan: key points, methods, steps, and per item the reason why
    off-site inspection is not enough (R4.2)."""
    _require_team_or_approver(actor, visit)
    with transaction.atomic():
        v = Visit.objects.select_for_update().get(pk=visit.pk)
        if v.status != "draft":
            raise _refuse("plan_not_editable", "方案已提交或已批准，不能修改；如需修改请先退回。")
        plan = v.plan
        for f in ("key_points", "methods", "steps"):
            if f in data and data[f] is not None:
                setattr(plan, f, str(data[f]))
        reasons = data.get("offsite_reasons") or {}
        items = []
        for it in plan.items:
            if it["code"] in reasons:
                it = {**it, "offsite_insufficient_reason": str(reasons[it["code"]]).strip()}
            items.append(it)
        plan.items = items
        plan.save()
        trail.record(actor=actor, action="update", obj=plan, summary=f"修改检查方案 {v.pk}")
    return plan


def plan_problems(visit: Visit, plan: InspectionPlan) -> tuple[Reason, ...]:
    items = [
        PlanItem(
            it["code"],
            it["name"],
            bool(it.get("offsite_capable")) and visit.kind == "on_site",
            it.get("offsite_insufficient_reason", ""),
        )
        for it in plan.items
    ]
    return check_plan(items, officers=queries.team_size(visit))


def submit_plan(*, actor, visit: Visit) -> Visit:
    _require_team_or_approver(actor, visit)
    with transaction.atomic():
        v = Visit.objects.select_for_update().get(pk=visit.pk)
        problems = plan_problems(v, v.plan)
        if problems:
            raise _refuse("plan_incomplete", problems[0].message, problems)
        if not Visit.objects.filter(pk=v.pk, status="draft").update(status="plan_submitted"):
            raise _refuse("plan_not_draft", "只有草拟中的方案可以提交审批。")
        now = timezone.now()
        InspectionPlan.objects.filter(pk=v.plan.pk).update(submitted_by=actor, submitted_at=now)
        trail.record(
            actor=actor, action="submit_plan", obj=v, summary=f"提交检查方案 {v.pk}", also=[v.plan]
        )
    v.refresh_from_db()
    return v


def _check_reinspection(v: Visit, *, year: int) -> None:
    """R5.3 (附件八): after the city bureau inspected the enterprise this year, a district
    visit is refused unless it follows up an order (or brings a new matter: complaint, referral,
    monitoring, application — the rule's exceptions). The refusal names the city's visit."""
    if v.inspecting_level != "district":
        return
    city = queries.city_visits_this_year(v.enterprise_id, year, exclude_pk=v.pk)
    city_items = {i.code for c in city for i in c.items.all()}
    d = check_district_reinspection(
        Level.DISTRICT, Trigger(v.trigger), city_items, {i.code for i in v.items.all()}
    )
    if d.allowed:
        return
    named = "；".join(
        f"{c.department.name}于"
        f"{timezone.localdate(c.checked_in_at) if c.checked_in_at else c.planned_date:%Y年%m月%d日}"
        f"的检查（编号{c.pk}）"
        for c in city[:3]
    )
    message = f"{d.reasons[0].message}（市级检查：{named}）"
    raise Conflict(
        d.reasons[0].code,
        message,
        extra={
            "reasons": [{"code": d.reasons[0].code, "message": message}],
            "city_visits": [c.pk for c in city],
        },
    )


def _raise_approval_refusal(v: Visit, d: EntryDecision) -> None:
    r = d.refusal
    assert r is not None
    if d.field:  # the record behind an exempt trigger (R3.3): the input is named
        raise ValidationFailed(
            r.code, r.message, field=d.field, extra={"reasons": _reasons(d.reasons)}
        )
    if r.code == "city_already_inspected":
        _check_reinspection(v, year=v.planned_date.year)  # the same refusal, naming the visits
    if r.code == "plan_incomplete":
        raise _refuse(r.code, r.message, [x for x in d.reasons if x.code != "plan_incomplete"])
    if d.cap is not None and not d.cap.allowed:
        raise _refuse("cap_reached", r.message, d.cap.reasons)
    raise _refuse(r.code, r.message, d.reasons)


def approve_plan(*, actor, visit: Visit, today: dt.date | None = None) -> Visit:
    """An approver approves the plan (R6.2). The cap is checked here too (R3.4, planning
    stage: approved plans hold a slot) and the enforcement level (R5.3)."""
    today = today or timezone.localdate()
    if not has_role(actor, Role.APPROVER):
        raise Forbidden("只有审批负责人可以批准检查方案。")
    with transaction.atomic():
        Enterprise.objects.select_for_update().get(pk=visit.enterprise_id)
        v = Visit.objects.select_for_update().select_related("enterprise").get(pk=visit.pk)
        if v.status != "plan_submitted":
            raise _refuse("plan_not_submitted", "只有已提交审批的方案可以批准。")
        require_duty(actor, "批准该检查方案", Role.APPROVER, plan_duty(v))
        # The one approval decision the visit page predicts (rules.entry.decide_approval).
        approval = decide_approval(queries.approval_facts(v, today=today))
        if not approval.allowed:
            _raise_approval_refusal(v, approval)
        decision = approval.cap
        Visit.objects.filter(pk=v.pk, status="plan_submitted").update(status="approved")
        plan = v.plan
        plan.approved_by, plan.approved_at = actor, timezone.now()
        if not plan.number:
            plan.number = allocate("plan", department=v.department, on=v.planned_date)
        plan.save(update_fields=["approved_by", "approved_at", "number", "updated_at"])
        trail.record(
            actor=actor,
            action="approve_plan",
            obj=v,
            summary=f"批准检查方案 {plan.number}（{v.enterprise.name}）",
            data={"cap": _decision_data(decision) if decision else None},
            also=[plan],
        )
    v.refresh_from_db()
    return v


def reject_plan(*, actor, visit: Visit, reason: str) -> Visit:
    if not has_role(actor, Role.APPROVER):
        raise Forbidden("只有审批负责人可以退回检查方案。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("rejection_reason_blank", "请填写退回理由。", field="reason")
    with transaction.atomic():
        v = Visit.objects.select_for_update().select_related("department").get(pk=visit.pk)
        require_duty(actor, "退回该检查方案", Role.APPROVER, plan_duty(v))
        if not Visit.objects.filter(pk=visit.pk, status="plan_submitted").update(status="draft"):
            raise _refuse("plan_not_submitted", "只有已提交审批的方案可以退回。")
        InspectionPlan.objects.filter(visit=visit).update(
            rejected_by=actor, rejected_at=timezone.now(), rejection_reason=reason
        )
        trail.record(
            actor=actor,
            action="reject_plan",
            obj=visit,
            summary=f"退回检查方案：{reason}",
            also=InspectionPlan.objects.filter(visit=visit),
        )
    visit.refresh_from_db()
    return visit


def cancel_visit(*, actor, visit: Visit, reason: str) -> Visit:
    _require_team_or_approver(actor, visit)
    with transaction.atomic():
        n = Visit.objects.filter(
            pk=visit.pk, status__in=["draft", "plan_submitted", "approved"]
        ).update(status="cancelled")
        if not n:
            raise _refuse("not_cancellable", "已开始或已完成的检查不能取消。")
        trail.record(actor=actor, action="cancel", obj=visit, summary=f"取消检查：{reason}")
    visit.refresh_from_db()
    return visit
