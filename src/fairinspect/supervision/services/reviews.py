"""Case-file review (案卷评查, R8.3): a plan, its published stratified sample, the reviews
scored on the checklist, findings with their rectification, the yearly report."""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q

from fairinspect.audit import trail
from fairinspect.cases import access as cases_access
from fairinspect.cases.models import Case
from fairinspect.core.duties import DutyRefused
from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.core.roles import Role, has_role
from fairinspect.rules import duties as duties_rule
from fairinspect.rules import reviews as rule
from fairinspect.rules.results import reason_dicts
from fairinspect.rules.sampling import DrawInputError, validate_seed

from .. import access
from ..models import CaseReview, ConductCase, ReviewFinding, ReviewPlan

DATA = Path(__file__).resolve().parents[1] / "data" / "review_checklist_2025.json"


@lru_cache(maxsize=1)
def checklist() -> rule.Checklist:
    return rule.parse_checklist(json.loads(DATA.read_text(encoding="utf-8")))


def unit_of(case: Case) -> str:
    dept = getattr(case.created_by, "department", None)
    return dept.code if dept else "unknown"


def strata_for(year: int) -> dict[str, list[str]]:
    """Closed cases of the year by the unit that handled them: one query."""
    out: dict[str, list[str]] = {}
    for number, unit in (
        Case.objects.filter(status="closed", closed_on__year=year)
        .exclude(number="")
        .values_list("number", "created_by__department__code")
    ):
        out.setdefault(unit or "unknown", []).append(number)
    return out


def create_plan(*, actor, year: int, title: str, per_unit: int, today: dt.date) -> ReviewPlan:
    access.require_supervision_staff(actor)
    if not (2000 <= int(year) <= 2100):
        raise ValidationFailed("year_invalid", "年度不正确。", field="year")
    if int(per_unit) < 1 or int(per_unit) > 100:
        raise ValidationFailed("per_unit_invalid", "每单位抽取件数应为1至100。", field="per_unit")
    title = (title or "").strip() or f"{year}年度行政处罚案卷评查"
    with transaction.atomic():
        plan = ReviewPlan.objects.create(
            year=year,
            title=title[:200],
            seed="",
            per_unit=per_unit,
            checklist_version=checklist().version,
            created_by=actor,
            created_on=today,
        )
        trail.record(actor=actor, action="review_plan_created", obj=plan, summary=plan.title)
    return plan


def publish_plan(*, actor, plan: ReviewPlan, seed: str, today: dt.date) -> ReviewPlan:
    """Freeze the pools and draw the sample from the published seed."""
    access.require_supervision_staff(actor)
    try:
        seed = validate_seed(seed)
    except DrawInputError as e:
        raise ValidationFailed("seed_invalid", str(e), field="seed") from None
    with transaction.atomic():
        p = ReviewPlan.objects.select_for_update().get(pk=plan.pk)
        if p.status != "draft":
            raise Conflict("not_draft", "抽样已公布，不能重新抽取。")
        strata = rule.stratified_sample(seed, strata_for(p.year), p.per_unit)
        p.seed, p.status, p.published_on = seed, "published", today
        p.strata = {
            s.unit: {"pool": list(s.pool), "sha256": s.sha256, "selected": list(s.selected)}
            for s in strata
        }
        p.save(update_fields=["seed", "status", "published_on", "strata"])
        trail.record(
            actor=actor,
            action="review_plan_published",
            obj=p,
            summary=f"{p.title}：公布抽样（种子{seed}）",
            data={u: v["selected"] for u, v in p.strata.items()},
        )
    return p


def verify_plan(plan: ReviewPlan) -> bool:
    """Recompute the sample from the stored pools and the seed."""
    again = rule.stratified_sample(
        plan.seed, {u: v["pool"] for u, v in plan.strata.items()}, plan.per_unit
    )
    return {s.unit: list(s.selected) for s in again} == {
        u: v["selected"] for u, v in plan.strata.items()
    }


