"""Opening a case, its deadlines, and every step of the legal procedure (R7.4), each taken only by the role allowed. Every state change is `UPDATE … WHERE status IN (sources)` with a count check, so two people taking the same step at once cannot both succeed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from django.db import transaction

from fairinspect.audit import trail
from fairinspect.core.duties import require as require_duty
from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.core.roles import Role, has_role
from fairinspect.registry.models import Enterprise
from fairinspect.rules import deadlines as dl
from fairinspect.rules import discretion as d
from fairinspect.rules.case_workflow import DISCUSSION_BASIS, discussion_rule
from fairinspect.rules.results import reason_dicts
from fairinspect.visits.services.numbers import allocate

from .. import access, legal
from ..models import (
    Case,
    CaseStep,
    CreditRecord,
    Disclosure,
    Extension,
)
from ..procedure import STEPS, is_workday, procedure_rule_on
from .assessment import assess
from .common import AUTHORITY
from .credit import propose_dishonesty
from .deadlines import deadlines, refresh_due

# ---- opening a case --------------------------------------------------------------------------


def _snapshot(v: d.Violation) -> dict[str, str]:
    return {
        "violation_code": v.code,
        "violation_title": v.title,
        "legal_basis": v.legal_basis,
        "penalty_basis": v.penalty_basis,
    }


def open_case(
    *,
    actor,
    enterprise: Enterprise,
    party: str,
    violation_code: str,
    cause: str = "",
    facts_text: str = "",
    source: str = "",
    person_name: str = "",
    person_role: str = "",
    on: dt.date,
    extra_fields: dict | None = None,
) -> Case:
    from fairinspect.registry.access import enterprises_visible_to

    if not has_role(actor, Role.OFFICER):
        raise Forbidden("只有执法人员可以登记立案。")
    if not enterprises_visible_to(actor).filter(pk=enterprise.pk).exists():
        raise Forbidden("该企业不在您的执法范围内。")
    if party not in ("unit", "person"):
        raise ValidationFailed("bad_party", "party：当事人类型应为 unit 或 person。", field="party")
    v = legal.violation(violation_code)
    if not any(p == party for p, _, _ in v.sanctions):
        raise ValidationFailed(
            "no_sanction", f"{v.penalty_basis}对该类当事人没有规定罚则。", field="party"
        )
    person_name = (person_name or "").strip()[:50]
    if party == "person" and not person_name:
        raise ValidationFailed(
            "missing_person", "person_name：对个人立案须填写当事人姓名。", field="person_name"
        )
    cause = (cause or "").strip()[:200] or f"{enterprise.name}涉嫌{v.title}"
    with transaction.atomic():
        case = Case.objects.create(
            enterprise=enterprise,
            party=party,
            person_name=person_name if party == "person" else "",
            person_role=person_role[:50],
            cause=cause,
            facts_text=facts_text,
            source=source[:200],
            procedure_rule=procedure_rule_on(on).code,
            created_by=actor,
            department=actor.department.bureau if actor.department_id else None,
            created_on=on,
            **_snapshot(v),
            **(extra_fields or {}),
        )
        CaseStep.objects.create(
            case=case,
            action="open",
            from_status="",
            to_status=case.status,
            actor=actor,
            on=on,
            note=cause,
        )
        trail.record(
            actor=actor,
            action="case.open",
            obj=case,
            summary=f"登记案件：{cause}",
            data={"violation": v.code, "party": party},
        )
    return case


# ---- transitions ------------------------------------------------------------------------------


def _money(data: dict, key: str, *, required: bool = True) -> Decimal | None:
    raw = data.get(key)
    if raw in (None, ""):
        if required:
            raise ValidationFailed("missing", f"{key}：必须填写金额。", field=key)
        return None
    try:
        value = Decimal(str(raw)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValidationFailed("bad_amount", f"{key}：应为金额（元）。", field=key) from None
    if value < 0:
        raise ValidationFailed("bad_amount", f"{key}：金额不得为负数。", field=key)
    return value


_D = TypeVar("_D", dt.date, None)


def _date(data: dict, key: str, default: _D) -> dt.date | _D:
    raw = data.get(key)
    if raw in (None, ""):
        return default
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise ValidationFailed("bad_date", f"{key}：日期格式应为 YYYY-MM-DD。", field=key) from None


def _days(data: dict, key: str) -> int:
    raw = data.get(key)
    if raw in (None, ""):
        return 0
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 3650:
        raise ValidationFailed("bad_days", f"{key}：应为0至3650之间的整数（天）。", field=key)
    return raw


def _text(data: dict, key: str, *, required: bool = False, label: str = "") -> str:
    value = str(data.get(key) or "").strip()
    if required and not value:
        raise ValidationFailed("missing", f"{key}：必须填写{label}。", field=key)
    return value


def check_step(*, actor, case: Case, action: str) -> None:
    """Role and state (rules.case_workflow), then separation of duties (rules.duties) for
    the approving, reviewing and deciding steps."""
    step = STEPS.get(action)
    if step is None:
        raise ValidationFailed("unknown_action", f"action：未知的操作 {action}。", field="action")
    role = Role(step.role)
    if not has_role(actor, role):
        raise Forbidden(
            f"“{step.label}”只能由{role.label}办理。",
            extra={"reasons": [{"code": "role_required", "message": f"需要角色：{role.label}"}]},
        )
    if case.status not in step.sources:
        raise Conflict(
            "wrong_state",
            f"案件当前为“{case.get_status_display()}”，不能{step.label}。",
            extra={
                "reasons": [
                    {
                        "code": "allowed_states",
                        "message": f"“{step.label}”只能在以下状态办理："
                        + "、".join(str(Case.Status(s).label) for s in step.sources),
                    }
                ]
            },
        )
    if step.approving:
        require_duty(actor, step.label, step.role, access.case_duty(case))


def _move(
    *,
    actor,
    case: Case,
    action: str,
    to: str,
    on: dt.date,
    note: str = "",
    sources: tuple[str, ...] | None = None,
    **fields,
) -> Case:
    sources = sources or STEPS[action].sources
    old = case.status
    n = Case.objects.filter(pk=case.pk, status__in=sources).update(status=to, **fields)
    if n != 1:
        raise Conflict("concurrent_change", "案件状态已被他人改变，请刷新后重试。")
    CaseStep.objects.create(
        case=case,
        action=action,
        from_status=old,
        to_status=to,
        actor=actor,
        on=on,
        note=note[:2000],
    )
    trail.record(
        actor=actor,
        action=f"case.{action}",
        obj=case,
        summary=f"{STEPS[action].label}：{case.cause}",
        data={
            "from": old,
            "to": to,
            "on": on,
            **{k: str(v) for k, v in fields.items() if k not in ("reasons", "facts")},
        },
    )
    refresh_due(case)
    return case


def transition(*, actor, case: Case, action: str, data: dict | None = None, today: dt.date) -> Case:
    data = data or {}
    check_step(actor=actor, case=case, action=action)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        check_step(actor=actor, case=case, action=action)
        return _HANDLERS[action](actor=actor, case=case, data=data, today=today)


def _approve_filing(*, actor, case, data, today):
    on = _date(data, "on", today)
    return _move(
        actor=actor,
        case=case,
        action="approve_filing",
        to="investigating",
        on=on,
        note=_text(data, "note"),
        filed_on=on,
        procedure_rule=procedure_rule_on(on).code,
        number=case.number or allocate("filing", department=case.department, on=on),
    )


def _reject_filing(*, actor, case, data, today):
    reason = _text(data, "note", required=True, label="不予立案的理由")
    return _move(
        actor=actor, case=case, action="reject_filing", to="not_filed", on=today, note=reason
    )


def _investigate(*, actor, case, data, today):
    """Record facts and evidence, run the discretion, and the officer's proposal."""
    result, clean, extra = assess(
        enterprise=case.enterprise,
        violation_code=case.violation_code,
        party=case.party,
        facts=data.get("facts") or {},
        on=today,
        exclude=case,
    )
    proposed: Decimal | None
    if result.grade is d.Grade.NO_PENALTY:
        outcome, proposed = "no_penalty", Decimal(0)
    else:
        outcome = "penalty"
        proposed = _money(data, "proposed_fine", required=False)
        if proposed is None:
            # An empty box is neither 0 yuan nor the range's floor: the officer states it.
            raise ValidationFailed(
                "fine_required",
                f"proposed_fine：须填写拟罚款金额（建议{result.fine_min}元至{result.fine_max}元）。",
                field="proposed_fine",
            )
    check = d.check_outside_range(proposed, result)
    why = check.reason or d.Reason("", "")  # present whenever unlawful or needs_reason
    reason = _text(data, "outside_range_reason")
    if check.unlawful:
        raise ValidationFailed(why.code, f"proposed_fine：{why.message}", field="proposed_fine")
    if check.needs_reason and not reason:
        raise ValidationFailed(
            "reason_required",
            f"outside_range_reason：{why.message}",
            field="outside_range_reason",
        )
    hearing = dl.hearing_required(case.party, proposed, penalty_types=result.penalty_types)
    reasons = extra + reason_dicts(result.reasons)
    reasons += reason_dicts(hearing.reasons)
    if check.needs_reason:
        reasons.append({"code": "outside_range", "message": why.message})
    return _move(
        actor=actor,
        case=case,
        action="investigate",
        to="investigating",
        on=today,
        note=f"{result.grade.label}，建议{result.fine_min}至{result.fine_max}元，拟{proposed}元",
        facts=clean,
        facts_text=_text(data, "facts_text") or case.facts_text,
        evidence=_text(data, "evidence") or case.evidence,
        grade=result.grade.value,
        fine_min=result.fine_min,
        fine_max=result.fine_max,
        legal_min=result.legal_min,
        legal_max=result.legal_max,
        penalty_types=list(result.penalty_types),
        measures=list(result.measures),
        reasons=reasons,
        no_penalty_item=result.no_penalty_item.id if result.no_penalty_item else "",
        no_penalty_version=(
            npl.version
            if result.no_penalty_item and (npl := legal.no_penalty_list_in_force())
            else ""
        ),
        outcome=outcome,
        proposed_fine=proposed,
        outside_range=check.needs_reason,
        outside_range_reason=reason if check.needs_reason else "",
        hearing_required=hearing.required,
        is_major=hearing.required,
    )


