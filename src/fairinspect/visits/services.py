"""Writes for visits: each checks through rules/, writes in one transaction (locking the
enterprise row where the annual cap is at stake) and records itself in the audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from fairinspect.catalog.models import InspectionItem
from fairinspect.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from fairinspect.core.roles import Role, has_role
from fairinspect.registry.models import Department, Enterprise, Expert, Officer
from fairinspect.rules.caps import (
    EXEMPT_TRIGGERS,
    REQUIRED_JUSTIFICATION,
    CapDecision,
    CapStage,
    Justification,
    JustificationKind,
    Level,
    Reason,
    Trigger,
    check_district_reinspection,
    check_enforcement_level,
    check_exemption,
)
from fairinspect.rules.checkin import (
    OfficerConfirmation,
    PlanItem,
    TeamDecision,
    check_plan,
    decide_team,
)
from fairinspect.supervision import audit

from . import queries
from .models import (
    CheckIn,
    DocumentNumber,
    Finding,
    Hazard,
    InspectionPlan,
    MediaFile,
    Recording,
    RectificationOrder,
    Visit,
    VisitOfficer,
    VisitRating,
)

DOC_PREFIX = {
    "plan": "(乌)应急检方",
    "record": "(乌)应急现记",
    "order": "(乌)应急责改",
    "review": "(乌)应急复查",
}


def _reasons(rs: Iterable[Reason]) -> list[dict[str, str]]:
    return [{"code": r.code, "message": r.message} for r in rs]


def _refuse(code: str, message: str, reasons: Iterable[Reason] = (), *, field=None) -> Conflict:
    return Conflict(code, message, field=field, extra={"reasons": _reasons(reasons)})


def officer_of(user) -> Officer | None:
    try:
        return user.officer
    except Officer.DoesNotExist:
        return None
    except AttributeError:
        return None


def next_number(kind: str, year: int) -> str:
    """The next 文号 of a kind and year, e.g. (乌)应急现记〔2025〕12号. Call inside atomic."""
    row, _ = DocumentNumber.objects.select_for_update().get_or_create(kind=kind, year=year)
    DocumentNumber.objects.filter(pk=row.pk).update(last=F("last") + 1)
    row.refresh_from_db(fields=["last"])
    return f"{DOC_PREFIX[kind]}〔{year}〕{row.last}号"


# ------------------------------------------------ creating a visit and its plan


def _clean_justification(
    trigger: Trigger, data: Mapping[str, Any] | None, *, today: dt.date, day: dt.date
) -> Justification | None:
    if not data or not any(data.get(k) for k in ("kind", "reference", "date", "summary")):
        if trigger in EXEMPT_TRIGGERS:
            d = check_exemption(trigger, None, today=today, visit_date=day)
            raise ValidationFailed(
                d.reasons[0].code,
                d.reasons[0].message,
                field="justification",
                extra={"reasons": _reasons(d.reasons)},
            )
        return None
    kind_raw = data.get("kind") or (
        REQUIRED_JUSTIFICATION[trigger].value if trigger in EXEMPT_TRIGGERS else ""
    )
    try:
        kind = JustificationKind(kind_raw)
    except ValueError:
        raise ValidationFailed(
            "justification_kind_invalid", "依据类型不在允许范围内。", field="justification.kind"
        ) from None
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
    j = Justification(
        kind=kind,
        reference=str(data.get("reference") or "").strip()[:100],
        date=when,
        summary=str(data.get("summary") or "").strip(),
    )
    if trigger in EXEMPT_TRIGGERS:
        d = check_exemption(trigger, j, today=today, visit_date=day)
        if not d.exempt:
            r = d.reasons[0]
            raise ValidationFailed(
                r.code, r.message, field="justification", extra={"reasons": _reasons(d.reasons)}
            )
    return j


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
    j = _clean_justification(trig, justification, today=today, day=planned_date)
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
    joint = list(Department.objects.filter(pk__in=list(joint_department_ids)))
    with transaction.atomic():
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
            merge_group=(merge_group or None),
            parent_visit=parent_visit,
            follow_up_order=follow_up_order,
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
        audit.record(
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
        audit.record(actor=actor, action="update", obj=plan, summary=f"修改检查方案 {v.pk}")
    return plan


def _plan_problems(visit: Visit, plan: InspectionPlan) -> tuple[Reason, ...]:
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
        problems = _plan_problems(v, v.plan)
        if problems:
            raise _refuse("plan_incomplete", problems[0].message, problems)
        if not Visit.objects.filter(pk=v.pk, status="draft").update(status="plan_submitted"):
            raise _refuse("plan_not_draft", "只有草拟中的方案可以提交审批。")
        now = timezone.now()
        InspectionPlan.objects.filter(pk=v.plan.pk).update(submitted_by=actor, submitted_at=now)
        audit.record(actor=actor, action="submit_plan", obj=v, summary=f"提交检查方案 {v.pk}")
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
        if officer_of(actor) and v.team.filter(officer=officer_of(actor)).exists():
            raise Forbidden("检查组成员不能审批自己的检查方案。")
        problems = _plan_problems(v, v.plan)
        if problems:
            raise _refuse("plan_incomplete", problems[0].message, problems)
        district_partner = any(d.bureau.level == "district" for d in v.joint_departments.all())
        level = check_enforcement_level(
            Level(v.enterprise.supervising_level),
            Level(v.inspecting_level),
            Trigger(v.trigger),
            district_partner,
        )
        if not level.allowed:
            raise _refuse(level.reasons[0].code, level.reasons[0].message, level.reasons)
        _check_reinspection(v, year=v.planned_date.year)
        decision = None
        if v.kind == "on_site":
            decision = queries.cap_decision(v, today=today, stage=CapStage.PLANNING)
            if not decision.allowed:
                raise _refuse("cap_reached", decision.reasons[-1].message, decision.reasons)
        Visit.objects.filter(pk=v.pk, status="plan_submitted").update(status="approved")
        plan = v.plan
        plan.approved_by, plan.approved_at = actor, timezone.now()
        if not plan.number:
            plan.number = next_number("plan", v.planned_date.year)
        plan.save(update_fields=["approved_by", "approved_at", "number", "updated_at"])
        audit.record(
            actor=actor,
            action="approve_plan",
            obj=v,
            summary=f"批准检查方案 {plan.number}（{v.enterprise.name}）",
            data={"cap": _decision_data(decision) if decision else None},
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
        if not Visit.objects.filter(pk=visit.pk, status="plan_submitted").update(status="draft"):
            raise _refuse("plan_not_submitted", "只有已提交审批的方案可以退回。")
        InspectionPlan.objects.filter(visit=visit).update(
            rejected_by=actor, rejected_at=timezone.now(), rejection_reason=reason
        )
        audit.record(
            actor=actor, action="reject_plan", obj=visit, summary=f"退回检查方案：{reason}"
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
        audit.record(actor=actor, action="cancel", obj=visit, summary=f"取消检查：{reason}")
    visit.refresh_from_db()
    return visit


def _decision_data(d: CapDecision) -> dict[str, Any]:
    return {
        "allowed": d.allowed,
        "cap": d.cap,
        "used": d.used,
        "remaining": d.remaining,
        "exempt_used": d.exempt_used,
        "consumes_slot": d.consumes_slot,
        "reasons": _reasons(d.reasons),
    }


# ------------------------------------------------ check-in (R1.3, R3.4, R6.1)


@dataclass
class CheckInOutcome:
    visit: Visit
    started: bool
    replay: bool
    confirmed: list[str]
    team: TeamDecision
    cap: CapDecision | None
    reasons: list[dict[str, str]] = field(default_factory=list)
    # R5.4, not blocking: other units' visits this year for the same items.
    warnings: list[dict[str, str]] = field(default_factory=list)


def _coord(value, lo, hi, name):
    if value in (None, ""):
        return None
    try:
        from decimal import Decimal

        v = Decimal(str(value)).quantize(Decimal("0.000001"))
    except Exception:
        raise ValidationFailed("location_invalid", f"{name}格式不正确。", field=name) from None
    if not lo <= v <= hi:
        raise ValidationFailed("location_out_of_range", f"{name}超出范围。", field=name)
    return v


def _team_decision(visit, team, confirmed_ids: set[int], *, on: dt.date) -> TeamDecision:
    domains = queries.item_domains(visit)
    confs = []
    for m in team:
        e = queries.eligibility(m.officer, on=on, domains=domains)
        confs.append(
            OfficerConfirmation(
                str(m.officer_id),
                m.officer.name,
                e.eligible,
                m.officer_id in confirmed_ids,
                tuple(Reason(r.code, r.message) for r in e.reasons),
            )
        )
    return decide_team(confs, experts=visit.experts.count())


def _outcome(visit: Visit, *, replay: bool, now) -> CheckInOutcome:
    team = queries.team_of(visit)
    confirmed = set(CheckIn.objects.filter(visit=visit).values_list("officer_id", flat=True))
    decision = _team_decision(visit, team, confirmed, on=timezone.localdate(now))
    names = [m.officer.name for m in team if m.officer_id in confirmed]
    return CheckInOutcome(
        visit,
        visit.status in ("in_progress", "done"),
        replay,
        names,
        decision,
        None,
        _reasons(decision.reasons) if visit.status == "approved" else [],
        queries.same_item_warnings(visit),
    )


def confirm_check_in(
    *,
    actor,
    visit_id: int,
    nonce: str,
    lat=None,
    lng=None,
    accuracy=None,
    officer_ids: Iterable[int] | None = None,
    now: dt.datetime | None = None,
) -> CheckInOutcome:
    """One officer confirms entry on their own phone. The visit starts (status in_progress,
    one slot used) when two eligible officers of its team have confirmed and the cap allows.

    The enterprise row is locked before the cap is computed, so two check-ins racing for the
    last slot are serialised: exactly one succeeds. A retry with the same nonce (or a second
    confirmation by the same officer) changes nothing and returns the current state.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    nonce = (nonce or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_\-]{8,64}", nonce):
        raise ValidationFailed(
            "nonce_invalid", "nonce 须为8至64位字母、数字、下划线或连字符。", field="nonce"
        )
    officer = officer_of(actor)
    if officer is None:
        if has_role(actor, Role.EXPERT):
            raise Forbidden(
                "专家只提供技术支持，不是执法人员，不能确认入企，也不计入两名执法人员。"
            )
        raise Forbidden("只有本次检查的执法人员可以在本人手机上确认入企。")
    lat = _coord(lat, -90, 90, "lat")
    lng = _coord(lng, -180, 180, "lng")
    try:
        accuracy = float(accuracy) if accuracy not in (None, "") else None
    except (TypeError, ValueError):
        accuracy = None
    enterprise_id = (
        Visit.objects.filter(pk=visit_id).values_list("enterprise_id", flat=True).first()
    )
    if enterprise_id is None:
        raise NotFound()
    with transaction.atomic():
        # Lock order everywhere: enterprise, then visit. (On PostgreSQL the visit's FOR UPDATE
        # with select_related locks the joined enterprise row too; the explicit lock first
        # keeps the order and documents the intent.)
        Enterprise.objects.select_for_update().get(pk=enterprise_id)
        visit = Visit.objects.select_for_update().select_related("enterprise").get(pk=visit_id)
        same = CheckIn.objects.filter(visit=visit, nonce=nonce).first()
        if same is not None:
            if same.officer_id != officer.pk:
                raise _refuse("nonce_reused", "该 nonce 已被其他执法人员使用，请重新生成。")
            return _outcome(visit, replay=True, now=now)
        if CheckIn.objects.filter(visit=visit, officer=officer).exists():
            return _outcome(visit, replay=True, now=now)
        team = queries.team_of(visit)
        team_ids = {m.officer_id for m in team}
        if officer.pk not in team_ids:
            raise Forbidden("您不是本次检查方案中的执法人员，不能确认入企。")
        if officer_ids is not None:
            listed = {int(i) for i in officer_ids}
            if not listed <= team_ids:
                raise ValidationFailed(
                    "officer_not_on_team",
                    "officer_ids 中有不属于本次检查方案的执法人员。",
                    field="officer_ids",
                )
            if officer.pk not in listed:
                raise ValidationFailed(
                    "caller_not_listed", "调用者须是 officer_ids 中的一人。", field="officer_ids"
                )
            if len(listed) < 2:
                raise _refuse(
                    "too_few_officers",
                    "入企须由2名以上执法人员共同确认，officer_ids 只列了1人。",
                    [Reason("too_few_officers", "现场检查须由2名以上持有效执法证的执法人员实施。")],
                )
        if visit.kind != "on_site":
            raise _refuse("off_site_visit", "非现场检查不需要扫码入企。")
        if visit.status in ("draft", "plan_submitted"):
            r = Reason("plan_not_approved", "现场检查方案尚未经审批负责人批准，不得入企检查。")
            raise _refuse(r.code, r.message, [r])
        if visit.status in ("cancelled", "done"):
            raise _refuse("visit_closed", "该检查已结束或已取消。")
        confirmed = set(CheckIn.objects.filter(visit=visit).values_list("officer_id", flat=True))
        decision = _team_decision(visit, team, confirmed | {officer.pk}, on=today)
        own = queries.eligibility(
            next(m.officer for m in team if m.officer_id == officer.pk),
            on=today,
            domains=queries.item_domains(visit),
        )
        if not own.eligible:
            r = own.reasons[0]
            raise _refuse(r.code, r.message, own.reasons)
        blocking = [
            r
            for r in decision.reasons
            if r.code in ("too_few_officers", "too_few_eligible_officers")
        ]
        if blocking:
            raise _refuse(blocking[0].code, blocking[0].message, decision.reasons)
        cap = None
        if visit.status == "approved":
            if visit.planned_date.year != today.year:
                raise _refuse("plan_other_year", "检查方案的计划年度与今天不一致，请重新安排检查。")
            _check_reinspection(visit, year=today.year)
            cap = queries.cap_decision(visit, today=today, stage=CapStage.CHECK_IN, day=today)
            if not cap.allowed:
                raise _refuse("cap_reached", cap.reasons[-1].message, cap.reasons)
        try:
            with transaction.atomic():
                CheckIn.objects.create(
                    visit=visit,
                    officer=officer,
                    user=actor,
                    nonce=nonce,
                    certificate_number=own.certificate or "",
                    confirmed_at=now,
                    lat=lat,
                    lng=lng,
                    accuracy=accuracy,
                )
        except IntegrityError:
            return _outcome(visit, replay=True, now=now)
        VisitOfficer.objects.filter(visit=visit, officer=officer).update(
            confirmed_at=now, certificate_number=own.certificate or ""
        )
        started = False
        if decision.ready and visit.status == "approved" and lat is None:
            # The visit's location: this phone's, or else the first colleague's that had one.
            first = (
                CheckIn.objects.filter(visit=visit, lat__isnull=False)
                .order_by("confirmed_at", "id")
                .values_list("lat", "lng", "accuracy")
                .first()
            )
            if first:
                lat, lng, accuracy = first
        if decision.ready and visit.status == "approved":
            n = Visit.objects.filter(pk=visit.pk, status="approved").update(
                status="in_progress",
                checked_in_at=now,
                checkin_lat=lat,
                checkin_lng=lng,
                checkin_accuracy=accuracy,
            )
            started = bool(n)
        audit.record(
            actor=actor,
            action="check_in" if started else "confirm_check_in",
            obj=visit,
            summary=(
                f"{officer.name}确认入企，检查开始（{visit.enterprise.name}）"
                if started
                else f"{officer.name}确认入企（{visit.enterprise.name}）"
            ),
            data={
                "nonce": nonce,
                "certificate": own.certificate,
                "lat": lat,
                "lng": lng,
                "cap": _decision_data(cap) if cap else None,
            },
        )
    visit.refresh_from_db()
    out = _outcome(visit, replay=False, now=now)
    out.cap = cap
    return out


