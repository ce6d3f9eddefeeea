"""Writes for penalty cases. Every state change is `UPDATE … WHERE status IN (sources)` with a
count check, so two people taking the same step at once cannot both succeed; every write is
recorded in the audit trail."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction

from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.core.roles import has_role
from fairinspect.registry.models import Enterprise
from fairinspect.rules import deadlines as dl
from fairinspect.rules import discretion as d
from fairinspect.supervision import audit

from . import legal
from .models import (
    Case,
    CaseStep,
    CreditRecord,
    Disclosure,
    DishonestyListing,
    Extension,
    NoPenaltyListVersion,
)
from .procedure import STEPS, is_workday, procedure_rule_on

AUTHORITY = "乌鲁木齐市应急管理局"
DECIDED_STATUSES = ("decided", "served", "executed", "closed")


# ---- the no-penalty list: versions and publication (R7.3) -----------------------------------


def load_no_penalty_list(*, actor=None, path: Path | None = None) -> NoPenaltyListVersion:
    """Load a list version from its JSON (idempotent by version number); parsed first, so a
    file the rule cannot read is refused whole."""
    path = path or d.LEGAL_DATA / "no_penalty_list_2025.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    d.parse_no_penalty_list(doc, legal.catalogue())
    with transaction.atomic():
        version, created = NoPenaltyListVersion.objects.get_or_create(
            version=doc["version"], defaults={"name": doc["name"], "document": doc}
        )
        if created:
            audit.record(
                actor=actor,
                action="nopenalty.load",
                obj=version,
                summary=f"载入包容免罚清单 {version.version}",
                data={"items": len(doc["items"])},
            )
    return version


def publish_no_penalty_list(
    *, actor, version: NoPenaltyListVersion, on: dt.date
) -> NoPenaltyListVersion:
    from fairinspect.core.roles import Role

    if not has_role(actor, Role.ADMIN, Role.APPROVER):
        raise Forbidden("只有管理员或单位负责人可以公布包容免罚清单。")
    with transaction.atomic():
        NoPenaltyListVersion.objects.filter(status="published").exclude(pk=version.pk).update(
            status="superseded"
        )
        n = NoPenaltyListVersion.objects.filter(pk=version.pk, status="draft").update(
            status="published", published_on=on
        )
        if n != 1:
            raise Conflict("not_draft", "只有草稿状态的清单版本可以公布。")
        version.refresh_from_db()
        audit.record(
            actor=actor,
            action="nopenalty.publish",
            obj=version,
            summary=f"公布包容免罚清单 {version.version}",
            data={"on": on},
        )
    legal._parse_npl.cache_clear()
    return version


# ---- history facts (R7.3: checked against the enterprise's record, not typed in) -------------


def history_facts(
    *, enterprise: Enterprise, violation_code: str, on: dt.date, exclude: Case | None = None
) -> dict[str, Any]:
    earlier = Case.objects.filter(
        enterprise=enterprise,
        violation_code=violation_code,
        status__in=DECIDED_STATUSES,
        decided_on__lte=on,
    )
    if exclude is not None:
        earlier = earlier.exclude(pk=exclude.pk)
    since = (
        on.replace(year=on.year - 3)
        if not (on.month == 2 and on.day == 29)
        else on - dt.timedelta(days=3 * 365)
    )
    fatal = CreditRecord.objects.filter(
        enterprise=enterprise, kind="accident", fatalities__gt=0, on__gte=since, on__lte=on
    ).exists()
    listed = DishonestyListing.objects.filter(enterprise=enterprise, status="listed").exists()
    return {
        "first_offence": not earlier.exists(),
        "fatal_accident_within_3_years": fatal,
        "serious_dishonesty_listed": listed,
        "high_risk": enterprise.high_risk,
    }


def history_reasons(history: dict[str, Any], claimed: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    texts = {
        "first_offence": (
            "本企业此前没有同一违法行为的已决定案件，认定为初次违法。",
            "本企业此前因同一违法行为已有行政处理决定，不属于初次违法。",
        ),
        "fatal_accident_within_3_years": (
            "本企业三年内有造成人员死亡的生产安全事故记录。",
            "本企业三年内没有造成人员死亡的生产安全事故记录。",
        ),
        "serious_dishonesty_listed": (
            "本企业在安全生产严重失信主体名单中。",
            "本企业不在安全生产严重失信主体名单中。",
        ),
    }
    for key, (yes, no) in texts.items():
        msg = yes if history[key] else no
        if key in claimed and bool(claimed[key]) != history[key]:
            msg += "（已按系统记录更正录入的事实。）"
        out.append({"code": f"history_{key}", "message": "依据信用记录：" + msg})
    return out


def assess(
    *,
    enterprise: Enterprise | None,
    violation_code: str,
    party: str,
    facts: dict[str, Any],
    on: dt.date,
    exclude: Case | None = None,
):
    """Discretion with the enterprise's history applied: (result, clean facts, extra reasons)."""
    clean = legal.clean_facts(facts)
    extra: list[dict[str, str]] = []
    if enterprise is not None:
        history = history_facts(
            enterprise=enterprise, violation_code=violation_code, on=on, exclude=exclude
        )
        extra = history_reasons(history, facts)
        clean.update(history)
    return legal.decide(violation_code, party, clean), clean, extra


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
    from fairinspect.core.roles import Role
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
        audit.record(
            actor=actor,
            action="case.open",
            obj=case,
            summary=f"登记案件：{cause}",
            data={"violation": v.code, "party": party},
        )
    return case


