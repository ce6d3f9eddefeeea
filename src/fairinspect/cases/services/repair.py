"""Credit repair of a published penalty (信用修复, R10.3).

The enterprise's own user applies with a statement, a credit commitment and documents; the
conditions of the order in force that day (`rules.credit_repair`) are checked and stored with
the application. An approver of the penalising bureau who neither worked the case nor
inspected the enterprise (`access.repair_duty`) decides with written reasons; the conditions
are checked again on the decision day. A granted repair ends the publication of the penalty
(the public disclosure list and its export leave it out), enters the credit record and may
restore the credit level the reviewer states (never while a serious-dishonesty listing runs).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction

from fairinspect.audit import trail
from fairinspect.core.duties import require as require_duty
from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.core.roles import Role, has_role
from fairinspect.registry.models import Enterprise
from fairinspect.rules import credit_repair as rule
from fairinspect.rules.results import reason_dicts

from .. import access
from ..models import (
    Case,
    CreditRecord,
    CreditRepairApplication,
    Disclosure,
    DishonestyListing,
    RepairDocument,
)
from .common import DECIDED_STATUSES

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
ALLOWED_DOCUMENTS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
LEVELS = ("A", "B", "C")


def _published(case: Case) -> bool:
    try:
        d = case.disclosure
    except Disclosure.DoesNotExist:
        return False
    if d.published_on is None:
        return False
    return not case.repair_applications.filter(status="granted").exists()


def repair_facts(
    case: Case, *, on: dt.date, commitment: str = "", documents: Iterable[str] = ()
) -> rule.RepairFacts:
    """The rule's facts from the case's records."""
    from fairinspect.visits.models import Hazard

    rectified = True
    if case.hazard_id:
        rectified = Hazard.objects.filter(pk=case.hazard_id, status="rectified").exists()
    listed = DishonestyListing.objects.filter(
        case=case, status__in=("proposed", "notified", "listed")
    ).exists()
    return rule.RepairFacts(
        decided=case.status in DECIDED_STATUSES and case.outcome == "penalty",
        decided_on=case.decided_on,
        published=_published(case),
        listed=listed,
        fine_amount=case.fine_amount,
        surcharge=case.surcharge,
        amount_paid=case.amount_paid,
        penalty_types=tuple(case.penalty_types or ()),
        simple_procedure=False,  # the case records hold no 简易程序 flag yet
        rectified=rectified,
        commitment=commitment or "",
        documents=frozenset(documents),
        on=on,
    )


def check_repair(
    case: Case, *, on: dt.date, commitment: str = "", documents: Iterable[str] = ()
) -> rule.RepairDecision:
    return rule.check_repair(repair_facts(case, on=on, commitment=commitment, documents=documents))


def decision_json(d: rule.RepairDecision) -> dict:
    return {
        "regime": d.regime.code,
        "citation": d.regime.citation,
        "class": d.period.code,
        "min_end": d.min_end.isoformat() if d.min_end else None,
        "max_end": d.max_end.isoformat() if d.max_end else None,
        "conditions": [
            {
                "code": r.condition.code,
                "text": r.condition.text,
                "met": r.met,
                "detail": r.detail,
                "source": r.condition.source,
                "article": r.condition.article,
                "verified": r.condition.verified,
            }
            for r in d.results
        ],
    }


def _refuse(d: rule.RepairDecision, field: str = "") -> None:
    reasons = d.reasons
    raise Conflict(
        reasons[0].code,
        reasons[0].message,
        field=field or None,
        extra={"reasons": reason_dicts(reasons)},
    )


def check_document(kind: str, upload, kinds: set[str]) -> tuple[str, str]:
    """(content type, extension) of one document: PDF, JPEG or PNG by its bytes, ≤10 MB."""
    from fairinspect.visits.services.onsite import sniff

    if kind not in kinds:
        raise ValidationFailed(
            "document_kind_invalid", "材料类型不在规定范围内。", field="documents"
        )
    size = getattr(upload, "size", 0) or 0
    if size <= 0 or size > MAX_DOCUMENT_BYTES:
        raise ValidationFailed(
            "document_size", "申请材料不能为空，且不得超过10MB。", field="documents"
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    ctype = "application/pdf" if head.startswith(b"%PDF-") else sniff(head)
    if ctype not in ALLOWED_DOCUMENTS:
        raise ValidationFailed(
            "document_type", "申请材料只接受PDF、JPEG、PNG文件。", field="documents"
        )
    return ctype, ALLOWED_DOCUMENTS[ctype]


def apply_credit_repair(
    *,
    actor,
    case: Case,
    statement: str,
    commitment: str,
    documents: Iterable[tuple[str, object]],
    on: dt.date,
) -> CreditRepairApplication:
    """The enterprise's own user applies; refused (nothing saved) unless every condition of
    the order in force on `on` is met. Documents are (kind, uploaded file) pairs."""
    if not has_role(actor, Role.ENTERPRISE) or actor.enterprise_id != case.enterprise_id:
        raise Forbidden("只有受处罚的企业本身可以申请信用修复。")
    if case.party != "unit":
        raise Forbidden("对个人的处罚不在企业信用修复范围内。")
    statement = (statement or "").strip()
    commitment = (commitment or "").strip()
    if not statement:
        raise ValidationFailed(
            "missing", "statement：请写明纠正违法行为、履行处罚决定的情况。", field="statement"
        )
    docs = list(documents)
    regime = rule.regime_on(on)
    kinds = {d.code for d in regime.documents}
    checked = [(kind, f, *check_document(kind, f, kinds)) for kind, f in docs]
    decision = check_repair(case, on=on, commitment=commitment, documents={k for k, *_ in checked})
    if not decision.allowed:
        _refuse(decision)
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=case.pk)
        if CreditRepairApplication.objects.filter(case=case, status="pending").exists():
            raise Conflict("repair_pending", "本案已有一份信用修复申请待审核，请等待审核结果。")
        app = CreditRepairApplication.objects.create(
            case=case,
            enterprise_id=case.enterprise_id,
            applied_by=actor,
            applied_on=on,
            statement=statement[:4000],
            commitment=commitment[:4000],
            regime=decision.regime.code,
            conditions=decision_json(decision),
        )
        saved = []
        for kind, f, _ctype, ext in checked:
            h = hashlib.sha256()
            for chunk in f.chunks():  # type: ignore[attr-defined]
                h.update(chunk)
            f.seek(0)  # type: ignore[attr-defined]
            doc = RepairDocument(
                application=app,
                kind=kind,
                original_name=(getattr(f, "name", "") or "")[-200:],
                size=f.size,  # type: ignore[attr-defined]
                sha256=h.hexdigest(),
            )
            doc.file.save(f"{app.pk}-{h.hexdigest()[:16]}{ext}", f, save=False)
            doc.save()
            saved.append(doc)
        trail.record(
            actor=actor,
            action="credit.repair_apply",
            obj=app,
            summary=f"申请信用修复：{case.decision_number or case.pk}",
            data={"case": case.pk, "regime": decision.regime.code, "documents": len(saved)},
            also=saved,
        )
    return app


def decide_credit_repair(
    *,
    actor,
    application: CreditRepairApplication,
    grant: bool,
    reason: str,
    on: dt.date,
    credit_level: str = "",
) -> CreditRepairApplication:
    """Grant or refuse with written reasons, by an approver of the penalising bureau who did
    not apply, work the case or inspect the enterprise. A grant re-checks every condition on
    `on`, ends the publication, enters the credit record and, when `credit_level` is given,
    restores that level (not lower than today's, never while a listing runs)."""
    if not has_role(actor, Role.APPROVER):
        raise Forbidden("信用修复申请由作出处罚决定的单位负责人审核。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("missing", "reason：必须写明审核意见和理由。", field="reason")
    credit_level = (credit_level or "").strip().upper()
    if credit_level and credit_level not in LEVELS:
        raise ValidationFailed(
            "bad_level", "credit_level：修复后的信用等级应为A、B或C。", field="credit_level"
        )
    with transaction.atomic():
        app = (
            CreditRepairApplication.objects.select_for_update(of=("self",))
            .select_related("case", "case__department")
            .get(pk=application.pk)
        )
        require_duty(actor, "审核信用修复申请", Role.APPROVER, access.repair_duty(app))
        if app.status != "pending":
            raise Conflict("not_pending", "该申请已审核。")
        ent = Enterprise.objects.select_for_update().get(pk=app.enterprise_id)
        fields: dict = {"decided_by": actor, "decided_on": on, "decision_reason": reason[:4000]}
        also: list = []
        if grant:
            kinds = set(app.documents.values_list("kind", flat=True))
            decision = check_repair(app.case, on=on, commitment=app.commitment, documents=kinds)
            if not decision.allowed:
                _refuse(decision)
            before = ent.credit_level
            after = before
            if credit_level:
                if DishonestyListing.objects.filter(enterprise=ent, status="listed").exists():
                    raise Conflict(
                        "listing_running",
                        "该企业仍在严重失信主体名单中，信用等级不能修复；名单依应急管理部令第11号移出。",
                        field="credit_level",
                    )
                if credit_level > before:  # "A" < "B": a letter later is a lower level
                    raise ValidationFailed(
                        "level_lower",
                        f"credit_level：修复后的信用等级不能低于现在的{before}级。",
                        field="credit_level",
                    )
                after = credit_level
            fields.update(
                status="granted",
                credit_level_before=before,
                credit_level_after=after,
                public_ended_on=on,
            )
            if after != before:
                Enterprise.objects.filter(pk=ent.pk).update(credit_level=after)
                also.append(ent)
            rec = CreditRecord.objects.create(
                enterprise=ent,
                case=app.case,
                kind="repaired",
                on=on,
                recorded_by=actor,
                summary=(
                    f"信用修复：{app.case.decision_number or app.case.pk}终止公示"
                    + (f"，信用等级{before}→{after}" if after != before else "")
                )[:300],
            )
            also.append(rec)
        else:
            fields.update(status="refused")
        n = CreditRepairApplication.objects.filter(pk=app.pk, status="pending").update(**fields)
        if n != 1:
            raise Conflict("concurrent_change", "申请状态已被他人改变，请刷新后重试。")
        app.refresh_from_db()
        trail.record(
            actor=actor,
            action="credit.repair_grant" if grant else "credit.repair_refuse",
            obj=app,
            summary=("准予" if grant else "不予") + f"信用修复：{ent.name}",
            data={"reason": reason, "credit_level": app.credit_level_after or None},
            also=also,
        )
    return app


def repairable_cases(enterprise: Enterprise):
    """The enterprise's decided unit penalties whose publication is running (what it may
    apply to repair), newest first."""
    return (
        Case.objects.filter(
            enterprise=enterprise,
            party="unit",
            outcome="penalty",
            status__in=DECIDED_STATUSES,
            disclosure__published_on__isnull=False,
        )
        .exclude(repair_applications__status="granted")
        .select_related("disclosure", "department")
        .order_by("-decided_on", "-id")
    )


def owed(case: Case) -> Decimal:
    return (case.fine_amount or Decimal(0)) + (case.surcharge or Decimal(0))
