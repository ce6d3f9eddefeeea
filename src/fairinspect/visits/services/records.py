"""The records an exempt visit rests on (R3.3): the enterprise's application for an inspection
and referrals (转办交办) with their document. Each write is audited."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone

from fairinspect.audit import trail
from fairinspect.core.errors import Forbidden, ValidationFailed
from fairinspect.core.roles import Role, has_role
from fairinspect.registry.access import is_staff
from fairinspect.registry.models import Enterprise

from ..records import InspectionApplication, Referral
from .common import _refuse
from .numbers import allocate
from .onsite import check_justification_file

MAX_REASON = 2000


def _text(value, field: str, label: str, *, max_length: int, required: bool = True) -> str:
    if value is not None and not isinstance(value, str):
        raise ValidationFailed("not_text", f"{label}须为文字。", field=field)
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed("blank", f"请填写{label}。", field=field)
    if len(text) > max_length:
        raise ValidationFailed("too_long", f"{label}不得超过{max_length}字。", field=field)
    return text


# ------------------------------------------------ 应企业申请


def apply_for_inspection(
    *, actor, reason: str, preferred_date: dt.date | None = None, today: dt.date | None = None
) -> InspectionApplication:
    """The enterprise's own user applies for an inspection of its enterprise, with a reason."""
    today = today or timezone.localdate()
    if not has_role(actor, Role.ENTERPRISE) or not actor.enterprise_id:
        raise Forbidden("只有企业用户可以为本企业申请检查。")
    reason = _text(reason, "reason", "申请理由", max_length=MAX_REASON)
    if preferred_date is not None and not isinstance(preferred_date, dt.date):
        raise ValidationFailed(
            "invalid_date", "希望检查日期应为日期（YYYY-MM-DD）。", field="preferred_date"
        )
    if preferred_date is not None and preferred_date < today:
        raise ValidationFailed(
            "preferred_date_in_past", "希望检查日期不能早于今天。", field="preferred_date"
        )
    ent = actor.enterprise
    # Received by the bureau that supervises the enterprise: its series.
    bureau_division = ent.district_code if ent.supervising_level == "district" else ""
    with transaction.atomic():
        app = InspectionApplication.objects.create(
            number=allocate("application", department=None, division=bureau_division, on=today),
            enterprise_id=actor.enterprise_id,
            reason=reason,
            preferred_date=preferred_date,
            submitted_on=today,
            submitted_by=actor,
        )
        trail.record(
            actor=actor,
            action="apply_for_inspection",
            obj=app,
            summary=f"企业申请检查 {app.number}",
            data={"reason": reason, "preferred_date": preferred_date},
        )
    return app


def _require_deciding_staff(actor) -> None:
    if not has_role(actor, Role.OFFICER, Role.APPROVER, Role.ADMIN):
        raise Forbidden("只有执法人员或审批负责人可以受理企业的检查申请。")


def decide_application(
    *, actor, application: InspectionApplication, accept: bool, note: str = ""
) -> InspectionApplication:
    """受理 (accept) or decline a submitted application; declining needs a written reason."""
    _require_deciding_staff(actor)
    if not isinstance(accept, bool):
        raise ValidationFailed("not_boolean", "accept 须为 true 或 false。", field="accept")
    note = _text(note, "note", "受理意见", max_length=MAX_REASON, required=not accept)
    status = "accepted" if accept else "declined"
    with transaction.atomic():
        n = InspectionApplication.objects.filter(pk=application.pk, status="submitted").update(
            status=status, decided_by=actor, decided_at=timezone.now(), decision_note=note
        )
        if not n:
            raise _refuse("application_not_submitted", "该申请已受理或已不予受理。")
        application.refresh_from_db()
        trail.record(
            actor=actor,
            action="accept_application" if accept else "decline_application",
            obj=application,
            summary=f"{'受理' if accept else '不予受理'}企业检查申请 {application.number}",
            data={"note": note},
        )
    return application


# ------------------------------------------------ 转办交办


def register_referral(
    *,
    actor,
    enterprise: Enterprise,
    issuing_body: str,
    document_number: str,
    document_date: dt.date | None,
    received_on: dt.date | None,
    summary: str,
    upload,
    today: dt.date | None = None,
) -> Referral:
    """Register a referral or assignment with its document (issuing body, 文号, date, file)."""
    today = today or timezone.localdate()
    if not has_role(actor, Role.OFFICER, Role.APPROVER, Role.ADMIN) or not is_staff(actor):
        raise Forbidden("只有执法人员或审批负责人可以登记转办交办文件。")
    if actor.department_id is None:
        raise Forbidden("登记转办交办文件须属于一个执法单位。")
    issuing_body = _text(issuing_body, "issuing_body", "交办机关", max_length=200)
    document_number = _text(document_number, "document_number", "文号", max_length=100)
    summary = _text(summary, "summary", "交办事项", max_length=MAX_REASON)
    for value, field, label in (
        (document_date, "document_date", "文件日期"),
        (received_on, "received_on", "收文日期"),
    ):
        if not isinstance(value, dt.date):
            raise ValidationFailed("invalid_date", f"{label}应为日期（YYYY-MM-DD）。", field=field)
        if value > today:
            raise ValidationFailed("date_in_future", f"{label}不能晚于今天。", field=field)
    assert document_date is not None and received_on is not None  # checked just above
    if received_on < document_date:
        raise ValidationFailed(
            "received_before_document", "收文日期不能早于文件日期。", field="received_on"
        )
    if upload is None:
        raise ValidationFailed("file_missing", "请上传转办交办文件。", field="file")
    try:
        kind, ext = check_justification_file(upload)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.code, exc.message, field="file") from None
    h = hashlib.sha256()
    for chunk in upload.chunks():
        h.update(chunk)
    upload.seek(0)
    try:
        with transaction.atomic():
            ref = Referral(
                enterprise=enterprise,
                issuing_body=issuing_body,
                document_number=document_number,
                document_date=document_date,
                received_on=received_on,
                summary=summary,
                file_sha256=h.hexdigest(),
                registered_by=actor,
                department=actor.department,
            )
            ref.file.save(f"{h.hexdigest()[:16]}{ext}", upload, save=False)
            ref.save()
            trail.record(
                actor=actor,
                action="register_referral",
                obj=ref,
                summary=f"登记转办交办文件 {issuing_body} {document_number}（{enterprise.name}）",
                data={"sha256": h.hexdigest(), "type": kind, "document_date": document_date},
            )
    except IntegrityError:
        raise ValidationFailed(
            "referral_exists",
            f"文号“{document_number}”的转办交办文件已登记。",
            field="document_number",
        ) from None
    return ref


def set_referral_status(*, actor, referral: Referral, open: bool) -> Referral:
    """办结 (close) a referral, or reopen it: reopening starts a new round, which may justify
    one more inspection (rules.exemptions)."""
    _require_deciding_staff(actor)
    with transaction.atomic():
        r = Referral.objects.select_for_update().get(pk=referral.pk)
        if open == (r.status == "open"):
            raise _refuse("referral_state_unchanged", "转办交办文件已是该状态。")
        r.status = "open" if open else "closed"
        if open:
            r.round += 1
        r.save(update_fields=["status", "round"])
        trail.record(
            actor=actor,
            action="reopen_referral" if open else "close_referral",
            obj=r,
            summary=f"{'重新办理' if open else '办结'}转办交办 {r.document_number}",
            data={"round": r.round},
        )
    return r
