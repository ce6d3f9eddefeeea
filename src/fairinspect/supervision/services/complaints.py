"""Writes for complaints and reports (R8.1): receiving them through every channel, each step
of the state machine (the pure rule `rules.complaints`), merging duplicates, the conduct
cases officer complaints open. Every write is audited inside its transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from fairinspect.audit import trail
from fairinspect.cases.procedure import is_workday
from fairinspect.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from fairinspect.registry.models import Department, Enterprise, Officer, User
from fairinspect.rules import complaints as rule
from fairinspect.rules.credit_code import normalise as normalize_credit_code
from fairinspect.visits.services.onsite import sniff

from .. import access
from ..models import Complaint, ComplaintAttachment, ComplaintStep, ConductCase

DATA = Path(__file__).resolve().parents[1] / "data" / "complaint_deadlines.json"
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ALLOWED_ATTACHMENTS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
EXTENSIONS = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


@lru_cache(maxsize=1)
def deadline_table() -> rule.DeadlineTable:
    return rule.parse_table(json.loads(DATA.read_text(encoding="utf-8")))


# ------------------------------------------------------------------ cleaning (forms and API)


def clean_choice(value, choices, field: str, label: str) -> str:
    value = (value or "").strip() if isinstance(value, str) else value
    if value not in choices:
        raise ValidationFailed(f"{field}_invalid", f"{label}取值不正确。", field=field)
    return value


def clean_text(value, field: str, label: str, *, required: bool, max_length: int) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(f"{field}_required", f"请填写{label}。", field=field)
    if len(value) > max_length:
        raise ValidationFailed(f"{field}_too_long", f"{label}不得超过{max_length}字。", field=field)
    return value


def clean_identity(*, anonymous: bool, name: str, phone: str) -> tuple[str, str]:
    if anonymous:
        return "", ""
    name = clean_text(name, "complainant_name", "姓名", required=False, max_length=50)
    phone = re.sub(r"\s", "", phone or "")
    if not phone:
        raise ValidationFailed(
            "phone_required",
            "实名投诉请留下联系电话，便于答复；不愿留下的可选择匿名。",
            field="complainant_phone",
        )
    if not PHONE.match(phone):
        raise ValidationFailed(
            "phone_invalid",
            "联系电话格式不正确（手机号11位或区号-电话）。",
            field="complainant_phone",
        )
    return name, phone


def check_attachment(upload) -> tuple[str, str]:
    """(content type, extension) from the file's bytes: PDF, JPEG or PNG up to 10 MB, the
    name's extension agreeing with the content (as visits checks a justification's scan)."""
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1]
    size = getattr(upload, "size", 0) or 0
    if size <= 0:
        raise ValidationFailed("file_empty", f"附件“{name}”为空文件。", field="attachments")
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed("file_too_large", f"附件“{name}”超过10MB。", field="attachments")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = "application/pdf" if head.startswith(b"%PDF-") else sniff(head)
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind not in ALLOWED_ATTACHMENTS or EXTENSIONS.get(ext) != kind:
        raise ValidationFailed(
            "file_type_not_allowed",
            f"附件“{name}”：只接受PDF、JPEG、PNG文件，且内容须与扩展名一致。",
            field="attachments",
        )
    return kind, ALLOWED_ATTACHMENTS[kind]


def _find_enterprise(text: str) -> Enterprise | None:
    code = normalize_credit_code(text or "")
    if len(code) == 18:
        return Enterprise.objects.filter(credit_code=code).first()
    return None


def _access_hash(number: str, code: str) -> str:
    return salted_hmac(
        "fairinspect.complaint.code",
        f"{number}:{code}",
        secret=settings.SECRET_KEY,
        algorithm="sha256",
    ).hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def _refresh_due(c: Complaint) -> None:
    due = rule.current_due(
        c.state,
        table=deadline_table(),
        received_on=c.received_on,
        accepted_on=c.accepted_on,
        is_workday=is_workday,
    )
    c.next_due = due.due if due else None
    c.next_due_step = due.step if due else ""


# ------------------------------------------------------------------ receiving


def receive(
    *,
    channel: str,
    subject: str,
    category: str,
    content: str,
    location: str = "",
    subject_text: str = "",
    enterprise: Enterprise | None = None,
    officer: Officer | None = None,
    anonymous: bool = False,
    name: str = "",
    phone: str = "",
    work_order_number: str = "",
    referral_from: str = "",
    referral_document: str = "",
    received_at: dt.datetime | None = None,
    attachments=(),
    actor=None,
) -> tuple[Complaint, str]:
    """Register a complaint from any channel. Returns it and its access code (shown once)."""
    channel = clean_choice(channel, Complaint.Channel.values, "channel", "渠道")
    subject = clean_choice(subject, Complaint.Subject.values, "subject", "投诉对象")
    category = clean_choice(category, Complaint.Category.values, "category", "类别")
    content = clean_text(content, "content", "投诉举报内容", required=True, max_length=4000)
    location = clean_text(location, "location", "地点", required=False, max_length=200)
    subject_text = clean_text(
        subject_text, "subject_text", "投诉对象", required=False, max_length=200
    )
    work_order_number = clean_text(
        work_order_number,
        "work_order_number",
        "12345工单号",
        required=channel == "hotline_12345",
        max_length=40,
    )
    if channel == "referral":
        referral_from = clean_text(
            referral_from, "referral_from", "转办单位", required=True, max_length=100
        )
    name, phone = clean_identity(anonymous=anonymous, name=name, phone=phone)
    files = list(attachments or ())
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationFailed(
            "too_many_files", f"附件最多{MAX_ATTACHMENTS}个。", field="attachments"
        )
    checked = [(f, *check_attachment(f)) for f in files]
    if enterprise is None and subject == "enterprise":
        enterprise = _find_enterprise(subject_text)
    complained_unit = officer.department if officer else None
    at = received_at or timezone.now()
    code = _new_code()
    try:
        with transaction.atomic():
            c = Complaint(
                number=f"tmp-{secrets.token_hex(6)}",
                access_code_hash="",
                channel=channel,
                work_order_number=work_order_number,
                referral_from=referral_from,
                referral_document=(referral_document or "").strip()[:60],
                subject=subject,
                category=category,
                enterprise=enterprise,
                subject_text=subject_text,
                officer=officer,
                complained_unit=complained_unit,
                content=content,
                location=location,
                anonymous=anonymous,
                complainant_name=name,
                complainant_phone=phone,
                received_at=at,
                received_on=timezone.localdate(at),
                created_by=actor if actor is not None and actor.is_authenticated else None,
            )
            _refresh_due(c)
            c.save()
            c.number = f"TS{c.received_on:%Y%m%d}{c.pk:05d}"
            c.access_code_hash = _access_hash(c.number, code)
            c.save(update_fields=["number", "access_code_hash"])
            for f, kind, ext in checked:
                h = hashlib.sha256()
                for chunk in f.chunks():
                    h.update(chunk)
                f.seek(0)
                a = ComplaintAttachment(
                    complaint=c,
                    original_name=f.name[:200],
                    sha256=h.hexdigest(),
                    size=f.size,
                    content_type=kind,
                )
                a.file.save(f"{c.pk}-{h.hexdigest()[:16]}{ext}", f, save=False)
                a.save()
            ComplaintStep.objects.create(
                complaint=c,
                action="receive",
                from_state="",
                to_state=c.state,
                actor=c.created_by,
                on=c.received_on,
                note=c.get_channel_display(),
            )
            trail.record(
                actor=actor,
                action="complaint_received",
                obj=c,
                summary=f"接收投诉举报 {c.number}（{c.get_channel_display()}）",
                data={
                    "channel": channel,
                    "work_order_number": work_order_number,
                    "attachments": len(checked),
                },
            )
    except IntegrityError:
        raise Conflict(
            "work_order_exists", f"12345工单{work_order_number}已登记。", field="work_order_number"
        ) from None
    return c, code


def lookup(number: str, code: str) -> Complaint:
    """The complaint a member of the public may read: its number and its access code must
    both match (a stranger knowing a number reads nothing)."""
    number = (number or "").strip().upper()
    code = (code or "").strip().upper()
    c = Complaint.objects.filter(number=number).first()
    if (
        c is None
        or not code
        or not hmac.compare_digest(c.access_code_hash, _access_hash(number, code))
    ):
        raise NotFound("查询编号或查询码不正确。")
    return c


# ------------------------------------------------------------------ the steps


def _step(c: Complaint, *, actor, action: str, before: str, on: dt.date, note: str = "") -> None:
    ComplaintStep.objects.create(
        complaint=c,
        action=action,
        from_state=before,
        to_state=c.state,
        actor=actor if actor is not None and actor.is_authenticated else None,
        on=on,
        note=note[:2000],
    )


def transition(
    *,
    actor,
    complaint: Complaint,
    action: str,
    data: dict | None = None,
    today: dt.date | None = None,
) -> Complaint:
    data = data or {}
    today = today or timezone.localdate()
    try:
        action = rule.Action(action)
    except ValueError:
        raise ValidationFailed("action_invalid", "操作不正确。", field="action") from None
    who = access.complaint_actor(actor, complaint)
    if who is None:
        raise Forbidden("您不能办理这件投诉举报。")
    text_field = rule.STEPS[action].needs_text
    text = str(data.get(text_field, "") or "") if text_field else ""
    with transaction.atomic():
        c = Complaint.objects.select_for_update().get(pk=complaint.pk)
        decision = rule.decide_transition(c.state, action, actor=who, text=text)
        if not decision.allowed:
            r = decision.reasons[0]
            if r.code.endswith("_required"):
                raise ValidationFailed(r.code, r.message, field=text_field)
            raise Conflict(r.code, r.message, extra={"reasons": [r.as_dict()]})
        before = c.state
        fields = ["state", "next_due", "next_due_step", "updated_at"]
        note = text
        if action is rule.Action.ACCEPT:
            c.accepted_on = today
            fields.append("accepted_on")
            if data.get("credit_code"):
                ent = _find_enterprise(str(data["credit_code"]))
                if ent is None:
                    raise ValidationFailed(
                        "enterprise_not_found",
                        "没有找到该统一社会信用代码的企业。",
                        field="credit_code",
                    )
                c.enterprise = ent
                fields.append("enterprise")
            if data.get("officer_id"):
                off = (
                    Officer.objects.filter(pk=data["officer_id"])
                    .select_related("department")
                    .first()
                )
                if off is None:
                    raise ValidationFailed(
                        "officer_not_found", "没有找到该执法人员。", field="officer_id"
                    )
                c.officer, c.complained_unit = off, off.department
                fields += ["officer", "complained_unit"]
            if c.subject == "enterprise" and c.enterprise_id is None:
                raise ValidationFailed(
                    "enterprise_required",
                    "涉及企业的投诉举报受理时须确定被举报企业（统一社会信用代码）。",
                    field="credit_code",
                )
        elif action is rule.Action.REFUSE:
            c.refusal_reason = text.strip()
            fields.append("refusal_reason")
        elif action is rule.Action.ASSIGN:
            unit = Department.objects.filter(code=str(data.get("unit_code") or "")).first()
            if unit is None:
                raise ValidationFailed("unit_not_found", "请选择承办单位。", field="unit_code")
            if c.complained_unit_id and unit.pk == c.complained_unit_id:
                raise ValidationFailed(
                    "unit_complained_about",
                    "不能交由被投诉单位办理对其本身的投诉。",
                    field="unit_code",
                )
            handler = None
            if data.get("handler"):
                handler = User.objects.filter(
                    username=str(data["handler"]), department=unit
                ).first()
                if handler is None:
                    raise ValidationFailed(
                        "handler_not_found", "承办人须为承办单位的工作人员。", field="handler"
                    )
                if c.officer is not None and c.officer.user_id == handler.pk:
                    raise ValidationFailed(
                        "handler_complained_about",
                        "被投诉人不能承办对其本人的投诉。",
                        field="handler",
                    )
            c.handling_unit, c.handler, c.assigned_on = unit, handler, today
            fields += ["handling_unit", "handler", "assigned_on"]
            note = unit.name + (
                f"（{handler.get_full_name() or handler.username}）" if handler else ""
            )
        elif action is rule.Action.VERIFY:
            c.verification, c.verified_on = text.strip(), today
            sub = data.get("substantiated")
            c.substantiated = None if sub in (None, "") else bool(sub) and sub not in ("0", "false")
            fields += ["verification", "verified_on", "substantiated"]
        elif action is rule.Action.HANDLE:
            c.result, c.handled_on = text.strip(), today
            fields += ["result", "handled_on"]
        elif action is rule.Action.REPLY:
            c.reply, c.replied_on = text.strip(), today
            fields += ["reply", "replied_on"]
        elif action is rule.Action.RECORD_SATISFACTION:
            c.satisfaction = clean_choice(
                data.get("satisfaction"),
                [s.value for s in rule.Satisfaction],
                "satisfaction",
                "满意度",
            )
            c.satisfaction_note = clean_text(
                data.get("note"), "note", "评价意见", required=False, max_length=1000
            )
            c.closed_on = today
            fields += ["satisfaction", "satisfaction_note", "closed_on"]
            note = c.get_satisfaction_display()
        elif action is rule.Action.MERGE:
            target = (
                Complaint.objects.select_for_update()
                .filter(number=str(data.get("into") or "").strip().upper())
                .first()
            )
            if target is None:
                raise ValidationFailed(
                    "merge_target_not_found", "没有找到要并入的投诉举报编号。", field="into"
                )
            m = rule.decide_merge(
                duplicate_state=c.state,
                target_state=target.state,
                same=target.pk == c.pk,
                target_merged_into_duplicate=target.merged_into_id == c.pk,
            )
            if not m.allowed:
                raise Conflict(m.reasons[0].code, m.reasons[0].message, field="into")
            c.merged_into = target
            fields.append("merged_into")
            note = f"并入{target.number}"
        assert decision.target is not None  # an allowed transition has a target
        c.state = decision.target.value
        _refresh_due(c)
        c.save(update_fields=fields)
        _step(c, actor=actor, action=action.value, before=before, on=today, note=note)
        if action is rule.Action.ACCEPT and c.subject == "officer":
            ConductCase.objects.create(
                officer=c.officer,
                department=c.complained_unit,
                complaint=c,
                summary=c.content[:500],
                opened_on=today,
                created_by=actor,
            )
        trail.record(
            actor=actor,
            action=f"complaint_{action.value}",
            obj=c,
            summary=f"投诉举报 {c.number}：{rule.STEPS[action].label}",
            data={"from": before, "to": c.state, "note": note[:300]},
        )
    return c


def rate_by_complainant(
    *, number: str, code: str, satisfaction: str, note: str = "", today: dt.date | None = None
) -> Complaint:
    """The complainant records their satisfaction from the lookup page."""
    c = lookup(number, code)
    today = today or timezone.localdate()
    with transaction.atomic():
        c = Complaint.objects.select_for_update().get(pk=c.pk)
        decision = rule.decide_transition(
            c.state, rule.Action.RECORD_SATISFACTION, actor=rule.Actor.COMPLAINANT
        )
        if not decision.allowed:
            raise Conflict(decision.reasons[0].code, decision.reasons[0].message)
        c.satisfaction = clean_choice(
            satisfaction,
            [s.value for s in rule.Satisfaction if s is not rule.Satisfaction.NOT_REACHED],
            "satisfaction",
            "满意度",
        )
        c.satisfaction_note = clean_text(note, "note", "评价意见", required=False, max_length=1000)
        assert decision.target is not None  # an allowed transition has a target
        before, c.state, c.closed_on = c.state, decision.target.value, today
        _refresh_due(c)
        c.save(
            update_fields=[
                "satisfaction",
                "satisfaction_note",
                "state",
                "closed_on",
                "next_due",
                "next_due_step",
                "updated_at",
            ]
        )
        _step(
            c,
            actor=None,
            action="record_satisfaction",
            before=before,
            on=today,
            note=c.get_satisfaction_display(),
        )
        trail.record(
            actor=None,
            action="complaint_rated",
            obj=c,
            summary=f"投诉举报 {c.number}：投诉人评价{c.get_satisfaction_display()}",
        )
    return c


# ------------------------------------------------------------------ conduct cases


def transfer_conduct_case(
    *, actor, case: ConductCase, to: str, document: str, findings: str, on: dt.date
) -> ConductCase:
    """移送纪检监察: hand misconduct to the discipline body, with the document that did."""
    access.require_supervision_staff(actor)
    to = clean_text(to, "transferred_to", "移送机关", required=True, max_length=100)
    document = clean_text(document, "transfer_document", "移送文号", required=True, max_length=60)
    findings = clean_text(findings, "findings", "核查结论", required=True, max_length=4000)
    with transaction.atomic():
        c = ConductCase.objects.select_for_update().get(pk=case.pk)
        if c.status != "open":
            raise Conflict("not_open", "该监督案件已移送或已结案。")
        c.status, c.transferred_to, c.transfer_document = "transferred", to, document
        c.transferred_on, c.findings = on, findings
        c.save(
            update_fields=[
                "status",
                "transferred_to",
                "transfer_document",
                "transferred_on",
                "findings",
            ]
        )
        trail.record(
            actor=actor,
            action="conduct_transferred",
            obj=c,
            summary=f"监督案件{c.pk}移送{to}（{document}）",
        )
    return c


def close_conduct_case(
    *, actor, case: ConductCase, note: str, findings: str, on: dt.date
) -> ConductCase:
    access.require_supervision_staff(actor)
    note = clean_text(note, "closing_note", "结案说明", required=True, max_length=2000)
    with transaction.atomic():
        c = ConductCase.objects.select_for_update().get(pk=case.pk)
        if c.status == "closed":
            raise Conflict("already_closed", "该监督案件已结案。")
        c.status, c.closing_note, c.closed_on = "closed", note, on
        c.findings = (findings or c.findings or "").strip()
        c.save(update_fields=["status", "closing_note", "closed_on", "findings"])
        trail.record(actor=actor, action="conduct_closed", obj=c, summary=f"监督案件{c.pk}结案")
    return c
