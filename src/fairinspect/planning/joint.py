"""Joint and merged visits (R5.1–R5.4): the cross-department item list, joint plans with the
departments' roles, the planning check (one level per enterprise, no district repeat after
the city, same-item duplicates warned), the merge finder and merging on approval."""

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fairinspect.audit import trail
from fairinspect.catalog.queries import items_in_force
from fairinspect.core.duties import require as require_duty
from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.core.roles import Role, has_role
from fairinspect.registry.access import enterprises_visible_to
from fairinspect.registry.models import Department, Enterprise
from fairinspect.rules.caps import (
    Level,
    Reason,
    Trigger,
    check_district_reinspection,
    check_enforcement_level,
)
from fairinspect.rules.results import reason_dicts

from . import access, bridge
from .models import JointParty, JointPlan, MergeDecision
from .services import clean_date, clean_text

DEFAULT_WINDOW_DAYS = 30


# ---- the planning check (R5.3, R5.4) ------------------------------------------------------


@dataclass(frozen=True)
class PlanningCheck:
    allowed: bool
    joint_required: bool
    reasons: tuple[Reason, ...]  # why allowed or refused (level, re-inspection)
    warnings: tuple[Reason, ...] = field(default=())  # same-item duplicates, missing partners


def _is_district_partner(dept: Department, enterprise: Enterprise) -> bool:
    bureau = dept.bureau
    return bureau.level == "district" and bureau.division_code == enterprise.district_code


def planning_check(
    *,
    enterprise: Enterprise,
    department: Department,
    items: Sequence[str],
    trigger: str,
    partners: Sequence[Department] = (),
    year: int,
    exclude_visit_ids: Sequence[int] = (),
) -> PlanningCheck:
    """May this unit plan this visit? Refusals for R5.3, warnings for R5.4."""
    trig = Trigger(trigger)
    bureau = department.bureau
    level = check_enforcement_level(
        Level(enterprise.supervising_level),
        Level(bureau.level),
        trig,
        any(_is_district_partner(p, enterprise) for p in partners),
    )
    again = check_district_reinspection(
        Level(bureau.level),
        trig,
        bridge.city_inspected_items(enterprise.pk, year),
        set(items),
    )
    warnings: list[Reason] = []
    for v in bridge.same_item_visits(enterprise.pk, year, items, exclude_visit_ids):
        same = sorted({i.code for i in v.items.all()} & set(items))
        warnings.append(
            Reason(
                "same_item_this_year",
                f"{v.department.name}已于{v.planned_date:%Y年%m月%d日}就相同事项（{'、'.join(same)}）"
                f"{'检查' if v.status in ('in_progress', 'done') else '计划检查'}该企业，"
                "请避免重复检查、多头检查（可合并为一次检查）。",
            )
        )
    cross = items_in_force().filter(code__in=list(items), cross_department=True)
    for item in cross:
        warnings.append(
            Reason(
                "cross_department_item",
                f"“{item.name}”属于跨部门综合监管事项，应会同{'、'.join(item.cross_departments)}"
                "联合检查，并在联合检查计划中写明各部门职责。",
            )
        )
    allowed = level.allowed and again.allowed
    reasons = level.reasons + again.reasons
    return PlanningCheck(allowed, level.joint_required, reasons, tuple(warnings))


def check_for(*, actor, data: Mapping[str, Any]) -> PlanningCheck:
    department = access.require_planner(actor)
    enterprise = _enterprise(actor, data)
    items = _items(data)
    partners = list(
        Department.objects.filter(code__in=list(data.get("partner_department_codes") or []))
    )
    trigger = str(data.get("trigger") or Trigger.ANNUAL_PLAN.value)
    if trigger not in {t.value for t in Trigger}:
        raise ValidationFailed("trigger_invalid", "检查来源不在允许范围内。", field="trigger")
    day = clean_date(data, "planned_date", "计划检查日期") if data.get("planned_date") else None
    year = day.year if day else timezone.localdate().year
    return planning_check(
        enterprise=enterprise,
        department=department,
        items=items,
        trigger=trigger,
        partners=partners,
        year=year,
    )


