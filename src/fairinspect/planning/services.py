"""Writes for annual plans and special inspections (R9.1, R9.3, R3.5).

Draws live in draws.py. Every write: inside one transaction, state changes as
``UPDATE … WHERE status = old`` with the count checked, and an audit record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from fairinspect.audit import trail
from fairinspect.core.duties import require as require_duty
from fairinspect.core.errors import Conflict, ValidationFailed
from fairinspect.core.roles import Role
from fairinspect.registry.models import Department, Enterprise
from fairinspect.rules.caps import CELLS, Grade
from fairinspect.rules.plans import PlanCheck
from fairinspect.rules.results import reason_dicts

from . import access, bridge, queries
from .models import AnnualPlan, KeyEnterprise, PlanLine, SpecialInspection, SpecialQuota


def transition(model, pk: int, old: str | Sequence[str], new: str, **fields: Any) -> int:
    """Move one row from ``old`` to ``new``; a concurrent change makes the count 0 → 409."""
    olds = [old] if isinstance(old, str) else list(old)
    n = model.objects.filter(pk=pk, status__in=olds).update(status=new, **fields)
    if n != 1:
        raise Conflict(
            "state_changed",
            "该记录的状态已被他人改变，请刷新页面后重试。",
            extra={"expected": olds, "to": new},
        )
    return n


def clean_int(
    data: Mapping[str, Any], name: str, label: str, *, minimum: int = 0, maximum: int = 10**7
) -> int:
    value = data.get(name)
    try:
        if isinstance(value, bool) or value in (None, ""):
            raise ValueError
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed("not_integer", f"{label}须为整数。", field=name) from None
    if not minimum <= number <= maximum:
        raise ValidationFailed("out_of_range", f"{label}须在{minimum}至{maximum}之间。", field=name)
    return number


def clean_ratio(value: Any, name: str, label: str) -> Decimal:
    try:
        ratio = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(
            "not_decimal", f"{label}须为0到1之间的小数，如0.05。", field=name
        ) from None
    if not ratio.is_finite() or not Decimal(0) <= ratio <= Decimal(1):
        raise ValidationFailed("ratio_out_of_range", f"{label}须在0到1之间，如0.05。", field=name)
    if ratio.as_tuple().exponent < -4:  # type: ignore[operator]
        raise ValidationFailed("ratio_too_precise", f"{label}最多4位小数。", field=name)
    return ratio


def clean_text(
    data: Mapping[str, Any], name: str, label: str, *, max_length: int, required=True
) -> str:
    value = str(data.get(name) or "").strip()
    if required and not value:
        raise ValidationFailed("required", f"{label}不能为空。", field=name)
    if len(value) > max_length:
        raise ValidationFailed("too_long", f"{label}不能超过{max_length}个字。", field=name)
    return value


def clean_date(data: Mapping[str, Any], name: str, label: str) -> dt.date:
    value = data.get(name)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationFailed(
            "invalid_date", f"{label}应为日期（YYYY-MM-DD）。", field=name
        ) from None


def _year(data: Mapping[str, Any]) -> int:
    return clean_int(data, "year", "年度", minimum=2000, maximum=2100)


# ---- annual plans (R9.1) ------------------------------------------------------------------


def create_plan(*, actor, data: Mapping[str, Any], today: dt.date | None = None) -> AnnualPlan:
    """A draft with one line per enterprise class, counts and last year's visits filled in."""
    department = access.require_planner(actor, data.get("department"))
    year = _year(data)
    title = clean_text(data, "title", "标题", max_length=200, required=False) or (
        f"{department.name}{year}年度安全生产监督检查计划"
    )
    notes = clean_text(data, "notes", "说明", max_length=5000, required=False)
    on = today or timezone.localdate()
    counts = queries.class_counts(department, on=max(on, dt.date(year, 1, 1)))
    last_year = queries.last_year_counts(department, year)
    with transaction.atomic():
        if AnnualPlan.objects.filter(department=department, year=year).exists():
            raise Conflict("plan_exists", f"{department.name}{year}年度计划已存在。", field="year")
        plan = AnnualPlan.objects.create(
            department=department, year=year, title=title, notes=notes, created_by=actor
        )
        PlanLine.objects.bulk_create(
            PlanLine(
                plan=plan,
                high_risk=hr,
                grade=grade.value,
                enterprises=counts.get((hr, grade), 0),
                last_year_visits=last_year.get((hr, grade), 0),
            )
            for hr, grade in CELLS
        )
        trail.record(
            actor=actor, action="create", obj=plan, summary=f"起草{title}", data={"year": year}
        )
    return plan


