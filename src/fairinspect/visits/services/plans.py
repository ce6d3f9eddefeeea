"""Creating a visit and its on-site plan (R6.2), approval with the cap and level checks, cancellation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from fairinspect.audit import trail
from fairinspect.catalog.models import InspectionItem
from fairinspect.core.duties import require as require_duty
from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.core.roles import Role, has_role
from fairinspect.registry.models import Department, Enterprise, Expert, Officer
from fairinspect.rules.caps import (
    EXEMPT_TRIGGERS,
    REQUIRED_JUSTIFICATION,
    Justification,
    JustificationKind,
    Level,
    Reason,
    Trigger,
    check_district_reinspection,
    check_exemption,
)
from fairinspect.rules.checkin import (
    PlanItem,
    check_plan,
)
from fairinspect.rules.entry import EntryDecision, decide_approval
from fairinspect.rules.exemptions import JustifyingRecord, RecordDecision
from fairinspect.rules.guidance import clean_entry_kind

from .. import queries
from ..access import plan_duty
from ..guidance import entry_kinds
from ..models import (
    Finding,
    Hazard,
    InspectionPlan,
    RectificationOrder,
    Visit,
    VisitOfficer,
)
from .common import _decision_data, _reasons, _refuse, officer_of
from .numbers import allocate

# ------------------------------------------------ creating a visit and its plan


def _clean_justification(
    trigger: Trigger,
    data: Mapping[str, Any] | None,
    *,
    today: dt.date,
    day: dt.date,
    enterprise_id: int,
) -> tuple[Justification | None, JustifyingRecord | None]:
    """The justification of a new visit. For an exempt trigger it is the record the reference
    names, checked by rules.exemptions (exists, same enterprise, right kind, dated on or before
    the visit, not used up); its kind, number and date come from the record, never typed."""
    if not data or not any(data.get(k) for k in ("kind", "reference", "date", "summary")):
        if trigger in EXEMPT_TRIGGERS:
            d = check_exemption(trigger, None, today=today, visit_date=day)
            raise ValidationFailed(
                d.reasons[0].code,
                d.reasons[0].message,
                field="justification",
                extra={"reasons": _reasons(d.reasons)},
            )
        return None, None
    kind_raw = data.get("kind") or (
        REQUIRED_JUSTIFICATION[trigger].value if trigger in EXEMPT_TRIGGERS else ""
    )
    try:
        kind = JustificationKind(kind_raw)
    except ValueError:
        raise ValidationFailed(
            "justification_kind_invalid", "依据类型不在允许范围内。", field="justification.kind"
        ) from None
    reference = str(data.get("reference") or "").strip()[:100]
    summary = str(data.get("summary") or "").strip()
    if trigger in EXEMPT_TRIGGERS:
        decision = queries.justification_decision(
            trigger=trigger.value,
            kind=kind.value,
            reference=reference,
            enterprise_id=enterprise_id,
            day=day,
        )
        _raise_unless_justified(decision)
        record = decision.record
        assert record is not None
        j = Justification(
            kind=kind,
            reference=record.reference,
            date=record.dated,
            summary=summary or record.summary,
        )
        d = check_exemption(trigger, j, today=today, visit_date=day)
        if not d.exempt:
            r = d.reasons[0]
            raise ValidationFailed(
                r.code, r.message, field="justification", extra={"reasons": _reasons(d.reasons)}
            )
        return j, record
    when = data.get("date")
    if isinstance(when, str):
        try:
            when = dt.date.fromisoformat(when)
        except ValueError:
            raise ValidationFailed(
                "justification_date_invalid",
                "依据日期格式应为 YYYY-MM-DD。",
                field="justification.date",
            ) from None
    if not isinstance(when, dt.date):
        raise ValidationFailed(
            "justification_date_missing", "依据日期未填写。", field="justification.date"
        )
    return Justification(kind=kind, reference=reference, date=when, summary=summary), None


def _raise_unless_justified(decision: RecordDecision | None) -> None:
    """A 422 naming the field when the record does not justify the visit (R3.3)."""
    if decision is None or decision.ok:
        return
    r = decision.reasons[0]
    raise ValidationFailed(
        r.code, r.message, field=decision.field, extra={"reasons": _reasons(decision.reasons)}
    )


@contextmanager
def _record_used_up_on_race():
    """Two visits racing for the same record: the database's unique constraint
    (visit_justification_record_once) lets one through; the other is told why."""
    try:
        yield
    except IntegrityError as exc:
        if "visit_justification_record_once" not in str(exc) and "justification" not in str(exc):
            raise
        raise ValidationFailed(
            "justification_used_up",
            "该依据已作为另一次检查的依据；一件依据只支持一次不受频次上限限制的检查。",
            field="justification.reference",
        ) from None


def _items_in_force(codes: Iterable[str]) -> list[InspectionItem]:
    codes = [c.strip() for c in codes if c and c.strip()]
    if not codes:
        raise ValidationFailed(
            "no_items", "请至少选择一项检查事项：无清单不检查（R2.3）。", field="item_codes"
        )
    items = list(InspectionItem.objects.filter(version__status="published", code__in=codes))
    missing = sorted(set(codes) - {i.code for i in items})
    if missing:
        raise ValidationFailed(
            "item_not_in_force",
            f"检查事项 {'、'.join(missing)} 不在现行有效的检查事项清单中，不得检查。",
            field="item_codes",
        )
    return sorted(items, key=lambda i: i.code)


def _officers(ids: Iterable[int], *, on: dt.date, domains: set[str]) -> list[Officer]:
    ids = list(dict.fromkeys(int(i) for i in ids))
    officers = {
        o.pk: o for o in Officer.objects.filter(pk__in=ids).prefetch_related("certificates")
    }
    missing = [i for i in ids if i not in officers]
    if missing:
        raise ValidationFailed(
            "officer_not_found", f"执法人员编号 {missing} 不存在。", field="officer_ids"
        )
    team = [officers[i] for i in ids]
    problems: list[Reason] = []
    for o in team:
        e = queries.eligibility(o, on=on, domains=domains)
        problems.extend(Reason(r.code, r.message) for r in e.reasons)
    if len(team) < 2:
        problems.insert(
            0,
            Reason(
                "too_few_officers",
                f"现场检查须由2名以上持有效执法证的执法人员实施，当前{len(team)}名"
                "（专家只提供技术支持，不计入）。",
            ),
        )
    if problems:
        raise ValidationFailed(
            problems[0].code,
            problems[0].message,
            field="officer_ids",
            extra={"reasons": _reasons(problems)},
        )
    return team


def _draft_plan(visit: Visit, items: list[InspectionItem]) -> dict[str, Any]:
    """Draft content of the 现场检查方案 from the items, the enterprise profile, its open
    hazards and the last findings."""
    ent = visit.enterprise
    hazards = list(
        Hazard.objects.filter(enterprise=ent, status="open").values_list(
            "level", "description", "place"
        )[:20]
    )
    last = (
        Visit.objects.filter(enterprise=ent, status="done")
        .exclude(pk=visit.pk)
        .order_by("-checked_out_at")
        .first()
    )
    last_findings = (
        list(
            Finding.objects.filter(visit=last, result="non_compliant").values_list(
                "item__code", "notes"
            )
        )
        if last
        else []
    )
    plan_items = [
        {
            "code": i.code,
            "name": i.name,
            "domain": i.domain,
            "content": list(i.content or []),
            "method": i.method_on_site or i.method_documents,
            "offsite_capable": i.offsite_capable,
            "offsite_insufficient_reason": "",
        }
        for i in items
    ]
    points = []
    for level, desc, place in hazards:
        tag = "重大隐患" if level == "major" else "一般隐患"
        points.append(f"复核未整改的{tag}：{desc}{'（' + place + '）' if place else ''}")
    for code, notes in last_findings:
        points.append(f"上次检查不符合项 {code}：{notes}")
    profile = (
        f"{ent.name}（{ent.credit_code}），{'高危行业领域' if ent.high_risk else '非高危行业'}，"
        f"标准化{ent.get_standardization_grade_display() or '未定级'}，"
        f"风险等级{ent.get_risk_level_display()}。"
    )
    return {
        "items": plan_items,
        "key_points": "\n".join([profile, *points]),
        "methods": "查阅资料、现场查看、询问有关人员，全程执法记录仪记录。",
        "steps": "1. 出示执法证件，告知检查事项和依据；\n2. 按检查事项逐项检查并记录；\n"
        "3. 发现隐患的，责令限期整改；\n4. 制作现场检查记录，由企业负责人签字确认。",
        "drafted_from": {
            "enterprise": {
                "credit_code": ent.credit_code,
                "high_risk": ent.high_risk,
                "grade": ent.standardization_grade,
                "risk_level": ent.risk_level,
            },
            "items": [i.code for i in items],
            "open_hazards": len(hazards),
            "last_visit": last.pk if last else None,
            "last_findings": [c for c, _n in last_findings],
        },
    }


def create_visit(
    *,
    actor,
    enterprise: Enterprise,
    kind: str,
    trigger: str,
    planned_date: dt.date,
    item_codes: Iterable[str],
    officer_ids: Iterable[int],
    expert_ids: Iterable[int] = (),
    justification: Mapping[str, Any] | None = None,
    department: Department | None = None,
    merge_group: str | None = None,
    joint_department_ids: Iterable[int] = (),
    parent_visit: Visit | None = None,
    follow_up_order: RectificationOrder | None = None,
    entry_kind: str = "inspection",
    today: dt.date | None = None,
) -> Visit:
    """A visit in draft with its drafted plan. Checks the items, the officers' certificates on
    the planned date and, for an exempt trigger, the record that justifies it."""
    today = today or timezone.localdate()
    if not has_role(actor, Role.OFFICER, Role.APPROVER, Role.ADMIN):
        raise Forbidden("只有执法人员或审批负责人可以安排检查。")
    if kind not in Visit.Kind.values:
        raise ValidationFailed("kind_invalid", "检查方式应为现场检查或非现场检查。", field="kind")
    try:
        trig = Trigger(trigger)
    except ValueError:
        raise ValidationFailed(
            "trigger_invalid", "检查来源不在允许范围内。", field="trigger"
        ) from None
    if not isinstance(planned_date, dt.date):
        raise ValidationFailed("planned_date_missing", "计划检查日期未填写。", field="planned_date")
    if planned_date < today:
        raise ValidationFailed(
            "planned_date_in_past", "计划检查日期不能早于今天。", field="planned_date"
        )
    if trig is Trigger.ANNUAL_PLAN:
        # R10.4: an accepted self-inspection report stands in for the year's routine planned
        # visits (the draws leave the enterprise out the same way, rules.sampling).
        from fairinspect.enterprise.queries import self_inspecting_enterprise_ids

        if (
            self_inspecting_enterprise_ids(planned_date.year)
            .filter(enterprise_id=enterprise.pk)
            .exists()
        ):
            raise ValidationFailed(
                "self_inspecting_this_year",
                f"该企业{planned_date.year}年度实行企业自我检查（报告已经认可），"
                "不安排年度计划例行检查（R10.4）；投诉举报、整改复查等检查请选择相应的检查来源。",
                field="trigger",
            )
    entry, bad = clean_entry_kind(entry_kind, entry_kinds(), visit_kind=kind)
    if bad is not None:
        raise ValidationFailed(bad.code, bad.message, field=bad.field)
    assert entry is not None  # clean_entry_kind returns a kind or an error
    j, record = _clean_justification(
        trig, justification, today=today, day=planned_date, enterprise_id=enterprise.pk
    )
    items = _items_in_force(item_codes)
    domains = {i.domain for i in items}
    team = _officers(officer_ids, on=planned_date, domains=domains)
    me = officer_of(actor)
    team.sort(key=lambda o: me is None or o.pk != me.pk)  # the arranging officer leads
    department = department or actor.department
    if department is None:
        raise ValidationFailed("department_missing", "请选择检查单位。", field="department")
    bureau = department.bureau
    experts = list(Expert.objects.filter(pk__in=list(expert_ids)))
    if experts:  # R12.2: appointed, no conflict of interest, never alone (experts app)
        from fairinspect.experts.services import refuse_unfit_experts

        refuse_unfit_experts(
            experts, enterprise_id=enterprise.pk, day=planned_date, officers=len(team)
        )
    joint = list(Department.objects.filter(pk__in=list(joint_department_ids)))
    with transaction.atomic(), _record_used_up_on_race():
        visit = Visit.objects.create(
            enterprise=enterprise,
            kind=kind,
            trigger=trig.value,
            planned_date=planned_date,
            department=department,
            inspecting_level=bureau.level,
            justification_kind=j.kind.value if j else "",
            justification_reference=j.reference if j else "",
            justification_date=j.date if j else None,
            justification_summary=j.summary if j else "",
            justification_round=record.round if record else None,
            justification_enterprise_id=record.enterprise_id if record else None,
            merge_group=(merge_group or None),
            parent_visit=parent_visit,
            follow_up_order=follow_up_order,
            entry_kind=entry.code,
            created_by=actor,
        )
        visit.items.set(items)
        visit.experts.set(experts)
        visit.joint_departments.set(joint)
        for n, o in enumerate(team):
            e = queries.eligibility(o, on=planned_date, domains=domains)
            VisitOfficer.objects.create(
                visit=visit, officer=o, is_lead=(n == 0), certificate_number=e.certificate or ""
            )
        draft = _draft_plan(visit, items)
        InspectionPlan.objects.create(
            visit=visit,
            items=draft["items"],
            key_points=draft["key_points"],
            methods=draft["methods"],
            steps=draft["steps"],
            drafted_from=draft["drafted_from"],
        )
        trail.record(
            actor=actor,
            action="create",
            obj=visit,
            summary=f"安排{visit.get_kind_display()} {enterprise.name}（{trig.label}）",
            data={
                "items": [i.code for i in items],
                "officers": [o.pk for o in team],
                "planned_date": planned_date,
                "justification": j.reference if j else None,
            },
        )
    return visit


def _require_team_or_approver(actor, visit: Visit) -> None:
    officer = officer_of(actor)
    on_team = officer is not None and visit.team.filter(officer=officer).exists()
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
    return check_plan(items, officers=visit.team.count())


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