def _enterprise(actor, data: Mapping[str, Any]) -> Enterprise:
    code = clean_text(data, "credit_code", "统一社会信用代码", max_length=18).upper()
    enterprise = enterprises_visible_to(actor).filter(credit_code=code).first()
    if enterprise is None:
        # A city unit may plan a joint visit to a district's enterprise it can see.
        raise ValidationFailed(
            "enterprise_not_found", f"未找到统一社会信用代码为{code}的企业。", field="credit_code"
        )
    return enterprise


def _items(data: Mapping[str, Any]) -> list[str]:
    codes = sorted({str(c).strip() for c in data.get("items") or [] if str(c).strip()})
    if not codes:
        raise ValidationFailed("items_empty", "请至少选择一项检查事项。", field="items")
    known = set(items_in_force().filter(code__in=codes).values_list("code", flat=True))
    if missing := [c for c in codes if c not in known]:
        raise ValidationFailed(
            "item_not_in_force", f"不在现行清单中的事项：{'、'.join(missing)}。", field="items"
        )
    return codes


# ---- joint plans (R5.1) -------------------------------------------------------------------


def create_joint_plan(*, actor, data: Mapping[str, Any], today: dt.date | None = None) -> JointPlan:
    """A joint visit: the lead (the actor's bureau) and its partners with their roles. The
    visit is created through visits with a merge group, so it counts once (R5.2)."""
    lead = access.require_planner(actor)
    today = today or timezone.localdate()
    enterprise = _enterprise(actor, data)
    items = _items(data)
    day = clean_date(data, "planned_date", "计划检查日期")
    trigger = str(data.get("trigger") or Trigger.ANNUAL_PLAN.value)
    if trigger not in {t.value for t in Trigger}:
        raise ValidationFailed("trigger_invalid", "检查来源不在允许范围内。", field="trigger")
    parties = data.get("parties") or []
    internal: list[tuple[Department, str, str]] = []
    external: list[tuple[str, str, str]] = []
    for i, p in enumerate(parties):
        role = str(p.get("role") or "partner")
        if role not in (JointParty.Role.PARTNER, JointParty.Role.SUPPORT):
            raise ValidationFailed(
                "role_invalid",
                f"第{i + 1}个单位的角色应为联合检查单位或配合单位。",
                field=f"parties.{i}",
            )
        duties = str(p.get("duties") or "").strip()[:300]
        code = str(p.get("department_code") or "").strip()
        name = str(p.get("external_name") or "").strip()[:100]
        if code:
            dept = Department.objects.filter(code=code).first()
            if dept is None or dept.bureau.pk == lead.pk:
                raise ValidationFailed(
                    "party_invalid",
                    f"第{i + 1}个单位不存在或与牵头单位相同。",
                    field=f"parties.{i}",
                )
            internal.append((dept, role, duties))
        elif name:
            external.append((name, role, duties))
        else:
            raise ValidationFailed(
                "party_unnamed", f"第{i + 1}个单位未填写部门。", field=f"parties.{i}"
            )
    if not internal and not external:
        raise ValidationFailed("no_partner", "联合检查须至少有一个联合检查单位。", field="parties")
    officer_ids = [int(o) for o in data.get("officer_ids") or [] if str(o).strip().isdigit()]
    check = planning_check(
        enterprise=enterprise,
        department=lead,
        items=items,
        trigger=trigger,
        partners=[d for d, _r, _d in internal],
        year=day.year,
    )
    if not check.allowed:
        refused = [r for r in check.reasons if r.code not in _OK_CODES]
        raise Conflict(
            refused[0].code,
            refused[0].message,
            extra={"reasons": reason_dicts(refused)},
        )
    group = f"joint-{uuid.uuid4().hex[:16]}"
    with transaction.atomic():
        visit = bridge.create_visit(
            actor=actor,
            enterprise=enterprise,
            kind="on_site",
            trigger=trigger,
            planned_date=day,
            item_codes=items,
            officer_ids=officer_ids,
            department=actor.department or lead,
            merge_group=group,
            joint_department_ids=[d.pk for d, _r, _d in internal],
            today=today,
            **({"justification": data["justification"]} if data.get("justification") else {}),
        )
        plan = JointPlan.objects.create(
            enterprise=enterprise,
            lead_department=lead,
            merge_group=group,
            visit=visit,
            planned_date=day,
            items=items,
            trigger=trigger,
            notes=str(data.get("notes") or "")[:2000],
            warnings=reason_dicts(check.warnings),
            created_by=actor,
        )
        JointParty.objects.create(
            joint_plan=plan,
            department=lead,
            role=JointParty.Role.LEAD,
            duties=str(data.get("lead_duties") or "牵头组织")[:300],
        )
        JointParty.objects.bulk_create(
            [JointParty(joint_plan=plan, department=d, role=r, duties=du) for d, r, du in internal]
            + [
                JointParty(joint_plan=plan, external_name=n, role=r, duties=du)
                for n, r, du in external
            ]
        )
        trail.record(
            actor=actor,
            action="create_joint_plan",
            obj=plan,
            summary=f"联合检查计划：{enterprise.name}（{day:%Y-%m-%d}）",
            data={
                "items": items,
                "partners": [d.code for d, _r, _d in internal] + [n for n, _r, _d in external],
                "warnings": [w.code for w in check.warnings],
                "visit": visit.pk,
            },
        )
    return plan