def _notify(*, actor, case, data, today):
    if not case.grade:
        raise Conflict(
            "not_assessed",
            "尚未完成调查取证和裁量，不能告知。",
            extra={
                "reasons": [
                    {"code": "not_assessed", "message": "请先记录违法事实、证据并计算裁量。"}
                ]
            },
        )
    if not case.facts_text or not case.evidence:
        raise Conflict(
            "missing_facts",
            "告知前须写明违法事实和证据。",
            extra={
                "reasons": [
                    {
                        "code": "missing_facts",
                        "message": "违法事实和证据是告知书的必备内容（说理式执法）。",
                    }
                ]
            },
        )
    on = _date(data, "served_on", today)
    notice_no, hearing_no = case.notice_number, case.hearing_notice_number
    if case.outcome == "penalty":
        notice_no = notice_no or allocate("notice", department=case.department, on=on)
        if case.hearing_required:
            hearing_no = hearing_no or allocate("hearing", department=case.department, on=on)
    return _move(
        actor=actor,
        case=case,
        action="notify",
        to="notified",
        on=on,
        note="送达"
        + (
            "行政处罚告知书、听证告知书"
            if case.hearing_required
            else "不予行政处罚告知书"
            if case.outcome == "no_penalty"
            else "行政处罚告知书"
        ),
        notice_served_on=on,
        notice_number=notice_no,
        hearing_notice_number=hearing_no,
    )