def _refresh_derived(plan: AnnualPlan) -> dict:
    """Store last year's counts derived from the records on the plan's lines (the snapshot
    the approver and the public see) and return them."""
    derived = queries.last_year_counts(plan.department, plan.year)
    for line in plan.lines.all():
        counted = derived.get((line.high_risk, Grade(line.grade)), 0)
        if line.last_year_visits != counted:
            PlanLine.objects.filter(pk=line.pk).update(last_year_visits=counted)
    return derived


def _require_draft(plan: AnnualPlan) -> None:
    if plan.status != AnnualPlan.Status.DRAFT:
        raise Conflict("plan_not_draft", "只有草稿状态的计划可以修改，请先退回修改。")


def update_plan_lines(*, actor, plan: AnnualPlan, lines: Sequence[Mapping[str, Any]]) -> AnnualPlan:
    """Set planned visits, last year's visits and sampling share, per class."""
    access.require_planner(actor, plan.department)
    cleaned: dict[tuple[bool, str], dict[str, Any]] = {}
    for i, row in enumerate(lines):
        hr = row.get("high_risk")
        if isinstance(hr, str):
            hr = {"true": True, "1": True, "false": False, "0": False}.get(hr.lower())
        grade = str(row.get("grade") or "")
        if not isinstance(hr, bool) or grade not in {g.value for g in Grade}:
            raise ValidationFailed(
                "unknown_class",
                f"第{i + 1}行：企业分类须指明是否高危（true/false）和标准化等级（1/2/3/none）。",
                field=f"lines.{i}",
            )
        where = f"第{i + 1}行"
        values: dict[str, Any] = {}
        if "planned_visits" in row:
            values["planned_visits"] = clean_int(row, "planned_visits", f"{where}计划检查次数")
        # Last year's count is derived (queries.last_year_counts); a different number is an
        # override and needs its written reason. Sending the derived count, or null, clears it.
        key = "last_year_override" if "last_year_override" in row else "last_year_visits"
        if key in row:
            if row[key] in (None, ""):
                values["last_year_override"] = None
            else:
                values["last_year_override"] = clean_int(row, key, f"{where}上年度检查次数")
                values["last_year_override_reason"] = str(
                    row.get("last_year_override_reason") or ""
                ).strip()[:1000]
                values["_field"] = f"lines.{i}.last_year_override_reason"
        if "sampling_ratio" in row:
            values["sampling_ratio"] = clean_ratio(
                row["sampling_ratio"], "sampling_ratio", f"{where}随机抽查比例"
            )
        cleaned[(hr, grade)] = values
    with transaction.atomic():
        plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
        _require_draft(plan)
        derived = _refresh_derived(plan)
        changed = {}
        for line in plan.lines.all():
            values = dict(cleaned.get((line.high_risk, line.grade), {}))
            field = values.pop("_field", "")
            if "last_year_override" in values:
                counted = derived.get((line.high_risk, Grade(line.grade)), 0)
                if values["last_year_override"] in (None, counted):
                    values["last_year_override"], values["last_year_override_reason"] = None, ""
                elif not values.get("last_year_override_reason"):
                    raise ValidationFailed(
                        "override_reason_required",
                        f"上年度现场检查次数按检查记录统计为{counted}次；改为"
                        f"{values['last_year_override']}次须写明更正理由（将向审批人和公众公开）。",
                        field=field,
                    )
            diff = {k: v for k, v in values.items() if getattr(line, k) != v}
            if diff:
                for k, v in diff.items():
                    setattr(line, k, v)
                line.save(update_fields=list(diff))
                changed[f"{'high_risk' if line.high_risk else 'non_high_risk'}_{line.grade}"] = diff
        if changed:
            trail.record(
                actor=actor,
                action="update",
                obj=plan,
                summary=f"修改{plan.title}的分类计划",
                data=changed,
            )
    return plan


