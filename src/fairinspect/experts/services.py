"""Writes of the expert pool (R12.1) and of experts on visits (R12.2). Every write is audited.

Pool management (selection and appointment, training, ties) is the administrator's or an
approver's; adding an expert to a visit is the team's or an approver's while the plan is a
draft (the plan page), checked by `rules.experts.check_join`; advice and the evaluation are
recorded by an officer of the team once the visit has started (advice) or ended (evaluation).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction

from fairinspect.audit import trail
from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.core.roles import Role, has_role
from fairinspect.registry.models import Enterprise, Expert
from fairinspect.rules import experts as rule
from fairinspect.rules.results import reason_dicts
from fairinspect.visits import queries as visit_queries
from fairinspect.visits.models import Visit

from .models import Advice, Appointment, Evaluation, Tie, Training

TIE_KINDS = dict(Tie.KINDS)


def _require_pool_manager(actor) -> None:
    if not has_role(actor, Role.ADMIN, Role.APPROVER):
        raise Forbidden("专家库由管理员或单位负责人管理。")


def _officer(actor):
    try:
        return actor.officer
    except Exception:  # no officer record
        return None


def _on_team(actor, visit: Visit) -> bool:
    o = _officer(actor)
    return visit_queries.on_team(visit, o)


def expert_facts(expert: Expert) -> rule.ExpertFacts:
    return rule.ExpertFacts(
        expert_id=expert.pk,
        name=expert.name,
        status=expert.status,
        term_from=expert.appointed_from,
        term_to=expert.appointed_to,
        ties=tuple(
            rule.Tie(t.enterprise_id, t.kind, t.started_on, t.ended_on) for t in expert.ties.all()
        ),
        avoid_enterprise_ids=frozenset(e.pk for e in expert.conflicts.all()),
    )


def join_decision(expert: Expert, visit: Visit) -> rule.JoinDecision:
    return rule.check_join(
        expert_facts(expert),
        enterprise_id=visit.enterprise_id,
        day=visit.planned_date,
        officers=visit_queries.team_size(visit),
    )


def _refuse(reasons) -> None:
    raise Conflict(
        reasons[0].code,
        reasons[0].message,
        field="expert",
        extra={"reasons": reason_dicts(reasons)},
    )


def refuse_unfit_experts(experts, *, enterprise_id: int, day: dt.date, officers: int) -> None:
    """For the visit's create service: refuse (nothing saved) an expert the rule refuses."""
    for e in experts:
        d = rule.check_join(
            expert_facts(e), enterprise_id=enterprise_id, day=day, officers=officers
        )
        if not d.allowed:
            _refuse(d.reasons)


# ---- the pool ---------------------------------------------------------------------------------