def _record_statement(*, actor, case, data, today):
    statement = _text(data, "statement")
    answer = _text(
        data, "statement_answer", required=bool(statement), label="对陈述申辩的答复（说理）"
    )
    hearing = bool(data.get("hearing_requested"))
    if hearing and not case.hearing_required:
        raise ValidationFailed(
            "no_hearing_right",
            "hearing_requested：本案不属于应当告知听证的情形。",
            field="hearing_requested",
        )
    hearing_on = _date(data, "hearing_on", None) if hearing else None
    return _move(
        actor=actor,
        case=case,
        action="record_statement",
        to="notified",
        on=today,
        note=statement[:200] or "当事人未陈述申辩",
        statement=statement,  # empty: the period runs on, the reviewer waits for it
        statement_answer=answer,
        hearing_requested=hearing,
        hearing_on=hearing_on,
    )


def _legal_review(*, actor, case, data, today):
    opinion = _text(data, "opinion", required=True, label="法制审核意见")
    approve = bool(data.get("approve"))
    statement_end = deadlines(case).get("statement")
    if approve and statement_end and today <= statement_end.due and not case.statement:
        raise Conflict(
            "statement_period_open",
            f"陈述申辩期限至{statement_end.due.isoformat()}，期满或当事人陈述后方可审核通过。",
            extra={"reasons": [statement_end.basis.as_dict()]},
        )
    if approve and case.outside_range and not data.get("accept_outside_range"):
        raise ValidationFailed(
            "outside_range_unreviewed",
            "accept_outside_range：拟罚款超出裁量基准建议幅度，须确认已审查超出幅度的理由。",
            field="accept_outside_range",
        )
    if not approve:
        return _move(
            actor=actor,
            case=case,
            action="legal_review",
            to="investigating",
            on=today,
            note="退回补充调查：" + opinion,
            review_opinion=opinion,
            reviewed_on=today,
        )
    return _move(
        actor=actor,
        case=case,
        action="legal_review",
        to="reviewed",
        on=today,
        note=opinion,
        review_opinion=opinion,
        reviewed_on=today,
    )