# ------------------------------------------------ during the visit


def _require_on_team(actor, visit: Visit) -> Officer:
    officer = officer_of(actor)
    if officer is None or not visit.team.filter(officer=officer).exists():
        raise Forbidden("只有本次检查的执法人员可以记录检查情况。")
    return officer


def _require_in_progress(visit: Visit) -> None:
    visit.refresh_from_db(fields=["status"])
    if visit.status != "in_progress" and not (
        visit.kind == "off_site" and visit.status == "approved"
    ):
        raise _refuse("visit_not_in_progress", "检查尚未开始（须先扫码入企）或已结束。")


def start_recording(*, actor, visit: Visit, device: str, started_at=None) -> Recording:
    _require_on_team(actor, visit)
    _require_in_progress(visit)
    device = (device or "").strip()
    if not device:
        raise ValidationFailed("device_blank", "请填写执法记录仪编号。", field="device")
    with transaction.atomic():
        rec = Recording.objects.create(
            visit=visit,
            device=device[:100],
            started_at=started_at or timezone.now(),
            created_by=actor,
        )
        audit.record(
            actor=actor, action="start_recording", obj=rec, summary=f"开始执法记录 {device}"
        )
    return rec


def end_recording(*, actor, recording: Recording, ended_at=None) -> Recording:
    _require_on_team(actor, recording.visit)
    ended_at = ended_at or timezone.now()
    if ended_at < recording.started_at:
        raise ValidationFailed("ended_before_start", "结束时间不能早于开始时间。", field="ended_at")
    with transaction.atomic():
        Recording.objects.filter(pk=recording.pk).update(ended_at=ended_at)
        audit.record(actor=actor, action="end_recording", obj=recording, summary="结束执法记录")
    recording.refresh_from_db()
    return recording


