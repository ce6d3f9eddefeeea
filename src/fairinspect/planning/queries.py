"""Reads for planning: which enterprises a bureau plans for, class counts, plan checks."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Cast

from fairinspect.registry.models import Department, Enterprise
from fairinspect.rules.caps import CELL_FIELDS, CapTable, Grade
from fairinspect.rules.plans import KeyFact, LineFact, PlanCheck, check_plan

from . import bridge
from .models import AnnualPlan, SpecialInspection


def territory(department: Department) -> QuerySet[Enterprise]:
    """Enterprises in the bureau's territory (the city: all; a district: its own), active."""
    qs = Enterprise.objects.filter(status=Enterprise.Status.ACTIVE)
    if department.level == "district":
        qs = qs.filter(district_code=department.division_code)
    return qs


def plan_enterprises(department: Department) -> QuerySet[Enterprise]:
    """Enterprises the bureau is the enforcement level for (一家企业对应一个层级)."""
    return territory(department).filter(supervising_level=department.level)


def grade_expression(on: dt.date):
    """SQL for the cap grade: the standardisation grade, or "none" when absent or lapsed."""
    return Case(
        When(standardization_grade__isnull=True, then=Value("none")),
        When(grade_valid_to__lt=on, then=Value("none")),
        When(grade_valid_from__gt=on, then=Value("none")),  # not yet in force
        default=Cast(F("standardization_grade"), CharField()),
        output_field=CharField(),
    )


def class_counts(department: Department, *, on: dt.date) -> dict[tuple[bool, Grade], int]:
    rows = (
        plan_enterprises(department)
        .annotate(cap_grade=grade_expression(on))
        .values("high_risk", "cap_grade")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["high_risk"], Grade(r["cap_grade"])): r["n"] for r in rows}


FROZEN = ("approved", "filed", "published")


def last_year_counts(department: Department, year: int) -> dict[tuple[bool, Grade], int]:
    """Last year's visits to the enterprises this bureau plans for, counted as the cap counts
    them (R3.5): derived from the records, never typed."""
    return bridge.counted_visits_by_class(plan_enterprises(department), year - 1)


def snapshot_of(table: CapTable) -> dict:
    return {
        "year": table.year,
        "source": table.source,
        **{CELL_FIELDS[k]: v for k, v in table.cells().items()},
    }


def plan_table(plan: AnnualPlan) -> CapTable:
    """The cap table a plan is checked against: the one it was approved under, once approved."""
    snap = plan.cap_table_snapshot
    if plan.status in FROZEN and snap:
        return CapTable(**snap)
    return bridge.cap_table(plan.year)


def cap_table_change(plan: AnnualPlan) -> str:
    """Why the plan's cap table differs from today's table for its year ("" when it does
    not): editing the table never changes an approved plan silently (R3.2)."""
    if plan.status not in FROZEN or not plan.cap_table_snapshot:
        return ""
    now = snapshot_of(bridge.cap_table(plan.year))
    if now == plan.cap_table_snapshot:
        return ""
    changed = [
        k for k in now if k not in ("year", "source") and now[k] != plan.cap_table_snapshot.get(k)
    ]
    return (
        f"本计划按批准时的{plan.cap_table_snapshot.get('year')}年度频次上限表审核"
        f"（{plan.cap_table_snapshot.get('source')}）；该表此后已修改"
        f"（{'、'.join(changed) or '依据来源'}），本计划未随之改变，如需调整请退回修订。"
    )


def plan_check(plan: AnnualPlan, *, derived: dict | None = None) -> PlanCheck:
    on = dt.date(plan.year, 1, 1)
    rows = list(plan.lines.all())
    if derived is None:
        derived = (
            {(li.high_risk, Grade(li.grade)): li.last_year_visits for li in rows}
            if plan.status in FROZEN
            else last_year_counts(plan.department, plan.year)
        )
    lines = []
    for li in rows:
        counted = derived.get((li.high_risk, Grade(li.grade)), 0)
        override = li.last_year_override
        lines.append(
            LineFact(
                high_risk=li.high_risk,
                grade=Grade(li.grade),
                enterprises=li.enterprises,
                planned_visits=li.planned_visits,
                last_year_visits=override if override is not None else counted,
                sampling_ratio=li.sampling_ratio,
                last_year_derived=counted,
                last_year_override_reason=li.last_year_override_reason
                if override is not None
                else "",
            )
        )
    keys = list(plan.key_enterprises.select_related("enterprise"))
    facts = bridge.visit_facts([k.enterprise_id for k in keys], plan.year)
    table = plan_table(plan)
    key_facts = []
    for k in keys:
        e = k.enterprise
        grade = bridge.effective_grade(
            e.standardization_grade, e.grade_valid_to, on, e.grade_valid_from
        )
        used = len({(f.merge_group or f.visit_id, f.date) for f in facts.get(e.pk, [])})
        key_facts.append(KeyFact(e.credit_code, e.name, e.high_risk, grade, k.planned_visits, used))
    return check_plan(table=table, lines=lines, key_enterprises=key_facts)


def special_used(department: Department, year: int) -> int:
    return SpecialInspection.objects.filter(
        department=department, year=year, status__in=["approved", "announced"]
    ).count()


def special_ledger(qs: QuerySet[SpecialInspection]) -> list[dict]:
    rows = []
    for s in qs.prefetch_related("enterprises").select_related("requested_by", "decided_by"):
        rows.append(
            {
                "number": f"{s.year}-{s.number:03d}" if s.number else "",
                "department": s.department.name,
                "kind": s.get_kind_display(),
                "title": s.title,
                "targets": s.targets,
                "enterprises": "、".join(e.name for e in s.enterprises.all()),
                "start_date": s.start_date.isoformat(),
                "end_date": s.end_date.isoformat(),
                "content": s.content,
                "reason": s.reason,
                "status": s.get_status_display(),
                "requested_by": _name(s.requested_by),
                "decided_by": _name(s.decided_by),
                "decided_at": s.decided_at.date().isoformat() if s.decided_at else "",
                "decision_note": s.decision_note,
                "announced_at": s.announced_at.date().isoformat() if s.announced_at else "",
            }
        )
    return rows


LEDGER_LABELS = {
    "number": "台账编号",
    "department": "实施单位",
    "kind": "类型",
    "title": "事项",
    "targets": "检查对象",
    "enterprises": "对象企业",
    "start_date": "开始日期",
    "end_date": "结束日期",
    "content": "检查内容",
    "reason": "开展理由",
    "status": "状态",
    "requested_by": "申请人",
    "decided_by": "审批人",
    "decided_at": "审批日期",
    "decision_note": "审批意见",
    "announced_at": "公告日期",
}


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def enterprise_filter_q(task) -> Q:
    q = Q()
    if task.district_code:
        q &= Q(district_code=task.district_code)
    if task.industry_prefix:
        q &= Q(industry__code__startswith=task.industry_prefix)
    if task.risk_level:
        q &= Q(risk_level=task.risk_level)
    if task.high_risk is not None:
        q &= Q(high_risk=task.high_risk)
    if task.supervising_level:
        q &= Q(supervising_level=task.supervising_level)
    return q