def record_review(
    *,
    actor,
    plan: ReviewPlan,
    case: Case,
    kind: str,
    scores: dict,
    comment: str = "",
    findings=(),
    today: dt.date,
) -> CaseReview:
    if not has_role(actor, Role.SUPERVISOR, Role.ADMIN, Role.APPROVER, Role.LEGAL_REVIEWER):
        raise Forbidden("只有监督人员、审批负责人或法制审核人员可以评查案卷。")
    if plan.status == "draft":
        raise Conflict("plan_not_published", "评查计划尚未公布抽样。")
    selected = {n for v in plan.strata.values() for n in v["selected"]}
    if case.number not in selected:
        raise ValidationFailed("case_not_sampled", "该案卷不在本次评查抽样之中。", field="case")
    try:
        kind = rule.Kind(kind).value
    except ValueError:
        raise ValidationFailed(
            "kind_invalid", "评查方式应为自查、互查或抽查。", field="kind"
        ) from None
    refusals = rule.check_reviewer(
        kind,
        reviewer_id=actor.pk,
        reviewer_unit=actor.department.code if actor.department_id else "",
        case_unit=unit_of(case),
        case_file=cases_access.case_file_duty(case),
        is_supervisor=access.is_supervision(actor),
    )
    if any(r.code in duties_rule.PARTICIPATION_CODES for r in refusals):
        # The refusal of every approving step (core.duties): 403 separation_of_duties.
        raise DutyRefused(
            duties_rule.REFUSAL_CODE,
            next(r for r in refusals if r.code in duties_rule.PARTICIPATION_CODES).message,
            extra={"reasons": reason_dicts(refusals)},
        )
    if refusals:
        raise Conflict(
            refusals[0].code, refusals[0].message, extra={"reasons": reason_dicts(refusals)}
        )
    s = rule.score(checklist(), scores or {})
    if not s.ok:
        e = s.errors[0]
        raise ValidationFailed(
            e.code, e.message, field=e.field, extra={"errors": [x.__dict__ for x in s.errors]}
        )
    clean_findings = []
    for f in findings or ():
        text = (f.get("text") or "").strip()
        due = f.get("due_on")
        if not text:
            continue
        if not isinstance(due, dt.date):
            try:
                due = dt.date.fromisoformat(str(due))
            except ValueError:
                raise ValidationFailed(
                    "due_invalid", "整改期限格式应为 2025-06-18。", field="findings.due_on"
                ) from None
        clean_findings.append((str(f.get("item_code") or "")[:20], text, due))
    try:
        with transaction.atomic():
            r = CaseReview.objects.create(
                plan=plan,
                case=case,
                kind=kind,
                reviewer=actor,
                reviewed_on=today,
                scores={k: str(v) for k, v in scores.items()},
                total=s.total,
                grade=s.grade,
                comment=(comment or "")[:2000],
            )
            for code, text, due in clean_findings:
                ReviewFinding.objects.create(review=r, item_code=code, text=text, due_on=due)
            trail.record(
                actor=actor,
                action="case_reviewed",
                obj=r,
                summary=f"案卷{case.number}{r.get_kind_display()}：{s.total}分（{s.grade}）",
            )
    except IntegrityError:
        raise Conflict("already_reviewed", "该案卷本计划中已有同一方式的评查。") from None
    return r


def rectify_finding(*, actor, finding: ReviewFinding, text: str, on: dt.date) -> ReviewFinding:
    if not (access.is_supervision(actor) or has_role(actor, Role.APPROVER)):
        raise Forbidden("只有审批负责人或监督人员可以登记整改。")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("rectification_required", "请填写整改情况。", field="rectification")
    with transaction.atomic():
        f = ReviewFinding.objects.select_for_update().get(pk=finding.pk)
        if f.status != "open":
            raise Conflict("already_rectified", "该问题已整改。")
        f.status, f.rectification, f.rectified_on = "rectified", text, on
        f.save(update_fields=["status", "rectification", "rectified_on"])
        trail.record(
            actor=actor, action="review_finding_rectified", obj=f, summary=f"评查问题{f.pk}已整改"
        )
    return f


def refer_finding(*, actor, finding: ReviewFinding, today: dt.date) -> ConductCase:
    """Misconduct a review found opens a conduct case (to be handed to the discipline body)."""
    access.require_supervision_staff(actor)
    case = finding.review.case
    officer = getattr(case.created_by, "officer", None)
    with transaction.atomic():
        c, created = ConductCase.objects.get_or_create(
            review_finding=finding,
            defaults=dict(
                officer=officer,
                department=case.created_by.department,
                summary=f"案卷{case.number}评查发现：{finding.text}"[:500],
                opened_on=today,
                created_by=actor,
            ),
        )
        if created:
            trail.record(actor=actor, action="conduct_opened", obj=c, summary=c.summary[:200])
    return c


def yearly_report(year: int) -> dict:
    """Per unit: cases reviewed, average score, grades, findings open and rectified."""
    reviews = CaseReview.objects.filter(plan__year=year)
    by_unit = list(
        reviews.values("case__created_by__department__name")
        .annotate(
            n=Count("id"),
            avg=Avg("total"),
            excellent=Count("id", filter=Q(grade="优秀")),
            failed=Count("id", filter=Q(grade="不合格")),
        )
        .order_by("case__created_by__department__name")
    )
    findings = ReviewFinding.objects.filter(review__plan__year=year)
    return {
        "year": year,
        "by_unit": by_unit,
        "reviews": reviews.count(),
        "findings_open": findings.filter(status="open").count(),
        "findings_rectified": findings.filter(status="rectified").count(),
        "plans": list(ReviewPlan.objects.filter(year=year)),
    }