# ---- deadlines ---------------------------------------------------------------------------------


def deadlines(case: Case) -> dict[str, dl.Deadline]:
    if not case.filed_on:
        return {}
    exts = (
        [dl.Extension(e.days, e.reason, e.approved_on) for e in case.extensions.all()]
        if case.pk
        else []
    )
    return dl.due_dates(
        filed_on=case.filed_on,
        is_workday=is_workday,
        notice_served_on=case.notice_served_on,
        decided_on=case.decided_on,
        decision_served_on=case.served_on,
        hearing_on=case.hearing_on,
        extensions=exts,
    )


def open_deadlines(case: Case, all_due: dict[str, dl.Deadline] | None = None):
    """The deadlines the bureau (or the party, for payment) still has to meet."""
    all_due = deadlines(case) if all_due is None else all_due
    out = []
    if case.status in ("investigating", "notified", "reviewed", "discussed"):
        out.append(all_due.get("decision"))
    if case.status == "decided":
        out.append(all_due.get("service"))
    if case.decided_on and case.outcome == "penalty":
        disc = getattr(case, "disclosure", None) if case.pk else None
        if disc is None or disc.published_on is None:
            out.append(all_due.get("publication"))
    if case.status == "served" and case.outcome == "penalty" and (case.fine_amount or 0) > 0:
        out.append(all_due.get("payment"))
    return [x for x in out if x is not None]


def _refresh_due(case: Case) -> None:
    case.refresh_from_db()
    all_due = deadlines(case)
    pending = sorted(open_deadlines(case, all_due), key=lambda x: x.due)
    decision = all_due.get("decision")
    Case.objects.filter(pk=case.pk).update(
        decision_due=decision.due if decision else None,
        next_due=pending[0].due if pending else None,
        next_due_kind=pending[0].name if pending else "",
    )
    case.refresh_from_db()


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


def _date(data: dict, key: str, default: dt.date) -> dt.date:
    raw = data.get(key)
    if raw in (None, ""):
        return default
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise ValidationFailed("bad_date", f"{key}：日期格式应为 YYYY-MM-DD。", field=key) from None


def _text(data: dict, key: str, *, required: bool = False, label: str = "") -> str:
    value = str(data.get(key) or "").strip()
    if required and not value:
        raise ValidationFailed("missing", f"{key}：必须填写{label}。", field=key)
    return value