ALLOWED_MEDIA = {
    "video/mp4": (".mp4", ".m4v"),
    "video/quicktime": (".mov",),
    "audio/mp4": (".m4a",),
    "audio/mpeg": (".mp3",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/webp": (".webp",),
}
MAX_MEDIA_BYTES = 2 * 1024 * 1024 * 1024


def sniff(head: bytes) -> str | None:
    """The content type the file's first bytes show, whatever the upload claims."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"qt  ",):
            return "video/quicktime"
        if brand in (b"M4A ",):
            return "audio/mp4"
        return "video/mp4"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    return None


def upload_media(
    *, actor, visit: Visit, upload, recording: Recording | None = None, finding=None
) -> MediaFile:
    """Store a recording file or a photo; the server computes its SHA-256 and checks that
    its bytes are the type it claims."""
    _require_on_team(actor, visit)
    name = (getattr(upload, "name", "") or "file").rsplit("/", 1)[-1][:200]
    size = getattr(upload, "size", 0) or 0
    if size <= 0:
        raise ValidationFailed("file_empty", "上传的文件为空。", field="file")
    if size > MAX_MEDIA_BYTES:
        raise ValidationFailed("file_too_large", "文件超过2GB。", field="file")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head)
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind is None or ext not in ALLOWED_MEDIA[kind]:
        raise ValidationFailed(
            "file_type_not_allowed",
            "只接受执法记录视频（mp4、mov）、音频（m4a、mp3）和照片（jpg、png、webp），"
            "且文件内容须与扩展名一致。",
            field="file",
        )
    h = hashlib.sha256()
    for chunk in upload.chunks():
        h.update(chunk)
    upload.seek(0)
    if recording is not None and recording.visit_id != visit.pk:
        raise ValidationFailed(
            "recording_other_visit", "执法记录不属于本次检查。", field="recording"
        )
    with transaction.atomic():
        m = MediaFile(
            visit=visit,
            recording=recording,
            finding=finding,
            original_name=name,
            sha256=h.hexdigest(),
            size=size,
            content_type=kind,
            uploaded_by=actor,
        )
        m.file.save(f"{visit.pk}-{h.hexdigest()[:16]}{ext}", upload, save=False)
        m.save()
        audit.record(
            actor=actor,
            action="upload_media",
            obj=m,
            summary=f"上传 {name}",
            data={"sha256": m.sha256, "size": size, "type": kind},
        )
    return m


def record_finding(*, actor, visit: Visit, item_code: str, result: str, notes: str = "") -> Finding:
    _require_on_team(actor, visit)
    _require_in_progress(visit)
    item = visit.items.filter(code=item_code).first()
    if item is None:
        raise ValidationFailed(
            "item_not_in_plan", "只能记录本次检查方案中的检查事项。", field="item_code"
        )
    if result not in Finding.Result.values:
        raise ValidationFailed(
            "result_invalid", "检查结果应为符合、不符合或不适用。", field="result"
        )
    notes = (notes or "").strip()
    if result == "non_compliant" and not notes:
        raise ValidationFailed(
            "notes_required", "检查结果为不符合的，须说明具体情况。", field="notes"
        )
    with transaction.atomic():
        f, _ = Finding.objects.update_or_create(
            visit=visit,
            item=item,
            defaults={"result": result, "notes": notes, "created_by": actor},
        )
        audit.record(actor=actor, action="record_finding", obj=f, summary=f"{item.code} {result}")
    return f


def record_hazard(
    *,
    actor,
    visit: Visit,
    level: str,
    description: str,
    place: str = "",
    item_code: str = "",
) -> Hazard:
    _require_on_team(actor, visit)
    _require_in_progress(visit)
    if level not in Hazard.Level.values:
        raise ValidationFailed("level_invalid", "隐患等级应为一般或重大。", field="level")
    description = (description or "").strip()
    if not description:
        raise ValidationFailed("description_blank", "请描述隐患情况。", field="description")
    item = visit.items.filter(code=item_code).first() if item_code else None
    with transaction.atomic():
        h = Hazard.objects.create(
            visit=visit,
            enterprise_id=visit.enterprise_id,
            item=item,
            level=level,
            description=description,
            place=(place or "").strip()[:200],
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="record_hazard",
            obj=h,
            summary=f"发现{h.get_level_display()}：{description[:40]}",
        )
    return h


def issue_order(
    *,
    actor,
    visit: Visit,
    hazard_ids: Iterable[int],
    deadline: dt.date,
    requirements: str = "",
    today: dt.date | None = None,
) -> RectificationOrder:
    """责令限期整改指令书 for hazards of this visit."""
    _require_on_team(actor, visit)
    today = today or timezone.localdate()
    hazards = list(Hazard.objects.filter(visit=visit, pk__in=list(hazard_ids), status="open"))
    if not hazards:
        raise ValidationFailed(
            "no_hazards", "请选择本次检查发现的、尚未整改的隐患。", field="hazard_ids"
        )
    if not isinstance(deadline, dt.date) or deadline <= today:
        raise ValidationFailed("deadline_invalid", "整改期限须晚于今天。", field="deadline")
    if visit.status not in ("in_progress", "done"):
        raise _refuse("visit_not_started", "检查开始后才能下达整改指令。")
    with transaction.atomic():
        order = RectificationOrder.objects.create(
            visit=visit,
            enterprise_id=visit.enterprise_id,
            number=next_number("order", today.year),
            requirements=(requirements or "").strip(),
            issued_on=today,
            deadline=deadline,
            issued_by=actor,
        )
        order.hazards.set(hazards)
        audit.record(
            actor=actor,
            action="issue_order",
            obj=order,
            summary=f"下达责令限期整改指令书 {order.number}，期限{deadline}",
            data={"hazards": [h.pk for h in hazards]},
        )
    return order


def check_out(*, actor, visit: Visit, summary: str = "", now=None) -> Visit:
    """End the visit. Without any recording the visit is flagged (R6.3)."""
    _require_on_team(actor, visit)
    now = now or timezone.now()
    with transaction.atomic():
        v = Visit.objects.select_for_update().get(pk=visit.pk)
        if v.status != "in_progress":
            raise _refuse("visit_not_in_progress", "只有检查中的检查可以离企。")
        missing = not Recording.objects.filter(visit=v).exists()
        v.status, v.checked_out_at, v.missing_recording = "done", now, missing
        v.summary = (summary or v.summary or "").strip()
        if not v.record_number:
            v.record_number = next_number("record", timezone.localdate(now).year)
        v.save(
            update_fields=[
                "status",
                "checked_out_at",
                "missing_recording",
                "summary",
                "record_number",
                "updated_at",
            ]
        )
        audit.record(
            actor=actor,
            action="check_out",
            obj=v,
            summary=f"离企，检查结束{'（无执法记录）' if missing else ''}",
            data={"missing_recording": missing},
        )
    return v


# ------------------------------------------------ follow-up (R6.4)


def create_follow_up(
    *,
    actor,
    order: RectificationOrder,
    planned_date: dt.date,
    officer_ids: Iterable[int],
    today: dt.date | None = None,
) -> Visit:
    """The 整改复查: an exempt visit justified by the order it follows up."""
    original = order.visit
    return create_visit(
        actor=actor,
        enterprise=order.enterprise,
        kind="on_site",
        trigger="follow_up",
        planned_date=planned_date,
        item_codes=[i.code for i in original.items.all()],
        officer_ids=officer_ids,
        justification={
            "kind": "rectification_order",
            "reference": order.number,
            "date": order.issued_on,
            "summary": f"复查{order.number}所列{order.hazards.count()}项隐患的整改情况",
        },
        department=original.department,
        parent_visit=original,
        follow_up_order=order,
        today=today,
    )


def record_follow_up_result(*, actor, visit: Visit, result: str, notes: str = "") -> Visit:
    _require_on_team(actor, visit)
    visit.refresh_from_db(fields=["status"])
    if visit.follow_up_order_id is None:
        raise _refuse("not_a_follow_up", "这不是整改复查。")
    if result not in Visit.FollowUpResult.values:
        raise ValidationFailed("result_invalid", "复查结论应为已整改或未按期整改。", field="result")
    if visit.status not in ("in_progress", "done"):
        raise _refuse("visit_not_started", "复查开始后才能填写复查结论。")
    now = timezone.now()
    with transaction.atomic():
        v = Visit.objects.select_for_update().get(pk=visit.pk)
        v.follow_up_result, v.follow_up_notes = result, (notes or "").strip()
        if not v.review_number:
            v.review_number = next_number("review", timezone.localdate(now).year)
        v.save(update_fields=["follow_up_result", "follow_up_notes", "review_number", "updated_at"])
        order = v.follow_up_order
        RectificationOrder.objects.filter(pk=order.pk).update(status=result)
        if result == "rectified":
            order.hazards.filter(status="open").update(status="rectified", rectified_at=now)
        audit.record(
            actor=actor,
            action="follow_up_result",
            obj=v,
            summary=f"整改复查 {order.number}：{v.get_follow_up_result_display()}",
        )
    return v


# ------------------------------------------------ the justification's attachment (R3.3)

ALLOWED_JUSTIFICATION = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}
MAX_JUSTIFICATION_BYTES = 10 * 1024 * 1024


def check_justification_file(upload) -> tuple[str, str]:
    """The attachment's (content type, extension) read from its bytes: PDF, JPEG or PNG,
    at most 10 MB, the name's extension agreeing with the content. Refuses otherwise."""
    if upload is None:
        raise ValidationFailed("file_missing", "请选择依据附件。", field="justification_attachment")
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1]
    size = getattr(upload, "size", 0) or 0
    if size <= 0:
        raise ValidationFailed("file_empty", "依据附件为空文件。", field="justification_attachment")
    if size > MAX_JUSTIFICATION_BYTES:
        raise ValidationFailed(
            "file_too_large", "依据附件不得超过10MB。", field="justification_attachment"
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = "application/pdf" if head.startswith(b"%PDF-") else sniff(head)
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind not in ALLOWED_JUSTIFICATION or ext not in ALLOWED_JUSTIFICATION[kind]:
        raise ValidationFailed(
            "file_type_not_allowed",
            "依据附件只接受PDF、JPEG、PNG文件，且文件内容须与扩展名一致。",
            field="justification_attachment",
        )
    return kind, ALLOWED_JUSTIFICATION[kind][0]


def attach_justification(*, actor, visit: Visit, upload) -> Visit:
    """Attach (or replace) the scan of the record that justifies an exempt visit: the
    complaint, referral, warning, application or order. Before check-in only."""
    _require_team_or_approver(actor, visit)
    kind, ext = check_justification_file(upload)
    h = hashlib.sha256()
    for chunk in upload.chunks():
        h.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        v = Visit.objects.select_for_update().get(pk=visit.pk)
        if v.status not in ("draft", "plan_submitted", "approved"):
            raise _refuse("visit_started", "检查已开始、已结束或已取消，不能再更换依据附件。")
        if not v.justification_reference:
            raise _refuse(
                "no_justification",
                "本次检查没有登记依据材料（类型、编号、日期），不能上传依据附件。",
                field="justification_attachment",
            )
        v.justification_attachment.save(f"{v.pk}-{h.hexdigest()[:16]}{ext}", upload, save=False)
        v.save(update_fields=["justification_attachment", "updated_at"])
        audit.record(
            actor=actor,
            action="attach_justification",
            obj=v,
            summary=f"上传依据附件（{v.justification_reference}）",
            data={"sha256": h.hexdigest(), "size": upload.size, "type": kind},
        )
    visit.justification_attachment = v.justification_attachment
    return v


# ------------------------------------------------ the enterprise's rating


def rate_visit(*, actor, visit: Visit, score: int, comment: str = "") -> VisitRating:
    if not has_role(actor, Role.ENTERPRISE) or actor.enterprise_id != visit.enterprise_id:
        raise Forbidden("只有被检查企业可以评价本次检查。")
    visit.refresh_from_db(fields=["status"])
    if visit.status != "done":
        raise _refuse("visit_not_done", "检查结束后才能评价。")
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationFailed("score_out_of_range", "评分须为1至5分。", field="score")
    with transaction.atomic():
        if VisitRating.objects.filter(visit=visit).exists():
            raise _refuse("already_rated", "本次检查已评价过。")
        r = VisitRating.objects.create(
            visit=visit, user=actor, score=score, comment=(comment or "").strip()[:1000]
        )
        audit.record(actor=actor, action="rate_visit", obj=r, summary=f"企业评价 {score} 分")
    return r