def _discuss(*, actor, case, data, today):
    rule = discussion_rule("discuss", status=case.status, is_major=case.is_major)
    if not rule.allowed:
        raise Conflict(rule.reasons[0].code, rule.reasons[0].message)
    minutes = _text(data, "minutes", required=True, label="集体讨论意见")
    return _move(
        actor=actor,
        case=case,
        action="discuss",
        to="discussed",
        on=today,
        note=minutes,
        discussion_minutes=minutes,
        discussed_on=today,
    )


def _decide(*, actor, case, data, today):
    rule = discussion_rule("decide", status=case.status, is_major=case.is_major)
    if not rule.allowed:
        raise Conflict(
            rule.reasons[0].code,
            rule.reasons[0].message,
            extra={"reasons": [DISCUSSION_BASIS.as_dict()]},
        )
    on = _date(data, "on", today)
    if case.outcome == "no_penalty":
        note = _text(data, "education_note") or "；".join(case.measures) or "批评教育"
        case = _move(
            actor=actor,
            case=case,
            action="decide",
            to="decided",
            on=on,
            note=note,
            decided_on=on,
            fine_amount=Decimal(0),
            education_note=note,
            decision_number=allocate("no_penalty", department=case.department, on=on),
            # The reminder notice the no-penalty list promises (送达《安全生产提醒告知书》).
            reminder_number=allocate("reminder", department=case.department, on=on),
        )
        CreditRecord.objects.create(
            enterprise=case.enterprise,
            case=case,
            kind="no_penalty",
            on=on,
            summary=f"{case.violation_title}：不予行政处罚，已教育",
        )
        return case
    amount = case.proposed_fine
    case = _move(
        actor=actor,
        case=case,
        action="decide",
        to="decided",
        on=on,
        note=f"罚款{amount}元",
        decided_on=on,
        fine_amount=amount,
        decision_number=allocate("decision", department=case.department, on=on),
    )
    content = "、".join([*case.penalty_types]) or "罚款"
    CreditRecord.objects.create(
        enterprise=case.enterprise,
        case=case,
        kind="penalty",
        on=on,
        summary=f"{case.violation_title}：{content}，罚款{amount}元",
    )
    Disclosure.objects.create(
        case=case,
        decision_number=case.decision_number,
        party_name=redact_party(case),
        credit_code=case.enterprise.credit_code,
        violation=case.violation_title[:300],
        basis=case.penalty_basis,
        content=f"{content}（罚款{amount}元）",
        fine_amount=amount,
        authority=AUTHORITY,
        decided_on=on,
        due_on=dl.publication_due(on, is_workday).due,
    )
    propose_dishonesty(case=case, on=on, actor=actor)
    refresh_due(case)
    return case