def check_step(*, actor, case: Case, action: str) -> None:
    step = STEPS.get(action)
    if step is None:
        raise ValidationFailed("unknown_action", f"action：未知的操作 {action}。", field="action")
    if not has_role(actor, step.role):
        raise Forbidden(
            f"“{step.label}”只能由{step.role.label}办理。",
            extra={"reasons": [f"需要角色：{step.role.label}"]},
        )
    if case.status not in step.sources:
        raise Conflict(
            "wrong_state",
            f"案件当前为“{case.get_status_display()}”，不能{step.label}。",
            extra={
                "reasons": [
                    f"“{step.label}”只能在以下状态办理："
                    + "、".join(str(Case.Status(s).label) for s in step.sources)
                ]
            },
        )


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
    audit.record(
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
    _refresh_due(case)
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
    year = on.year
    return _move(
        actor=actor,
        case=case,
        action="approve_filing",
        to="investigating",
        on=on,
        note=_text(data, "note"),
        filed_on=on,
        procedure_rule=procedure_rule_on(on).code,
        number=f"乌应急立〔{year}〕{case.pk}号",
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
    if result.grade is d.Grade.NO_PENALTY:
        outcome, proposed = "no_penalty", Decimal(0)
    else:
        outcome = "penalty"
        proposed = _money(data, "proposed_fine", required=False)
        if proposed is None:
            proposed = result.fine_min
    check = d.check_outside_range(proposed, result)
    reason = _text(data, "outside_range_reason")
    if check.unlawful:
        raise ValidationFailed(
            check.reason.code, f"proposed_fine：{check.reason.message}", field="proposed_fine"
        )
    if check.needs_reason and not reason:
        raise ValidationFailed(
            "reason_required",
            f"outside_range_reason：{check.reason.message}",
            field="outside_range_reason",
        )
    hearing = dl.hearing_required(case.party, proposed, penalty_types=result.penalty_types)
    reasons = extra + [{"code": r.code, "message": r.message} for r in result.reasons]
    reasons += [{"code": r.code, "message": r.message} for r in hearing.reasons]
    if check.needs_reason:
        reasons.append({"code": "outside_range", "message": check.reason.message})
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
            legal.no_penalty_list_in_force().version if result.no_penalty_item else ""
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
            extra={"reasons": ["请先记录违法事实、证据并计算裁量。"]},
        )
    if not case.facts_text or not case.evidence:
        raise Conflict(
            "missing_facts",
            "告知前须写明违法事实和证据。",
            extra={"reasons": ["违法事实和证据是告知书的必备内容（说理式执法）。"]},
        )
    on = _date(data, "served_on", today)
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
            extra={"reasons": [statement_end.basis.message]},
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
    if not case.is_major:
        raise Conflict("not_major", "本案不属于须集体讨论的重大案件，可直接决定。")
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
    if case.is_major and case.status != "discussed":
        raise Conflict(
            "discussion_required",
            "重大行政处罚案件须经集体讨论后方可决定。",
            extra={
                "reasons": [
                    "《行政处罚法》第五十七条第二款：对情节复杂或者重大违法行为"
                    "给予行政处罚，行政机关负责人应当集体讨论决定。"
                ]
            },
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
            decision_number=f"乌应急不罚〔{on.year}〕{case.pk}号",
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
        decision_number=f"乌应急罚〔{on.year}〕{case.pk}号",
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
    propose_dishonesty(case=case, on=on)
    _refresh_due(case)
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
        case.fine_amount, due, paid_on, paused_days=int(data.get("paused_days") or 0)
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


# ---- public disclosure (R8.2) -------------------------------------------------------------------


def publish_disclosure(*, actor, disclosure: Disclosure, on: dt.date) -> Disclosure:
    from fairinspect.core.roles import Role

    if not has_role(actor, Role.OFFICER, Role.APPROVER, Role.ADMIN):
        raise Forbidden("只有执法人员或单位负责人可以公开处罚决定。")
    with transaction.atomic():
        n = Disclosure.objects.filter(pk=disclosure.pk, published_on__isnull=True).update(
            published_on=on
        )
        if n != 1:
            raise Conflict("already_published", "该处罚决定已公开。")
        disclosure.refresh_from_db()
        audit.record(
            actor=actor,
            action="disclosure.publish",
            obj=disclosure,
            summary=f"公开处罚决定 {disclosure.decision_number}",
            data={"on": on, "due": disclosure.due_on, "late": on > disclosure.due_on},
        )
        _refresh_due(disclosure.case)
    return disclosure


# ---- the serious-dishonesty list (R10.2, 应急管理部令第11号) -----------------------------------

DISHONESTY_BASIS = "《安全生产严重失信主体名单管理办法》（应急管理部令第11号，2023年10月1日施行）"


def dishonesty_grounds(case: Case, *, larger_accidents_12m: int = 0) -> list[tuple[str, str]]:
    """Which listing situations of 令第11号 the decided case meets. The system proposes;
    the unit that penalised decides (谁处罚、谁决定、谁负责)."""
    grounds = []
    aggr = set((case.facts or {}).get("aggravations", ()))
    code = case.violation_code
    if code in ("AQSCF2021-114-3", "AQSCF2021-114-4", "AQSCF2021-95-3", "AQSCF2021-95-4"):
        grounds.append(
            ("major_accident", "发生特别重大、重大生产安全事故的生产经营单位及其主要负责人")
        )
    if code == "AQSCF2021-114-2" and larger_accidents_12m >= 2:
        grounds.append(
            (
                "two_larger_accidents",
                "12个月内累计发生2起以上较大生产安全事故的生产经营单位及其主要负责人",
            )
        )
    if code.startswith("AQSCF2021-114") and "egregious_accident" in aggr:
        grounds.append(
            (
                "egregious_accident",
                "发生生产安全事故，情节特别严重、影响特别恶劣，依照《安全生产法》"
                "第一百一十四条被处以罚款数额2倍以上5倍以下罚款的生产经营单位及其主要负责人",
            )
        )
    if "concealed_accident" in aggr:
        grounds.append(
            (
                "concealed_accident",
                "瞒报、谎报生产安全事故的生产经营单位及其有关责任人员"
                "（仅迟报的不属于本情形，列入前须核实）",
            )
        )
    return grounds


# Grounds the system cannot see in the case data, proposed by the approver from a decided case.
# Wording checked against the published text of 令第11号; article numbers deliberately not cited.
MANUAL_GROUNDS = {
    "unlicensed_operation": (
        "未依法取得安全生产相关许可或者许可被暂扣、吊销期间从事相关生产经营活动的"
        "生产经营单位及其主要负责人"
    ),
}


def propose_listing_by_approver(
    *, actor, case: Case, ground: str, reason: str, on: dt.date
) -> DishonestyListing:
    """The approver proposes listing on a ground of 令第11号 that the case data cannot show
    (for example working without a required licence); the listing then follows the ordinary
    decision (`list_dishonest`)."""
    from fairinspect.core.roles import Role

    if not has_role(actor, Role.APPROVER):
        raise Forbidden("建议列入严重失信主体名单由作出处罚决定的单位负责人办理。")
    if ground not in MANUAL_GROUNDS:
        raise ValidationFailed("bad_ground", "ground：请选择列入情形。", field="ground")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "missing", "reason：必须写明认定该情形的事实和证据。", field="reason"
        )
    if case.status not in DECIDED_STATUSES or case.outcome != "penalty":
        raise Conflict("not_decided", "只有已作出行政处罚决定的案件可以建议列入。")
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=case.pk)
        if DishonestyListing.objects.filter(
            case=case, ground=ground, status__in=("proposed", "listed")
        ).exists():
            raise Conflict("already_proposed", "本案已就该情形建议或列入名单。")
        listing = DishonestyListing.objects.create(
            enterprise=case.enterprise,
            case=case,
            ground=ground,
            proposed_on=on,
            basis=f"依据{DISHONESTY_BASIS}，本案属于“{MANUAL_GROUNDS[ground]}”的情形"
            f"（{reason[:500]}），建议列入严重失信主体名单；管理期限三年，列入满十二个月可申请提前移出。",
        )
        audit.record(
            actor=actor,
            action="dishonesty.propose",
            obj=listing,
            summary=f"建议列入严重失信主体名单：{case.enterprise.name}",
            data={"case": case.pk, "ground": ground, "reason": reason},
        )
    return listing