def add_key_enterprise(*, actor, plan: AnnualPlan, data: Mapping[str, Any]) -> KeyEnterprise:
    access.require_planner(actor, plan.department)
    code = clean_text(data, "credit_code", "统一社会信用代码", max_length=18).upper()
    visits = (
        clean_int(data, "planned_visits", "计划检查次数", minimum=1, maximum=365)
        if data.get("planned_visits") not in (None, "")
        else 1
    )
    reason = clean_text(data, "reason", "列为重点的理由", max_length=300)
    enterprise = queries.plan_enterprises(plan.department).filter(credit_code=code).first()
    if enterprise is None:
        raise ValidationFailed(
            "enterprise_not_supervised",
            f"统一社会信用代码{code}的企业不存在，或不由{plan.department.name}监管。",
            field="credit_code",
        )
    with transaction.atomic():
        plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
        _require_draft(plan)
        if plan.key_enterprises.filter(enterprise=enterprise).exists():
            raise Conflict(
                "key_exists", f"{enterprise.name}已列为重点检查企业。", field="credit_code"
            )
        key = KeyEnterprise.objects.create(
            plan=plan, enterprise=enterprise, planned_visits=visits, reason=reason
        )
        trail.record(
            actor=actor,
            action="add_key_enterprise",
            obj=plan,
            summary=f"将{enterprise.name}列为重点检查企业",
            data={"credit_code": code, "planned_visits": visits, "reason": reason},
        )
    return key


def remove_key_enterprise(*, actor, plan: AnnualPlan, key_id: int) -> None:
    access.require_planner(actor, plan.department)
    with transaction.atomic():
        plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
        _require_draft(plan)
        key = plan.key_enterprises.select_related("enterprise").filter(pk=key_id).first()
        if key is None:
            raise ValidationFailed("not_found", "该重点检查企业不在本计划中。", field="key_id")
        key.delete()
        trail.record(
            actor=actor,
            action="remove_key_enterprise",
            obj=plan,
            summary=f"将{key.enterprise.name}移出重点检查企业",
        )


def _reasons(check: PlanCheck) -> list[dict[str, str]]:
    return reason_dicts(check.reasons)


def submit_plan(*, actor, plan: AnnualPlan) -> AnnualPlan:
    access.require_planner(actor, plan.department)
    with transaction.atomic():
        check = queries.plan_check(plan, derived=_refresh_derived(plan))
        if not check.ok:
            raise Conflict(
                "plan_breaks_rules",
                "不能报批：" + "；".join(r.message for r in check.reasons),
                extra={"reasons": _reasons(check)},
            )
        transition(
            AnnualPlan,
            plan.pk,
            "draft",
            "submitted",
            submitted_at=timezone.now(),
            submitted_by=actor,
        )
        trail.record(actor=actor, action="submit", obj=plan, summary=f"{plan.title}报市政府审批")
    plan.refresh_from_db()
    return plan


def return_plan(*, actor, plan: AnnualPlan, reason: str) -> AnnualPlan:
    """Back to draft for corrections (the government sent it back, or the planner asks)."""
    access.require_approver(actor, plan.department)
    reason = clean_text({"reason": reason}, "reason", "退回理由", max_length=300)
    with transaction.atomic():
        row = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
        require_duty(actor, "退回该计划", Role.APPROVER, access.plan_duty(row))
        transition(AnnualPlan, plan.pk, "submitted", "draft", submitted_at=None)
        trail.record(
            actor=actor,
            action="return",
            obj=plan,
            summary=f"{plan.title}退回修改",
            data={"reason": reason},
        )
    plan.refresh_from_db()
    return plan