def _text(value, field: str, label: str, *, required: bool = True, limit: int = 4000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed("missing", f"{field}：请填写{label}。", field=field)
    return value[:limit]


def select_expert(
    *,
    actor,
    name: str,
    title: str = "",
    employer: str = "",
    specialties: list[str] | tuple[str, ...] = (),
    phone: str = "",
    method: str,
    selected_on: dt.date,
    basis: str,
    term_from: dt.date,
    term_to: dt.date,
    document_number: str = "",
) -> Expert:
    """A new member of the pool: selected (how, on what basis) and appointed for a term."""
    _require_pool_manager(actor)
    name = _text(name, "name", "姓名", limit=50)
    with transaction.atomic():
        expert = Expert.objects.create(
            name=name,
            title=(title or "")[:50],
            employer=(employer or "")[:200],
            specialties=list(specialties),
            phone=(phone or "")[:20],
            appointed_from=term_from,
            appointed_to=term_to,
        )
        appoint(
            actor=actor,
            expert=expert,
            method=method,
            selected_on=selected_on,
            basis=basis,
            term_from=term_from,
            term_to=term_to,
            document_number=document_number,
        )
    return expert


def appoint(
    *,
    actor,
    expert: Expert,
    method: str,
    selected_on: dt.date,
    basis: str,
    term_from: dt.date,
    term_to: dt.date,
    document_number: str = "",
) -> Appointment:
    """Appoint (or re-appoint) for a term; the registry's current term and status follow."""
    _require_pool_manager(actor)
    if method not in Appointment.Method.values:
        raise ValidationFailed("method_invalid", "method：请选择遴选方式。", field="method")
    basis = _text(basis, "basis", "遴选情况")
    if term_to < term_from:
        raise ValidationFailed("term_order", "term_to：聘期止不能早于聘期起。", field="term_to")
    if selected_on > term_from:
        raise ValidationFailed(
            "selected_after_term", "selected_on：遴选日期不能晚于聘期起。", field="selected_on"
        )
    with transaction.atomic():
        a = Appointment.objects.create(
            expert=expert,
            method=method,
            selected_on=selected_on,
            basis=basis,
            term_from=term_from,
            term_to=term_to,
            document_number=(document_number or "")[:60],
            appointed_by=actor,
        )
        Expert.objects.filter(pk=expert.pk).update(
            appointed_from=term_from, appointed_to=term_to, status="appointed"
        )
        expert.refresh_from_db()
        trail.record(
            actor=actor,
            action="expert.appoint",
            obj=a,
            summary=f"聘任专家{expert.name}（{term_from}至{term_to}）",
            data={"method": method, "number": a.document_number},
            also=[expert],
        )
    return a


def record_training(
    *, actor, expert: Expert, on: dt.date, topic: str, hours, provider: str = ""
) -> Training:
    _require_pool_manager(actor)
    topic = _text(topic, "topic", "培训内容", limit=200)
    try:
        h = Decimal(str(hours))
    except (InvalidOperation, ValueError):
        raise ValidationFailed("hours_invalid", "hours：学时应为数字。", field="hours") from None
    if not (Decimal("0") < h <= Decimal("200")):
        raise ValidationFailed("hours_invalid", "hours：学时应大于0且不超过200。", field="hours")
    with transaction.atomic():
        t = Training.objects.create(
            expert=expert, on=on, topic=topic, hours=h, provider=(provider or "")[:100],
            recorded_by=actor,
        )  # fmt: skip
        trail.record(
            actor=actor,
            action="expert.training",
            obj=t,
            summary=f"专家培训：{expert.name} {topic}（{h}学时）",
        )
    return t


def declare_tie(
    *,
    actor,
    expert: Expert,
    enterprise: Enterprise,
    kind: str,
    started_on: dt.date | None = None,
    ended_on: dt.date | None = None,
    note: str = "",
) -> Tie:
    """A relationship with an enterprise (declared by the expert or found by the bureau)."""
    _require_pool_manager(actor)
    if kind not in TIE_KINDS:
        raise ValidationFailed("kind_invalid", "kind：请选择关系类型。", field="kind")
    if started_on and ended_on and ended_on < started_on:
        raise ValidationFailed(
            "date_order", "ended_on：结束日期不能早于开始日期。", field="ended_on"
        )
    with transaction.atomic():
        t = Tie.objects.create(
            expert=expert, enterprise=enterprise, kind=kind, started_on=started_on,
            ended_on=ended_on, note=(note or "")[:300], recorded_by=actor,
        )  # fmt: skip
        trail.record(
            actor=actor,
            action="expert.tie",
            obj=t,
            summary=f"登记专家利害关系：{expert.name}—{enterprise.name}（{TIE_KINDS[kind]}）",
        )
    return t


# ---- on a visit -------------------------------------------------------------------------------


def add_to_visit(*, actor, visit: Visit, expert: Expert) -> Visit:
    """From the plan page: the team (or an approver) adds an expert to a draft plan. Refused
    when the expert is not appointed for the day, has a conflict with the enterprise, or the
    team has fewer than two officers (experts never alone, never counted)."""
    if not (_on_team(actor, visit) or has_role(actor, Role.APPROVER)):
        raise Forbidden("只有本次检查的执法人员或单位负责人可以安排专家。")
    with transaction.atomic():
        v = Visit.objects.select_for_update().get(pk=visit.pk)
        if v.status != "draft":
            raise Conflict(
                "plan_not_editable", "方案已提交或已批准，不能再调整专家；如需调整请先退回。"
            )
        if v.experts.filter(pk=expert.pk).exists():
            raise Conflict("expert_already_on_team", f"{expert.name}已在本次检查中。")
        d = join_decision(expert, v)
        if not d.allowed:
            _refuse(d.reasons)
        v.experts.add(expert)
        trail.record(
            actor=actor,
            action="expert.add_to_visit",
            obj=v,
            summary=f"安排专家{expert.name}参加检查（技术支持，不计入执法人员）",
            data={"expert": expert.pk},
        )
    return v


def remove_from_visit(*, actor, visit: Visit, expert: Expert) -> Visit:
    if not (_on_team(actor, visit) or has_role(actor, Role.APPROVER)):
        raise Forbidden("只有本次检查的执法人员或单位负责人可以调整专家。")
    with transaction.atomic():
        v = Visit.objects.select_for_update().get(pk=visit.pk)
        if v.status != "draft":
            raise Conflict("plan_not_editable", "方案已提交或已批准，不能再调整专家。")
        if not v.experts.filter(pk=expert.pk).exists():
            raise Conflict("expert_not_on_team", f"{expert.name}不在本次检查中。")
        v.experts.remove(expert)
        trail.record(
            actor=actor,
            action="expert.remove_from_visit",
            obj=v,
            summary=f"不再安排专家{expert.name}参加检查",
            data={"expert": expert.pk},
        )
    return v


def _require_team_officer(actor, visit: Visit, what: str) -> None:
    if not _on_team(actor, visit):
        raise Forbidden(f"{what}由本次检查的执法人员记录。")


def record_advice(*, actor, visit: Visit, expert: Expert, text: str) -> Advice:
    """The expert's opinion, recorded by an officer of the team: advice, never a finding or a
    decision (the findings, hazards and orders are the officers' own records)."""
    _require_team_officer(actor, visit, "专家意见")
    text = _text(text, "text", "专家意见建议")
    if visit.status not in ("in_progress", "done"):
        raise Conflict("visit_not_started", "检查开始后才能记录专家意见。")
    if not visit.experts.filter(pk=expert.pk).exists():
        raise Conflict("expert_not_on_team", f"{expert.name}未参加本次检查。")
    with transaction.atomic():
        a = Advice.objects.create(visit=visit, expert=expert, text=text, recorded_by=actor)
        trail.record(
            actor=actor,
            action="expert.advice",
            obj=a,
            summary=f"记录专家{expert.name}的意见建议（仅供参考，不代替执法决定）",
        )
    return a


def evaluate(
    *, actor, visit: Visit, expert: Expert, score, comment: str = "", on: dt.date
) -> Evaluation:
    """After the visit: one evaluation per expert and visit, by an officer of the team."""
    _require_team_officer(actor, visit, "专家评价")
    bad = rule.check_score(score)
    if bad:
        raise ValidationFailed(bad.code, f"score：{bad.message}。", field="score")
    if visit.status != "done":
        raise Conflict("visit_not_done", "检查结束后才能评价专家。")
    if not visit.experts.filter(pk=expert.pk).exists():
        raise Conflict("expert_not_on_team", f"{expert.name}未参加本次检查。")
    with transaction.atomic():
        if Evaluation.objects.filter(visit=visit, expert=expert).exists():
            raise Conflict("already_evaluated", "本次检查已评价过该专家。")
        ev = Evaluation.objects.create(
            visit=visit, expert=expert, score=score, comment=(comment or "")[:2000],
            evaluated_by=actor, on=on,
        )  # fmt: skip
        trail.record(
            actor=actor,
            action="expert.evaluate",
            obj=ev,
            summary=f"评价专家{expert.name}：{score}分",
        )
    return ev