def redact_party(case: Case) -> str:
    """Persons' names masked (张** style); ID and phone numbers are never copied."""
    if case.party == "unit":
        return case.enterprise.name
    name = case.person_name
    return (name[:1] + "*" * max(1, len(name) - 1)) + f"（{case.enterprise.name}）"


def _serve(*, actor, case, data, today):
    on = _date(data, "served_on", today)
    if on < case.decided_on:
        raise ValidationFailed(
            "bad_date", "served_on：送达日期不得早于决定日期。", field="served_on"
        )
    return _move(
        actor=actor, case=case, action="serve", to="served", on=on, note="送达决定书", served_on=on
    )


def _execute(*, actor, case, data, today):
    if case.outcome == "no_penalty" or not case.fine_amount:
        return _move(
            actor=actor,
            case=case,
            action="execute",
            to="executed",
            on=today,
            note="不予处罚，教育已完成",
            paid_on=None,
        )
    paid_on = _date(data, "paid_on", today)
    due = deadlines(case)["payment"].due
    surcharge = dl.late_surcharge(
        case.fine_amount, due, paid_on, paused_days=_days(data, "paused_days")
    )
    expected = case.fine_amount + surcharge
    paid = _money(data, "amount_paid", required=False)
    paid = expected if paid is None else paid
    if paid < expected:
        raise ValidationFailed(
            "underpaid",
            f"amount_paid：应缴{expected}元（罚款{case.fine_amount}元，"
            f"加处罚款{surcharge}元），实缴不足。",
            field="amount_paid",
        )
    return _move(
        actor=actor,
        case=case,
        action="execute",
        to="executed",
        on=paid_on,
        note=f"缴纳{paid}元（含加处罚款{surcharge}元）",
        paid_on=paid_on,
        amount_paid=paid,
        surcharge=surcharge,
    )


def _close(*, actor, case, data, today):
    return _move(
        actor=actor,
        case=case,
        action="close",
        to="closed",
        on=today,
        note=_text(data, "note") or "结案",
        closed_on=today,
    )


def _extend(*, actor, case, data, today):
    try:
        days = int(data.get("days") or 0)
    except (TypeError, ValueError):
        days = 0
    if not 0 < days <= 90:
        raise ValidationFailed("bad_days", "days：延长天数应为1至90之间的整数。", field="days")
    reason = _text(data, "reason", required=True, label="延长理由")
    Extension.objects.create(
        case=case, days=days, reason=reason, approved_by=actor, approved_on=today
    )
    return _move(
        actor=actor,
        case=case,
        action="extend",
        to=case.status,
        on=today,
        note=f"延长{days}日：{reason}",
        sources=(case.status,),
        extension_days=case.extension_days + days,
    )


_HANDLERS = {
    "approve_filing": _approve_filing,
    "reject_filing": _reject_filing,
    "investigate": _investigate,
    "notify": _notify,
    "record_statement": _record_statement,
    "legal_review": _legal_review,
    "discuss": _discuss,
    "decide": _decide,
    "serve": _serve,
    "execute": _execute,
    "close": _close,
    "extend": _extend,
}
