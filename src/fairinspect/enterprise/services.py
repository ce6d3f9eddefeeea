"""Writes of the enterprise's records. Each service checks who acts, decides with
`rules.selfcheck`, saves inside one transaction and records the change on the audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from fairinspect.audit import trail
from fairinspect.core.errors import Conflict, ValidationFailed
from fairinspect.registry.access import enterprises_visible_to
from fairinspect.registry.models import Enterprise
from fairinspect.rules import selfcheck as rule
from fairinspect.rules.results import reason_dicts

from . import access, queries, standards
from .inputs import (
    EnterpriseMemberIn,
    EnterpriseMemberLeaveIn,
    EnterpriseSelfCheckIn,
    EnterpriseSelfInspectionIn,
)
from .models import (
    Evidence,
    GroupChange,
    GroupMember,
    RectificationReport,
    SelfCheck,
    SelfInspection,
    SelfReportedHazard,
)


def _reasons(reasons: Sequence[rule.Reason]) -> list[dict[str, str]]:
    return reason_dicts(reasons)


def _lock(enterprise_id: int) -> Enterprise:
    return Enterprise.objects.select_for_update().get(pk=enterprise_id)


# ---- R11.1 the group -------------------------------------------------------------------------


def add_member(*, actor, data: EnterpriseMemberIn) -> GroupMember:
    ent = access.own_enterprise(actor)
    name = data.name.strip()
    if not name:
        raise ValidationFailed("name_blank", "请填写姓名。", field="name")
    if data.role == rule.GroupRole.SAFETY_ENGINEER and not data.certificate.strip():
        raise ValidationFailed(
            "certificate_missing", "注册安全工程师须填写证书编号。", field="certificate"
        )
    with transaction.atomic():
        _lock(ent.pk)
        if (
            data.role == rule.GroupRole.LEADER
            and queries.current_members(ent.pk).filter(role=rule.GroupRole.LEADER).exists()
        ):
            raise Conflict(
                "leader_exists",
                "检查组已有指定的领导班子成员；请先登记原组长退出，再登记新组长。",
                field="role",
            )
        m = GroupMember.objects.create(
            enterprise=ent,
            name=name,
            role=data.role,
            position=data.position.strip(),
            certificate=data.certificate.strip(),
            joined_on=data.joined_on,
            created_by=actor,
        )
        ch = GroupChange.objects.create(
            enterprise=ent, member=m, action="joined", on=data.joined_on, actor=actor
        )
        trail.record(
            actor=actor,
            action="enterprise.group_member_joined",
            obj=m,
            summary=f"{ent.name}内部安全检查组：{m.name}（{m.get_role_display()}）加入",
            also=[ch],
        )
    return m


def member_leaves(*, actor, member_id: int, data: EnterpriseMemberLeaveIn) -> GroupMember:
    ent = access.own_enterprise(actor)
    with transaction.atomic():
        _lock(ent.pk)
        m = GroupMember.objects.select_for_update().filter(enterprise=ent, pk=member_id).first()
        if m is None:
            from fairinspect.core.errors import NotFound

            raise NotFound()
        if m.left_on is not None:
            raise Conflict("member_left", f"{m.name}已于{m.left_on}退出检查组。")
        if data.left_on < m.joined_on:
            raise ValidationFailed(
                "left_before_joined", "退出日期不能早于加入日期。", field="left_on"
            )
        m.left_on = data.left_on
        m.save(update_fields=["left_on"])
        ch = GroupChange.objects.create(
            enterprise=ent,
            member=m,
            action="left",
            on=data.left_on,
            note=data.note.strip(),
            actor=actor,
        )
        trail.record(
            actor=actor,
            action="enterprise.group_member_left",
            obj=m,
            summary=f"{ent.name}内部安全检查组：{m.name}退出",
            also=[ch],
        )
    return m


# ---- R11.2 a quarterly self-check ------------------------------------------------------------


def _item_codes_in_force() -> set[str]:
    from fairinspect.catalog.queries import items_in_force

    return set(items_in_force().values_list("code", flat=True))


def file_self_check(
    *, actor, data: EnterpriseSelfCheckIn, today: dt.date | None = None
) -> SelfCheck:
    """File a check of major hazards against the industry's standard: every item answered;
    every hazard with its place, what was found, the inspection item it falls under, the
    measures and a deadline — each opens a rectification track (R11.3). Filing is the report
    to the bureau; the report to the main person is dated (a check not yet reported to the
    main person does not count for its quarter)."""
    ent = access.own_enterprise(actor)
    today = today or timezone.localdate()
    std = standards.standard_for(ent.industry_id)
    if data.checked_on > today:
        raise ValidationFailed("checked_in_future", "检查日期不能晚于今天。", field="checked_on")
    if data.reported_to_main_person_on is not None and not (
        data.checked_on <= data.reported_to_main_person_on <= today
    ):
        raise ValidationFailed(
            "report_date_invalid",
            "报告主要负责人的日期应在检查日期与今天之间。",
            field="reported_to_main_person_on",
        )
    # Every entered item answered once; "OTHER" (a hazard outside the entered items) is
    # optional and may be answered several times, each with its place and finding.
    entered = tuple(c for c in std.item_codes if c != standards.OTHER)
    answers = [rule.ChecklistAnswer(a.item, a.result, a.place, a.note) for a in data.answers]
    problems = list(rule.check_answers(entered, [a for a in answers if a.item != standards.OTHER]))
    for ans in answers:
        if ans.item == standards.OTHER:
            problems += rule.check_answers((standards.OTHER,), [ans])
    hazards = [a for a in data.answers if a.result == "hazard"]
    known = _item_codes_in_force() if hazards else set()
    for a in hazards:
        if a.inspection_item not in known:
            problems.append(
                rule.Reason(
                    "inspection_item_unknown",
                    f"条款{a.item}的隐患须选择所属的检查事项（现行清单中的编码）。",
                )
            )
        if not a.measures.strip():
            problems.append(rule.Reason("measures_missing", f"条款{a.item}的隐患须填写整改措施。"))
        if a.deadline is None or a.deadline < data.checked_on:
            problems.append(
                rule.Reason(
                    "deadline_invalid", f"条款{a.item}的隐患须填写不早于检查日期的整改期限。"
                )
            )
    if problems:
        raise ValidationFailed(
            "self_check_incomplete",
            problems[0].message,
            field="answers",
            extra={"reasons": _reasons(problems)},
        )
    now = timezone.now()
    with transaction.atomic():
        _lock(ent.pk)
        members = {
            m.pk: m
            for m in queries.current_members(ent.pk, data.checked_on).filter(
                pk__in=data.participant_ids
            )
        }
        unknown = [i for i in data.participant_ids if i not in members]
        if unknown:
            raise ValidationFailed(
                "participant_unknown",
                "参加人员须是检查当日在册的内部安全检查组成员。",
                field="participant_ids",
            )
        if not any(m.role == rule.GroupRole.LEADER for m in members.values()):
            raise ValidationFailed(
                "leader_absent",
                "检查须由主要负责人指定的领导班子成员组织（措施第九条）：参加人员中没有组长。",
                field="participant_ids",
            )
        year = data.checked_on.year
        n = SelfCheck.objects.filter(enterprise=ent, year=year).count() + 1
        by_item = {i["code"]: i for i in std.items}
        sc = SelfCheck.objects.create(
            number=f"自查〔{year}〕{ent.credit_code[-6:]}-{ent.pk}-{n}",
            enterprise=ent,
            checked_on=data.checked_on,
            year=year,
            quarter=rule.quarter_of(data.checked_on),
            standard=std.code,
            standard_title=std.title,
            answers=[
                {
                    "item": a.item,
                    "clause": (std.item(a.item) or {}).get("clause", ""),
                    "text": (by_item.get(a.item) or std.item(a.item) or {}).get("text", ""),
                    "result": a.result,
                    "place": a.place.strip(),
                    "note": a.note.strip(),
                }
                for a in data.answers
            ],
            participants=[
                {"member": m.pk, "name": m.name, "role": m.role} for m in members.values()
            ],
            main_person_took_part=data.main_person_took_part,
            main_person_name=ent.main_person,
            reported_to_main_person_on=data.reported_to_main_person_on,
            summary=data.summary.strip(),
            filed_by=actor,
            filed_at=now,
        )
        created = []
        for k, a in enumerate(hazards, start=1):
            item = std.item(a.item) or {}
            assert a.deadline is not None, "checked above: every hazard has a deadline"
            created.append(
                SelfReportedHazard.objects.create(
                    number=f"{sc.number}-H{k}",
                    enterprise=ent,
                    self_check=sc,
                    standard_item=f"{std.title}{item.get('clause', '')}",
                    standard_text=item.get("text", ""),
                    item_code=a.inspection_item,
                    place=a.place.strip(),
                    description=a.note.strip(),
                    measures=a.measures.strip(),
                    deadline=a.deadline,
                    reported_at=now,
                )
            )
        trail.record(
            actor=actor,
            action="enterprise.self_check_filed",
            obj=sc,
            summary=f"{ent.name}报告{year}年第{sc.quarter}季度重大事故隐患自查"
            f"（{len(created)}项重大事故隐患）",
            also=created,
        )
    return sc


# ---- rectification reports with evidence -----------------------------------------------------

ALLOWED_EVIDENCE = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/webp": (".webp",),
    "application/pdf": (".pdf",),
}
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
MAX_EVIDENCE_FILES = 10


def _evidence_kind(upload) -> tuple[str, str, str]:
    from fairinspect.visits.services.onsite import sniff

    name = (getattr(upload, "name", "") or "file").rsplit("/", 1)[-1][:200]
    size = getattr(upload, "size", 0) or 0
    if size <= 0:
        raise ValidationFailed("file_empty", f"{name}是空文件。", field="files")
    if size > MAX_EVIDENCE_BYTES:
        raise ValidationFailed("file_too_large", f"{name}超过20MB。", field="files")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = "application/pdf" if head.startswith(b"%PDF-") else sniff(head)
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind not in ALLOWED_EVIDENCE or ext not in ALLOWED_EVIDENCE[kind]:
        raise ValidationFailed(
            "file_type_not_allowed",
            "证明材料只接受照片（jpg、png、webp）和PDF文件，且文件内容须与扩展名一致。",
            field="files",
        )
    return name, kind, ext


def report_rectification(
    *,
    actor,
    description: str,
    files: Sequence,
    order_id: int | None = None,
    self_hazard_id: int | None = None,
) -> RectificationReport:
    """The enterprise reports what it rectified, with photos or documents (SHA-256 kept): for
    an order officers issued (their follow-up reviews it) or for a hazard it reported itself
    (the bureau closes it on review)."""
    ent = access.own_enterprise(actor)
    description = (description or "").strip()
    if not description:
        raise ValidationFailed("description_blank", "请填写整改情况。", field="description")
    if (order_id is None) == (self_hazard_id is None):
        raise ValidationFailed(
            "subject_missing", "请选择所报告的整改指令或自报隐患（只选一项）。", field="order_id"
        )
    if not files:
        raise ValidationFailed("files_missing", "请上传至少一份整改照片或文件。", field="files")
    if len(files) > MAX_EVIDENCE_FILES:
        raise ValidationFailed(
            "too_many_files", f"一次最多上传{MAX_EVIDENCE_FILES}份材料。", field="files"
        )
    checked = [(f, *_evidence_kind(f)) for f in files]
    order = self_hazard = None
    if order_id is not None:
        order = access.get_own_order(actor, order_id)
        if order.status != "issued":
            raise Conflict("order_closed", f"整改指令{order.number}已复查结案，不能再报告。")
    else:
        self_hazard = access.get_self_hazard(actor, self_hazard_id or 0)
        if self_hazard.status != SelfReportedHazard.Status.RECTIFYING:
            raise Conflict("hazard_closed", f"自报隐患{self_hazard.number}已整改销号。")
    with transaction.atomic():
        r = RectificationReport.objects.create(
            enterprise=ent,
            order=order,
            self_hazard=self_hazard,
            description=description,
            reported_by=actor,
            reported_at=timezone.now(),
        )
        saved = []
        for upload, name, kind, ext in checked:
            h = hashlib.sha256()
            for chunk in upload.chunks():
                h.update(chunk)
            upload.seek(0)
            ev = Evidence(
                report=r,
                enterprise=ent,
                original_name=name,
                sha256=h.hexdigest(),
                size=upload.size,
                content_type=kind,
            )
            ev.file.save(f"{ent.pk}-{r.pk}-{h.hexdigest()[:16]}{ext}", upload, save=False)
            ev.save()
            saved.append(ev)
        subject = order.number if order else self_hazard.number  # type: ignore[union-attr]
        trail.record(
            actor=actor,
            action="enterprise.rectification_reported",
            obj=r,
            summary=f"{ent.name}报告{subject}的整改情况（{len(saved)}份材料）",
            data={"sha256": [e.sha256 for e in saved]},
            also=saved,
        )
    return r


def review_report(
    *, actor, report: RectificationReport, accepted: bool, note: str = ""
) -> RectificationReport:
    """An officer reviews the enterprise's report. For an order it is the follow-up's team
    (or an approver of the bureau that issued it); the order itself is closed by the
    follow-up result as before. For a self-reported hazard, staff of a bureau that sees the
    enterprise; accepted, the hazard is closed (整改销号)."""
    access.require_reviewer(actor)
    note = (note or "").strip()
    if not accepted and not note:
        raise ValidationFailed("note_missing", "整改不到位须写明审核意见。", field="note")
    if not enterprises_visible_to(actor).filter(pk=report.enterprise_id).exists():
        from fairinspect.core.errors import NotFound

        raise NotFound()
    if report.order_id is not None:
        from fairinspect.core.roles import Role, has_role
        from fairinspect.visits.models import VisitOfficer

        on_team = (
            VisitOfficer.objects.filter(
                visit__follow_up_order_id=report.order_id, officer__user=actor
            ).exists()
            or VisitOfficer.objects.filter(
                visit__orders__pk=report.order_id, officer__user=actor
            ).exists()
        )
        if not (on_team or has_role(actor, Role.APPROVER)):
            from fairinspect.core.errors import Forbidden

            raise Forbidden("只有下达指令或复查的执法人员（或审批负责人）可以审核该整改报告。")
    now = timezone.now()
    with transaction.atomic():
        r = RectificationReport.objects.select_for_update().get(pk=report.pk)
        if r.review != RectificationReport.Review.PENDING:
            raise Conflict("report_reviewed", "该整改报告已审核。")
        r.review = "accepted" if accepted else "insufficient"
        r.review_note, r.reviewed_by, r.reviewed_at = note, actor, now
        r.save(update_fields=["review", "review_note", "reviewed_by", "reviewed_at"])
        also = []
        if accepted and r.self_hazard_id is not None:
            SelfReportedHazard.objects.filter(pk=r.self_hazard_id, status="rectifying").update(
                status="rectified", closed_at=now, closed_by=actor
            )
            also.append(SelfReportedHazard.objects.get(pk=r.self_hazard_id))
        trail.record(
            actor=actor,
            action="enterprise.rectification_reviewed",
            obj=r,
            summary=f"审核整改报告：{r.get_review_display()}",
            also=also,
        )
    return r


# ---- R10.4 self-inspection -------------------------------------------------------------------


def submit_self_inspection(
    *, actor, data: EnterpriseSelfInspectionIn, today: dt.date | None = None
) -> SelfInspection:
    ent = access.own_enterprise(actor)
    today = today or timezone.localdate()
    if data.year not in (today.year, today.year + 1):
        raise ValidationFailed("year_invalid", "只能报告本年度或下一年度的自我检查。", field="year")
    decision = queries.eligibility_for(ent, today)
    if not decision.eligible:
        raise Conflict(
            "not_eligible",
            "不符合企业自我检查的条件：" + "；".join(r.message for r in decision.reasons),
            extra={"reasons": _reasons(decision.reasons)},
        )
    with transaction.atomic():
        _lock(ent.pk)
        if (
            SelfInspection.objects.filter(enterprise=ent, year=data.year)
            .exclude(status="returned")
            .exists()
        ):
            raise Conflict("self_inspection_exists", f"{data.year}年度的自我检查报告已提交。")
        si = SelfInspection.objects.create(
            enterprise=ent,
            year=data.year,
            report=data.report.strip(),
            eligibility={
                "eligible": True,
                "on": today.isoformat(),
                "reasons": _reasons(decision.reasons),
            },
            submitted_by=actor,
            submitted_at=timezone.now(),
        )
        trail.record(
            actor=actor,
            action="enterprise.self_inspection_submitted",
            obj=si,
            summary=f"{ent.name}提交{data.year}年度企业自我检查报告",
        )
    return si


def decide_self_inspection(
    *, actor, si: SelfInspection, accept: bool, note: str = "", today: dt.date | None = None
) -> SelfInspection:
    """An approver of a bureau that sees the enterprise accepts the report (it then stands in
    for the year's routine planned visits) or returns it with a reason. Eligibility is asked
    again on the day of the decision."""
    access.require_approver(actor)
    if not enterprises_visible_to(actor).filter(pk=si.enterprise_id).exists():
        from fairinspect.core.errors import NotFound

        raise NotFound()
    today = today or timezone.localdate()
    note = (note or "").strip()
    if not accept and not note:
        raise ValidationFailed("note_missing", "退回须写明理由。", field="note")
    if accept:
        decision = queries.eligibility_for(si.enterprise, today)
        if not decision.eligible:
            raise Conflict(
                "not_eligible",
                "该企业已不符合自我检查的条件：" + "；".join(r.message for r in decision.reasons),
                extra={"reasons": _reasons(decision.reasons)},
            )
    with transaction.atomic():
        row = SelfInspection.objects.select_for_update().get(pk=si.pk)
        if row.status != SelfInspection.Status.SUBMITTED:
            raise Conflict("self_inspection_decided", "该报告已审核。")
        row.status = "accepted" if accept else "returned"
        row.decided_by, row.decided_at, row.decision_note = actor, timezone.now(), note
        row.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        trail.record(
            actor=actor,
            action="enterprise.self_inspection_decided",
            obj=row,
            summary=f"企业自我检查报告（{row.year}年度）：{row.get_status_display()}",
        )
    return row