def approve_plan(*, actor, plan: AnnualPlan, data: Mapping[str, Any]) -> AnnualPlan:
    """Record the city government's approval (文号, date). Refused while a cap or the −10%
    rule is broken, with every reason."""
    access.require_approver(actor, plan.department)
    doc_no = clean_text(data, "approval_doc_no", "市政府批准文号", max_length=100)
    on = clean_date(data, "approval_date", "批准日期")
    with transaction.atomic():
        row = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
        require_duty(actor, "登记该计划的批准", Role.APPROVER, access.plan_duty(row))
        check = queries.plan_check(plan, derived=_refresh_derived(plan))
        if not check.ok:
            raise Conflict(
                "plan_breaks_rules",
                "不能批准：" + "；".join(r.message for r in check.reasons),
                extra={"reasons": _reasons(check)},
            )
        transition(
            AnnualPlan,
            plan.pk,
            "submitted",
            "approved",
            approval_doc_no=doc_no,
            approval_date=on,
            approval_recorded_by=actor,
            # The cap table it was approved under (R3.2): a later edit is flagged, not applied.
            cap_table_snapshot=queries.snapshot_of(bridge.cap_table(plan.year)),
        )
        trail.record(
            actor=actor,
            action="approve",
            obj=plan,
            summary=f"{plan.title}经市政府批准（{doc_no}）",
            data={
                "approval_doc_no": doc_no,
                "approval_date": on.isoformat(),
                "last_year_overrides": [r.message for r in check.notices],
            },
        )
    plan.refresh_from_db()
    return plan


def file_plan(*, actor, plan: AnnualPlan, data: Mapping[str, Any]) -> AnnualPlan:
    access.require_approver(actor, plan.department)
    doc_no = clean_text(data, "filing_doc_no", "备案文号", max_length=100)
    on = clean_date(data, "filing_date", "备案日期")
    with transaction.atomic():
        transition(AnnualPlan, plan.pk, "approved", "filed", filing_doc_no=doc_no, filing_date=on)
        trail.record(
            actor=actor,
            action="file",
            obj=plan,
            summary=f"{plan.title}已备案（{doc_no}）",
            data={"filing_doc_no": doc_no, "filing_date": on.isoformat()},
        )
    plan.refresh_from_db()
    return plan


def publish_plan(*, actor, plan: AnnualPlan) -> AnnualPlan:
    access.require_approver(actor, plan.department)
    with transaction.atomic():
        transition(AnnualPlan, plan.pk, "filed", "published", published_at=timezone.now())
        trail.record(actor=actor, action="publish", obj=plan, summary=f"{plan.title}向社会公开")
    plan.refresh_from_db()
    return plan


# ---- special and key-period inspections (R9.3) -------------------------------------------


def set_special_quota(*, actor, department: Department, data: Mapping[str, Any]) -> SpecialQuota:
    access.require_approver(actor, department)
    year = _year(data)
    quota = clean_int(data, "quota", "年度专项检查限额", maximum=365)
    source = clean_text(data, "source", "限额依据", max_length=200)
    with transaction.atomic():
        used = queries.special_used(department, year)
        if quota < used:
            raise Conflict(
                "quota_below_used",
                f"{year}年度已批准{used}项专项检查，限额不能低于{used}。",
                field="quota",
            )
        row, _ = SpecialQuota.objects.update_or_create(
            department=department, year=year, defaults={"quota": quota, "source": source}
        )
        trail.record(
            actor=actor,
            action="set_special_quota",
            obj=row,
            summary=f"设定{department.name}{year}年度专项检查限额为{quota}项",
            data={"quota": quota, "source": source},
        )
    return row


def _quota_left(department: Department, year: int) -> tuple[int, int]:
    row = SpecialQuota.objects.select_for_update().filter(department=department, year=year).first()
    if row is None:
        raise Conflict(
            "special_quota_missing",
            f"{department.name}尚未设定{year}年度专项检查限额，请先由审批负责人设定。",
            field="year",
        )
    return row.quota, queries.special_used(department, year)