def propose_dishonesty(*, case: Case, on: dt.date) -> DishonestyListing | None:
    larger = Case.objects.filter(
        enterprise=case.enterprise,
        violation_code="AQSCF2021-114-2",
        status__in=DECIDED_STATUSES,
        decided_on__gt=on - dt.timedelta(days=365),
        decided_on__lte=on,
    ).count()
    grounds = dishonesty_grounds(case, larger_accidents_12m=larger)
    if not grounds:
        return None
    code, text = grounds[0]
    return DishonestyListing.objects.create(
        enterprise=case.enterprise,
        case=case,
        ground=code,
        proposed_on=on,
        basis=f"依据{DISHONESTY_BASIS}，本案属于“{text}”的情形，建议列入严重失信主体名单；"
        "管理期限三年，列入满十二个月可申请提前移出。",
    )


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def list_dishonest(*, actor, listing: DishonestyListing, on: dt.date) -> DishonestyListing:
    from fairinspect.core.roles import Role

    if not has_role(actor, Role.APPROVER):
        raise Forbidden("列入严重失信主体名单由作出处罚决定的单位负责人决定。")
    with transaction.atomic():
        ent = Enterprise.objects.select_for_update().get(pk=listing.enterprise_id)
        n = DishonestyListing.objects.filter(pk=listing.pk, status="proposed").update(
            status="listed",
            listed_on=on,
            expires_on=_add_years(on, 3),
            early_removal_from=_add_years(on, 1),
            previous_credit_level=ent.credit_level,
        )
        if n != 1:
            raise Conflict("not_proposed", "只有“建议列入”的记录可以列入。")
        Enterprise.objects.filter(pk=ent.pk).update(credit_level="D")
        listing.refresh_from_db()
        CreditRecord.objects.create(
            enterprise=ent,
            case=listing.case,
            kind="dishonest",
            on=on,
            summary=f"列入严重失信主体名单，至{listing.expires_on}",
        )
        audit.record(
            actor=actor,
            action="dishonesty.list",
            obj=listing,
            summary=f"列入严重失信主体名单：{ent.name}",
            data={"expires": listing.expires_on},
        )
    return listing