_OK_CODES = {
    "same_level",
    "level_exception_exempt_trigger",
    "joint_with_district",
    "city_inspection_not_restricted",
    "city_has_not_inspected",
    "follow_up_after_city",
    "exempt_trigger_after_city",
}


def joint_plans_visible_to(user):
    access.require_staff(user)
    qs = JointPlan.objects.select_related("enterprise", "lead_department").prefetch_related(
        "parties__department"
    )
    if has_role(user, Role.ADMIN):
        return qs
    bureau = access.bureau_of(user)
    if bureau is None:
        return qs.none()
    if bureau.level == "city":
        return qs
    return qs.filter(Q(lead_department=bureau) | Q(parties__department=bureau)).distinct()


def get_joint_plan(user, pk: int) -> JointPlan:
    plan = joint_plans_visible_to(user).filter(pk=pk).first()
    if plan is None:
        from fairinspect.core.errors import NotFound

        raise NotFound()
    return plan


# ---- the merge finder and merging (R5.2) --------------------------------------------------


@dataclass(frozen=True)
class MergeProposal:
    enterprise: Enterprise
    visits: tuple  # visits.Visit rows, by date
    departments: tuple[str, ...]
    items: tuple[str, ...]
    triggers: tuple[str, ...]
    suggested_date: dt.date
    reason: str

    @property
    def visit_ids(self) -> list[int]:
        return [v.pk for v in self.visits]


def merge_proposals(
    *, user, today: dt.date | None = None, window_days: int = DEFAULT_WINDOW_DAYS
) -> list[MergeProposal]:
    """Planned visits of one enterprise within ``window_days`` of each other, by several
    units, items or campaigns, that are not already one trip."""
    from fairinspect.visits.access import visits_visible_to

    access.require_staff(user)
    today = today or timezone.localdate()
    window = dt.timedelta(days=window_days)
    proposals: list[MergeProposal] = []
    cluster: list = []

    def flush():
        if len(cluster) < 2:
            return
        groups = {(v.merge_group, v.planned_date) if v.merge_group else v.pk for v in cluster}
        if len(groups) < 2:
            return  # already one trip
        departments = tuple(sorted({v.department.name for v in cluster}))
        items = tuple(sorted({i.code for v in cluster for i in v.items.all()}))
        triggers = tuple(sorted({v.get_trigger_display() for v in cluster}))
        what = []
        if len(departments) > 1:
            what.append(f"{len(departments)}个单位")
        if len({frozenset(i.code for i in v.items.all()) for v in cluster}) > 1:
            what.append("不同事项")
        if len(triggers) > 1:
            what.append("不同检查来源（专项、计划、抽查）")
        reason = (
            f"{cluster[0].enterprise.name}在{window_days}天内有{len(cluster)}次计划检查"
            f"（{'、'.join(what) or '同一单位'}），建议合并为一次检查（综合查一次）。"
        )
        proposals.append(
            MergeProposal(
                cluster[0].enterprise,
                tuple(cluster),
                departments,
                items,
                triggers,
                max(today, cluster[0].planned_date),
                reason,
            )
        )

    for v in bridge.planned_visits(visits_visible_to(user), since=today):
        if cluster and (
            v.enterprise_id != cluster[0].enterprise_id
            or v.planned_date - cluster[-1].planned_date > window
        ):
            flush()
            cluster = []
        cluster.append(v)
    flush()
    return proposals