def create_special(*, actor, data: Mapping[str, Any]) -> SpecialInspection:
    department = access.require_planner(actor, data.get("department"))
    kind = str(data.get("kind") or "")
    if kind not in SpecialInspection.Kind.values:
        raise ValidationFailed("invalid_choice", "类型应为专项检查或重点时段检查。", field="kind")
    title = clean_text(data, "title", "事项", max_length=200)
    targets = clean_text(data, "targets", "检查对象", max_length=5000)
    content = clean_text(data, "content", "检查内容", max_length=5000)
    reason = clean_text(data, "reason", "开展理由", max_length=5000)
    start, end = (
        clean_date(data, "start_date", "开始日期"),
        clean_date(data, "end_date", "结束日期"),
    )
    if end < start:
        raise ValidationFailed("date_order", "结束日期不能早于开始日期。", field="end_date")
    if end.year != start.year:
        raise ValidationFailed(
            "crosses_year", "一项专项检查不能跨年度，请按年度分别报批。", field="end_date"
        )
    codes = [str(c).strip().upper() for c in data.get("enterprises") or [] if str(c).strip()]
    enterprises = list(Enterprise.objects.filter(credit_code__in=codes))
    if missing := sorted(set(codes) - {e.credit_code for e in enterprises}):
        raise ValidationFailed(
            "unknown_enterprise", f"未登记的企业：{'、'.join(missing)}。", field="enterprises"
        )
    with transaction.atomic():
        special = SpecialInspection.objects.create(
            department=department,
            year=start.year,
            kind=kind,
            title=title,
            targets=targets,
            content=content,
            reason=reason,
            start_date=start,
            end_date=end,
            requested_by=actor,
        )
        special.enterprises.set(enterprises)
        trail.record(
            actor=actor,
            action="create",
            obj=special,
            summary=f"起草{special.get_kind_display()}：{title}",
            data={"start_date": start, "end_date": end, "enterprises": codes},
        )
    return special


def submit_special(*, actor, special: SpecialInspection) -> SpecialInspection:
    access.require_planner(actor, special.department)
    with transaction.atomic():
        quota, used = _quota_left(special.department, special.year)
        if used >= quota:
            raise Conflict(
                "special_quota_exhausted",
                f"{special.year}年度专项检查限额{quota}项已用完（已批准{used}项），不能再报批。",
            )
        transition(
            SpecialInspection,
            special.pk,
            "draft",
            "submitted",
            submitted_at=timezone.now(),
            submitted_by=actor,
        )
        trail.record(actor=actor, action="submit", obj=special, summary=f"报批：{special.title}")
    special.refresh_from_db()
    return special


def decide_special(
    *, actor, special: SpecialInspection, approve: bool, note: str = ""
) -> SpecialInspection:
    """The unit head approves (counted against the quota, numbered in the ledger) or not."""
    access.require_approver(actor, special.department)
    note = clean_text({"note": note}, "note", "审批意见", max_length=300, required=not approve)
    now = timezone.now()
    with transaction.atomic():
        row = SpecialInspection.objects.select_for_update().get(pk=special.pk)
        require_duty(
            actor, "批准" if approve else "不批准", Role.APPROVER, access.special_duty(row)
        )
        if approve:
            quota, used = _quota_left(special.department, special.year)
            if used >= quota:
                raise Conflict(
                    "special_quota_exhausted",
                    f"{special.year}年度专项检查限额{quota}项已用完（已批准{used}项），不能批准。",
                )
            number = (
                SpecialInspection.objects.filter(
                    department=special.department, year=special.year
                ).aggregate(n=Max("number"))["n"]
                or 0
            ) + 1
            transition(
                SpecialInspection,
                special.pk,
                "submitted",
                "approved",
                number=number,
                decided_by=actor,
                decided_at=now,
                decision_note=note,
            )
        else:
            transition(
                SpecialInspection,
                special.pk,
                "submitted",
                "rejected",
                decided_by=actor,
                decided_at=now,
                decision_note=note,
            )
        trail.record(
            actor=actor,
            action="approve" if approve else "reject",
            obj=special,
            summary=f"{'批准' if approve else '不批准'}：{special.title}",
            data={"note": note},
        )
    special.refresh_from_db()
    return special


def announce_special(
    *, actor, special: SpecialInspection, today: dt.date | None = None
) -> SpecialInspection:
    """Publish on the public site; only before the inspection starts (提前公告)."""
    access.require_planner(actor, special.department) if not _is_approver(actor, special) else None
    today = today or timezone.localdate()
    if today >= special.start_date:
        raise Conflict(
            "announce_too_late",
            f"专项检查须在开始（{special.start_date:%Y-%m-%d}）之前向社会公告，现已不能公告。",
        )
    with transaction.atomic():
        transition(
            SpecialInspection, special.pk, "approved", "announced", announced_at=timezone.now()
        )
        trail.record(actor=actor, action="announce", obj=special, summary=f"公告：{special.title}")
    special.refresh_from_db()
    return special


def _is_approver(actor, special: SpecialInspection) -> bool:
    try:
        access.require_approver(actor, special.department)
    except Exception:
        return False
    return True