def remove_dishonest(
    *, actor, listing: DishonestyListing, on: dt.date, reason: str, early: bool
) -> DishonestyListing:
    from fairinspect.core.roles import Role

    if not has_role(actor, Role.APPROVER):
        raise Forbidden("移出严重失信主体名单由作出列入决定的单位负责人决定。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("missing", "reason：必须填写移出理由。", field="reason")
    if listing.status != "listed":
        raise Conflict("not_listed", "该主体不在名单中。")
    if early and on < listing.early_removal_from:
        raise Conflict(
            "too_early",
            f"列入满十二个月（{listing.early_removal_from.isoformat()}起）方可申请提前移出。",
        )
    if not early and on < listing.expires_on:
        raise Conflict(
            "not_expired",
            f"管理期限至{listing.expires_on.isoformat()}届满；期满前只能依申请提前移出。",
        )
    with transaction.atomic():
        if not _lift_listing(listing=listing, on=on, reason=reason, early=early, actor=actor):
            raise Conflict("concurrent_change", "名单状态已被他人改变。")
    listing.refresh_from_db()
    return listing


def _lift_listing(*, listing: DishonestyListing, on: dt.date, reason: str, early: bool, actor):
    """Remove a listed entry and lift its measures (credit level restored when no other listing
    holds the enterprise): one `UPDATE … WHERE status='listed'`, so it happens at most once.
    Returns False when the listing was no longer listed. Call inside a transaction."""
    Enterprise.objects.select_for_update().get(pk=listing.enterprise_id)
    n = DishonestyListing.objects.filter(pk=listing.pk, status="listed").update(
        status="removed", removed_on=on, removal_reason=reason, measures_lifted=True
    )
    if n != 1:
        return False
    still = DishonestyListing.objects.filter(
        enterprise_id=listing.enterprise_id, status="listed"
    ).exists()
    if not still:
        Enterprise.objects.filter(pk=listing.enterprise_id).update(
            credit_level=listing.previous_credit_level or "C"
        )
    listing.refresh_from_db()
    CreditRecord.objects.create(
        enterprise=listing.enterprise,
        case=listing.case,
        kind="removed",
        on=on,
        summary=("提前移出" if early else "期满移出") + f"：{reason}"[:280],
    )
    audit.record(
        actor=actor,
        action="dishonesty.remove" if actor is not None else "dishonesty.expire",
        obj=listing,
        summary=f"移出严重失信主体名单，解除惩戒措施：{listing.enterprise.name}",
        data={"early": early, "reason": reason, "expires_on": listing.expires_on},
    )
    return True


EXPIRY_REASON = "管理期限三年届满，移出名单并解除惩戒措施"


def expire_listings(*, today: dt.date, actor=None) -> list[DishonestyListing]:
    """Remove every listing whose three-year term has ended by `today` (periodic, idempotent:
    a listing already removed is not touched again). Returns the listings removed now."""
    removed = []
    due = DishonestyListing.objects.filter(status="listed", expires_on__lte=today).order_by("id")
    for listing in due.select_related("enterprise"):
        with transaction.atomic():
            if _lift_listing(
                listing=listing, on=today, reason=EXPIRY_REASON, early=False, actor=actor
            ):
                removed.append(listing)
    return removed


# ---- early removal on the enterprise's application (R10.2) --------------------------------------


def apply_early_removal(*, actor, listing: DishonestyListing, statement: str, on: dt.date):
    """The listed enterprise's own user applies once twelve months have passed."""
    from fairinspect.core.roles import Role

    from .models import RemovalApplication

    if not has_role(actor, Role.ENTERPRISE) or actor.enterprise_id != listing.enterprise_id:
        raise Forbidden("只有被列入名单的企业本身可以申请提前移出。")
    statement = (statement or "").strip()
    if not statement:
        raise ValidationFailed(
            "missing",
            "statement：必须写明申请理由（处罚决定履行、整改完成、信用承诺等情况）。",
            field="statement",
        )
    if listing.status != "listed":
        raise Conflict("not_listed", "该记录不在名单中，无需申请移出。")
    if on < listing.early_removal_from:
        raise Conflict(
            "too_early",
            f"列入满十二个月（{listing.early_removal_from.isoformat()}起）方可申请提前移出。",
            field="statement",
        )
    with transaction.atomic():
        DishonestyListing.objects.select_for_update().get(pk=listing.pk)
        if RemovalApplication.objects.filter(listing=listing, status="pending").exists():
            raise Conflict("application_pending", "已有一份提前移出申请待审核，请等待审核结果。")
        app = RemovalApplication.objects.create(
            listing=listing, applied_by=actor, applied_on=on, statement=statement[:4000]
        )
        audit.record(
            actor=actor,
            action="dishonesty.apply_removal",
            obj=app,
            summary=f"申请提前移出严重失信主体名单：{listing.enterprise.name}",
            data={"listing": listing.pk, "on": on},
        )
    return app


def decide_early_removal(*, actor, application, approve: bool, note: str, on: dt.date):
    """The approver grants (the listing is removed and measures lifted) or refuses (reason
    required) a pending application."""
    from fairinspect.core.roles import Role

    from .models import RemovalApplication

    if not has_role(actor, Role.APPROVER):
        raise Forbidden("提前移出申请由作出列入决定的单位负责人审核。")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("missing", "note：必须填写审核意见。", field="note")
    listing = application.listing
    with transaction.atomic():
        n = RemovalApplication.objects.filter(pk=application.pk, status="pending").update(
            status="approved" if approve else "refused",
            decided_by=actor,
            decided_on=on,
            decision_note=note[:4000],
        )
        if n != 1:
            raise Conflict("not_pending", "该申请已审核。")
        if approve:
            if on < listing.early_removal_from:
                raise Conflict("too_early", "列入未满十二个月，不能提前移出。")
            if not _lift_listing(
                listing=listing,
                on=on,
                reason=f"依企业申请提前移出：{note}",
                early=True,
                actor=actor,
            ):
                raise Conflict("not_listed", "该主体已不在名单中。")
        application.refresh_from_db()
        audit.record(
            actor=actor,
            action="dishonesty.decide_removal",
            obj=application,
            summary=("同意" if approve else "不同意") + f"提前移出：{listing.enterprise.name}",
            data={"approve": approve, "note": note},
        )
    return application


def record_accident(
    *,
    actor,
    enterprise: Enterprise,
    on: dt.date,
    fatalities: int,
    summary: str,
    level: str = "",
    injuries: int = 0,
    today: dt.date | None = None,
) -> CreditRecord:
    """An accident enters the enterprise's credit record (R10.1); a fatal one within three
    years then fails the no-penalty list (R7.3). `actor=None` is a data load; a person must
    be an officer or approver who may see the enterprise."""
    from fairinspect.core.roles import Role
    from fairinspect.registry.access import enterprises_visible_to

    from .accidents import level_problem, minimum_level

    if actor is not None:
        if not has_role(actor, Role.OFFICER, Role.APPROVER):
            raise Forbidden("只有执法人员或单位负责人可以登记生产安全事故。")
        if not enterprises_visible_to(actor).filter(pk=enterprise.pk).exists():
            raise Forbidden("该企业不在您的执法范围内。")
    for key, value in (("fatalities", fatalities), ("injuries", injuries)):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10000:
            label = "死亡人数" if key == "fatalities" else "重伤人数"
            raise ValidationFailed("bad_count", f"{key}：{label}应为0或正整数。", field=key)
    if not isinstance(on, dt.date):
        raise ValidationFailed("bad_date", "on：事故日期格式应为 YYYY-MM-DD。", field="on")
    if today is not None and on > today:
        raise ValidationFailed("future_date", "on：事故日期不得晚于今天。", field="on")
    level = level or minimum_level(fatalities, injuries)
    problem = level_problem(level, fatalities, injuries)
    if problem:
        raise ValidationFailed("bad_level", f"level：{problem}", field="level")
    summary = (summary or "").strip()
    if not summary:
        raise ValidationFailed("missing", "summary：必须填写事故概况。", field="summary")
    with transaction.atomic():
        rec = CreditRecord.objects.create(
            enterprise=enterprise,
            kind="accident",
            on=on,
            fatalities=fatalities,
            injuries=injuries,
            accident_level=level,
            recorded_by=actor,
            summary=summary[:300],
        )
        audit.record(
            actor=actor,
            action="credit.accident",
            obj=rec,
            summary=f"登记生产安全事故：{enterprise.name}，{summary[:150]}",
            data={"on": on, "level": level, "fatalities": fatalities, "injuries": injuries},
        )
    return rec


# ---- cases from hazards found on visits: 一案双罚 and self-reported hazards (R7.6, R11.3) ---------

SELF_REPORTED_BASIS = (
    "依据《关于规范行政执法行为的措施》第九条（附件九）：“对企业自查查出的重大事故隐患，已按规定报告并"
    "正在采取有效措施消除的依法不予处罚”（R11.3）"
)
UNIT_HAZARD_VIOLATION = "AQSCF2021-101-5"  # 重大事故隐患排查治理情况未按照规定报告
GENERAL_HAZARD_VIOLATION = "AQSCF2021-102"  # 未采取措施消除事故隐患
MAIN_PERSON_VIOLATION = "AQSCF2021-94"  # 主要负责人未履行安全生产管理职责（第二十一条第五项）


def hazard_plan(hazard) -> dict[str, Any]:
    """What opening a case from this hazard would do, and why (shown before the officer
    confirms; the service applies the same rule)."""
    if hazard.reported_by_enterprise:
        return {
            "allowed": False,
            "double": False,
            "reason": f"该事故隐患系企业自查自报（{hazard.self_report_reference}）并正在整改，"
            f"{SELF_REPORTED_BASIS}，不予立案处罚。",
        }
    if hazard.level == "major":
        return {
            "allowed": True,
            "double": True,
            "reason": "执法检查发现企业未自查报告的重大事故隐患：依据《关于规范行政执法行为的措施》第九条"
            "（附件九）对企业主要负责人“一案双罚”，分别对生产经营单位和主要负责人立案（两个关联案件，"
            "各自裁量、告知、决定、送达和执行）。",
        }
    return {
        "allowed": True,
        "double": False,
        "reason": "执法检查发现的一般事故隐患，对生产经营单位立案。",
    }


def open_cases_from_hazard(
    *, actor, hazard, on: dt.date, violation_code: str = "", facts_text: str = ""
) -> list[Case]:
    """One case (general hazard) or two linked cases (一案双罚: the unit and its main person
    in charge) for a hazard officers found; refused for a hazard the enterprise reported."""
    plan = hazard_plan(hazard)
    if not plan["allowed"]:
        raise Conflict("self_reported_hazard", plan["reason"], extra={"reasons": [plan["reason"]]})
    if Case.objects.filter(hazard=hazard).exists():
        raise Conflict("hazard_has_case", "该隐患已立案，不得重复立案。")
    ent = hazard.enterprise
    level = "重大事故隐患" if hazard.level == "major" else "事故隐患"
    source = f"执法检查发现（检查编号{hazard.visit_id}，{level}：{hazard.description[:60]}）"
    text = facts_text or (
        f"{on.year}年{on.month}月{on.day}日前，执法人员在检查中发现该单位"
        f"{hazard.place or ''}存在{level}：{hazard.description}。"
        + ("该隐患未经企业自查报告。" if hazard.level == "major" else "")
    )
    link = {"hazard": hazard, "visit_id": hazard.visit_id}
    with transaction.atomic():
        unit_code = violation_code or (
            UNIT_HAZARD_VIOLATION if plan["double"] else GENERAL_HAZARD_VIOLATION
        )
        unit = open_case(
            actor=actor,
            enterprise=ent,
            party="unit",
            violation_code=unit_code,
            facts_text=text,
            source=source,
            on=on,
            extra_fields=link,
        )
        if not plan["double"]:
            return [unit]
        if not ent.main_person.strip():
            raise ValidationFailed(
                "missing_main_person",
                "企业未登记主要负责人，无法对主要负责人立案"
                "（一案双罚）。请先在企业登记中补充主要负责人。",
                field="main_person",
            )
        person = open_case(
            actor=actor,
            enterprise=ent,
            party="person",
            violation_code=MAIN_PERSON_VIOLATION,
            person_name=ent.main_person,
            person_role="主要负责人",
            cause=f"{ent.main_person}（{ent.name}主要负责人）未履行安全生产管理职责",
            facts_text=text + "该单位主要负责人未组织落实隐患排查治理、及时消除事故隐患。",
            source=source,
            on=on,
            extra_fields=link,
        )
        Case.objects.filter(pk=unit.pk).update(pair=person)
        Case.objects.filter(pk=person.pk).update(pair=unit)
        audit.record(
            actor=actor,
            action="case.double_penalty",
            obj=unit,
            summary=f"一案双罚：{ent.name}及其主要负责人",
            data={"person_case": person.pk},
        )
        unit.refresh_from_db()
        person.refresh_from_db()
        return [unit, person]