def merge(*, actor, data: Mapping[str, Any], today: dt.date | None = None) -> MergeDecision:
    """Approve a merge: the visits get one merge group and one day, and so count once."""
    from fairinspect.visits.access import plan_duty as merge_duty
    from fairinspect.visits.access import visits_visible_to

    if not has_role(actor, Role.APPROVER, Role.ADMIN):
        raise Forbidden("只有审批负责人可以批准合并检查。")
    today = today or timezone.localdate()
    ids = sorted({int(i) for i in data.get("visit_ids") or [] if str(i).strip().isdigit()})
    if len(ids) < 2:
        raise ValidationFailed("too_few_visits", "至少选择两次检查才能合并。", field="visit_ids")
    day = clean_date(data, "planned_date", "合并后检查日期")
    if day < today:
        raise ValidationFailed("date_in_past", "合并后检查日期不能早于今天。", field="planned_date")
    reason = str(data.get("reason") or "").strip()[:300]
    visits = list(visits_visible_to(actor).filter(pk__in=ids).select_related("enterprise"))
    if len(visits) != len(ids):
        raise ValidationFailed("visit_not_found", "部分检查不存在或您无权查看。", field="visit_ids")
    if len({v.enterprise_id for v in visits}) != 1:
        raise ValidationFailed(
            "different_enterprises", "只能合并同一企业的检查。", field="visit_ids"
        )
    if any(v.kind != "on_site" for v in visits):
        raise ValidationFailed("not_on_site", "只能合并现场检查。", field="visit_ids")
    group = f"merge-{uuid.uuid4().hex[:16]}"
    with transaction.atomic():
        # R1.5: every merged visit is approved as its own plan would be: not by its author,
        # submitter or team, and only within the bureau of its (lead) department.
        for v in visits:
            require_duty(actor, "批准合并该检查", Role.APPROVER, merge_duty(v))
        moved = bridge.merge_visits(visit_ids=ids, merge_group=group, planned_date=day)
        if moved != len(ids):
            raise Conflict("visit_started", "部分检查已开始、已完成或已取消，不能合并。")
        decision = MergeDecision.objects.create(
            enterprise=visits[0].enterprise,
            merge_group=group,
            planned_date=day,
            visit_ids=ids,
            reason=reason,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        trail.record(
            actor=actor,
            action="merge_visits",
            obj=decision,
            summary=f"合并检查：{visits[0].enterprise.name}，{len(ids)}次合并为1次（{day:%Y-%m-%d}）",
            data={"visits": ids, "merge_group": group, "planned_date": day},
        )
    return decision


# ---- API ----------------------------------------------------------------------------------


def register(router, errors) -> None:
    from ninja import Query, Schema

    from fairinspect.core.schemas import Date, Id, Input, ReasonOut

    class CheckIn(Input):
        credit_code: str
        items: list[str]
        trigger: str = "annual_plan"
        planned_date: Date | None = None
        partner_department_codes: list[str] = []

    class CheckOut(Schema):
        allowed: bool
        joint_required: bool
        reasons: list[ReasonOut]
        warnings: list[ReasonOut]

    class PartyIn(Input):
        department_code: str = ""
        external_name: str = ""
        role: str = "partner"
        duties: str = ""

    class JointIn(Input):
        credit_code: str
        items: list[str]
        planned_date: Date
        trigger: str = "annual_plan"
        officer_ids: list[Id]
        parties: list[PartyIn]
        lead_duties: str = ""
        notes: str = ""

    class PartyOut(Schema):
        department_code: str | None
        name: str
        role: str
        duties: str

    class JointOut(Schema):
        id: int
        credit_code: str
        enterprise_name: str
        lead_department_code: str
        merge_group: str
        visit_id: int | None
        planned_date: dt.date
        items: list[str]
        trigger: str
        parties: list[PartyOut]
        warnings: list[ReasonOut]

    def joint_out(p: JointPlan) -> dict:
        return {
            "id": p.pk,
            "credit_code": p.enterprise.credit_code,
            "enterprise_name": p.enterprise.name,
            "lead_department_code": p.lead_department.code,
            "merge_group": p.merge_group,
            "visit_id": p.visit_id,
            "planned_date": p.planned_date,
            "items": p.items,
            "trigger": p.trigger,
            "parties": [
                {
                    "department_code": x.department.code if x.department else None,
                    "name": x.department.name if x.department else x.external_name,
                    "role": x.role,
                    "duties": x.duties,
                }
                for x in p.parties.all()
            ],
            "warnings": p.warnings,
        }

    class ProposalOut(Schema):
        credit_code: str
        enterprise_name: str
        visit_ids: list[int]
        departments: list[str]
        items: list[str]
        triggers: list[str]
        suggested_date: dt.date
        reason: str

    class MergeIn(Input):
        visit_ids: list[Id]
        planned_date: Date
        reason: str = ""

    class MergeOut(Schema):
        merge_group: str
        credit_code: str
        planned_date: dt.date
        visit_ids: list[int]

    class CrossItemOut(Schema):
        code: str
        name: str
        domain: str
        cross_departments: list[str]

    @router.get("/cross-department-items", auth=None, response=list[CrossItemOut])
    def cross_items(request):
        """The cross-department item list (跨部门综合监管事项清单), public."""
        return list(items_in_force().filter(cross_department=True))

    @router.post("/planning-check", response={200: CheckOut, **errors})
    def check(request, payload: CheckIn):
        """R5.3 refusals and R5.4 warnings for a visit about to be planned."""
        c = check_for(actor=request.user, data=payload.dict())
        return {
            "allowed": c.allowed,
            "joint_required": c.joint_required,
            "reasons": reason_dicts(c.reasons),
            "warnings": reason_dicts(c.warnings),
        }

    @router.get("/joint-plans", response=list[JointOut])
    def list_joint(request):
        return [joint_out(p) for p in joint_plans_visible_to(request.user)[:200]]

    @router.post("/joint-plans", response={201: JointOut, **errors})
    def create_joint(request, payload: JointIn):
        data = payload.dict()
        return 201, joint_out(create_joint_plan(actor=request.user, data=data))

    @router.get("/joint-plans/{plan_id}", response={200: JointOut, **errors})
    def get_joint(request, plan_id: int):
        return joint_out(get_joint_plan(request.user, plan_id))

    @router.get("/merge-proposals", response={200: list[ProposalOut], **errors})
    def proposals(request, window_days: int = Query(DEFAULT_WINDOW_DAYS, ge=1, le=180)):
        return [
            {
                "credit_code": p.enterprise.credit_code,
                "enterprise_name": p.enterprise.name,
                "visit_ids": p.visit_ids,
                "departments": list(p.departments),
                "items": list(p.items),
                "triggers": list(p.triggers),
                "suggested_date": p.suggested_date,
                "reason": p.reason,
            }
            for p in merge_proposals(user=request.user, window_days=window_days)
        ]

    @router.post("/merges", response={201: MergeOut, **errors})
    def do_merge(request, payload: MergeIn):
        d = merge(actor=request.user, data=payload.dict())
        return 201, {
            "merge_group": d.merge_group,
            "credit_code": d.enterprise.credit_code,
            "planned_date": d.planned_date,
            "visit_ids": d.visit_ids,
        }
