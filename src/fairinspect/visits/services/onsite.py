"""During and after the visit (R6.3, R6.4): recordings, media, findings, hazards, orders, check-out, follow-up, the justification attachment, the enterprise rating."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from fairinspect.audit import trail
from fairinspect.core.errors import Forbidden, ValidationFailed
from fairinspect.core.roles import Role, has_role
from fairinspect.registry.models import Officer
from fairinspect.rules.evidence import HazardState, checkout_refusals

from .. import queries
from ..models import (
    Finding,
    Hazard,
    MediaFile,
    Recording,
    RectificationOrder,
    Visit,
    VisitRating,
)
from .common import _refuse, officer_of
from .creation import create_visit
from .numbers import allocate
from .plans import _require_team_or_approver

# ------------------------------------------------ during the visit


def _require_on_team(actor, visit: Visit) -> Officer:
    officer = officer_of(actor)
    if officer is None or not queries.on_team(visit, officer):
        raise Forbidden("只有本次检查的执法人员可以记录检查情况。")
    return officer


def _require_in_progress(visit: Visit) -> None:
    visit.refresh_from_db(fields=["status"])
    if visit.status != "in_progress" and not (
        visit.kind == "off_site" and visit.status == "approved"
    ):
        raise _refuse("visit_not_in_progress", "检查尚未开始（须先扫码入企）或已结束。")


def start_recording(*, actor, visit: Visit, device: str, started_at=None) -> Recording:
    _require_on_team(actor, visit)
    _require_in_progress(visit)
    device = (device or "").strip()
    if not device:
        raise ValidationFailed("device_blank", "请填写执法记录仪编号。", field="device")
    with transaction.atomic():
        rec = Recording.objects.create(
            visit=visit,
            device=device[:100],
            started_at=started_at or timezone.now(),
            created_by=actor,
        )
        trail.record(
            actor=actor, action="start_recording", obj=rec, summary=f"开始执法记录 {device}"
        )
    return rec


def end_recording(*, actor, recording: Recording, ended_at=None) -> Recording:
    _require_on_team(actor, recording.visit)
    ended_at = ended_at or timezone.now()
    if ended_at < recording.started_at:
        raise ValidationFailed("ended_before_start", "结束时间不能早于开始时间。", field="ended_at")
    with transaction.atomic():
        Recording.objects.filter(pk=recording.pk).update(ended_at=ended_at)
        trail.record(actor=actor, action="end_recording", obj=recording, summary="结束执法记录")
    recording.refresh_from_db()
    return recording


ALLOWED_MEDIA = {
    "video/mp4": (".mp4", ".m4v"),
    "video/quicktime": (".mov",),
    "audio/mp4": (".m4a",),
    "audio/mpeg": (".mp3",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/webp": (".webp",),
}
MAX_MEDIA_BYTES = 2 * 1024 * 1024 * 1024


def sniff(head: bytes) -> str | None:
    """The content type the file's first bytes show, whatever the upload claims."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"qt  ",):
            return "video/quicktime"
        if brand in (b"M4A ",):
            return "audio/mp4"
        return "video/mp4"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    return None


def upload_media(
    *,
    actor,
    visit: Visit,
    upload,
    recording: Recording | None = None,
    finding=None,
    hazard=None,
    captured_at: dt.datetime | None = None,
    capture_lat=None,
    capture_lng=None,
    capture_accuracy=None,
) -> MediaFile:
    """Store a recording file or a photo (of a finding or a hazard); the server computes its
    SHA-256 and checks that its bytes are the type it claims. A photo also gets a resized copy
    for the page (the original is kept as uploaded); where and when it was taken is kept as
    the phone says it (EXIF's DateTimeOriginal when the phone sends no time)."""
    _require_on_team(actor, visit)
    if hazard is not None and hazard.visit_id != visit.pk:
        raise ValidationFailed("hazard_other_visit", "隐患不属于本次检查。", field="hazard")
    if finding is not None and finding.visit_id != visit.pk:
        raise ValidationFailed("finding_other_visit", "检查结果不属于本次检查。", field="finding")
    name = (getattr(upload, "name", "") or "file").rsplit("/", 1)[-1][:200]
    size = getattr(upload, "size", 0) or 0
    if size <= 0:
        raise ValidationFailed("file_empty", "上传的文件为空。", field="file")
    if size > MAX_MEDIA_BYTES:
        raise ValidationFailed("file_too_large", "文件超过2GB。", field="file")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head)
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind is None or ext not in ALLOWED_MEDIA[kind]:
        raise ValidationFailed(
            "file_type_not_allowed",
            "只接受执法记录视频（mp4、mov）、音频（m4a、mp3）和照片（jpg、png、webp），"
            "且文件内容须与扩展名一致。",
            field="file",
        )
    h = hashlib.sha256()
    for chunk in upload.chunks():
        h.update(chunk)
    upload.seek(0)
    if recording is not None and recording.visit_id != visit.pk:
        raise ValidationFailed(
            "recording_other_visit", "执法记录不属于本次检查。", field="recording"
        )
    with transaction.atomic():
        m = MediaFile(
            visit=visit,
            recording=recording,
            finding=finding,
            hazard=hazard,
            original_name=name,
            sha256=h.hexdigest(),
            size=size,
            content_type=kind,
            uploaded_by=actor,
            capture_lat=capture_lat,
            capture_lng=capture_lng,
            capture_accuracy=capture_accuracy,
        )
        m.file.save(f"{visit.pk}-{h.hexdigest()[:16]}{ext}", upload, save=False)
        if kind.startswith("image/"):
            from ..evidence import exif_time, thumbnail_of

            upload.seek(0)
            thumb = thumbnail_of(upload)
            if thumb is not None:
                m.thumbnail.save(f"{visit.pk}-{h.hexdigest()[:16]}-thumb.jpg", thumb, save=False)
            upload.seek(0)
            captured_at = captured_at or exif_time(upload)
            upload.seek(0)
        m.captured_at = captured_at
        m.save()
        trail.record(
            actor=actor,
            action="upload_media",
            obj=m,
            summary=f"上传 {name}",
            data={"sha256": m.sha256, "size": size, "type": kind},
        )
    return m


def record_finding(*, actor, visit: Visit, item_code: str, result: str, notes: str = "") -> Finding:
    _require_on_team(actor, visit)
    _require_in_progress(visit)
    item = visit.items.filter(code=item_code).first()
    if item is None:
        raise ValidationFailed(
            "item_not_in_plan", "只能记录本次检查方案中的检查事项。", field="item_code"
        )
    if result not in Finding.Result.values:
        raise ValidationFailed(
            "result_invalid", "检查结果应为符合、不符合或不适用。", field="result"
        )
    notes = (notes or "").strip()
    if result == "non_compliant" and not notes:
        raise ValidationFailed(
            "notes_required", "检查结果为不符合的，须说明具体情况。", field="notes"
        )
    with transaction.atomic():
        f, _ = Finding.objects.update_or_create(
            visit=visit,
            item=item,
            defaults={"result": result, "notes": notes, "created_by": actor},
        )
        trail.record(actor=actor, action="record_finding", obj=f, summary=f"{item.code} {result}")
    return f


def record_hazard(
    *,
    actor,
    visit: Visit,
    level: str,
    description: str,
    place: str = "",
    item_code: str = "",
) -> Hazard:
    _require_on_team(actor, visit)
    _require_in_progress(visit)
    if level not in Hazard.Level.values:
        raise ValidationFailed("level_invalid", "隐患等级应为一般或重大。", field="level")
    description = (description or "").strip()
    if not description:
        raise ValidationFailed("description_blank", "请描述隐患情况。", field="description")
    item = visit.items.filter(code=item_code).first() if item_code else None
    if item_code and item is None:
        raise ValidationFailed(
            "item_not_in_plan", "隐患对应的检查事项须是本次检查方案中的事项。", field="item_code"
        )
    finding = Finding.objects.filter(visit=visit, item=item).first() if item else None
    with transaction.atomic():
        h = Hazard.objects.create(
            visit=visit,
            enterprise_id=visit.enterprise_id,
            item=item,
            finding=finding,
            level=level,
            description=description,
            place=(place or "").strip()[:200],
            created_by=actor,
        )
        trail.record(
            actor=actor,
            action="record_hazard",
            obj=h,
            summary=f"发现{h.get_level_display()}：{description[:40]}",
        )
    return h


def issue_order(
    *,
    actor,
    visit: Visit,
    hazard_ids: Iterable[int],
    deadline: dt.date,
    requirements: str = "",
    today: dt.date | None = None,
) -> RectificationOrder:
    """责令限期整改指令书 for hazards of this visit."""
    _require_on_team(actor, visit)
    today = today or timezone.localdate()
    hazards = list(Hazard.objects.filter(visit=visit, pk__in=list(hazard_ids), status="open"))
    if not hazards:
        raise ValidationFailed(
            "no_hazards", "请选择本次检查发现的、尚未整改的隐患。", field="hazard_ids"
        )
    if not isinstance(deadline, dt.date) or deadline <= today:
        raise ValidationFailed("deadline_invalid", "整改期限须晚于今天。", field="deadline")
    if visit.status not in ("in_progress", "done"):
        raise _refuse("visit_not_started", "检查开始后才能下达整改指令。")
    with transaction.atomic():
        order = RectificationOrder.objects.create(
            visit=visit,
            enterprise_id=visit.enterprise_id,
            number=allocate("order", department=visit.department, on=today),
            requirements=(requirements or "").strip(),
            issued_on=today,
            deadline=deadline,
            issued_by=actor,
        )
        order.hazards.set(hazards)
        trail.record(
            actor=actor,
            action="issue_order",
            obj=order,
            summary=f"下达责令限期整改指令书 {order.number}，期限{deadline}",
            data={"hazards": [h.pk for h in hazards]},
        )
    return order


def hazard_states(visit: Visit) -> list[HazardState]:
    """The visit's hazards as rules.evidence reads them (the page asks the same)."""
    rows = Hazard.objects.filter(visit=visit).values_list("pk", "description", "level")
    ordered = set(
        RectificationOrder.hazards.through.objects.filter(hazard__visit=visit).values_list(
            "hazard_id", flat=True
        )
    )
    cased = set(
        Hazard.objects.filter(visit=visit, cases__isnull=False).values_list("pk", flat=True)
    )
    return [
        HazardState(str(pk), desc, level == "major", pk in ordered, pk in cased)
        for pk, desc, level in rows
    ]


def check_out(*, actor, visit: Visit, summary: str = "", now=None) -> Visit:
    """End the visit. Without any recording the visit is flagged (R6.3)."""
    _require_on_team(actor, visit)
    now = now or timezone.now()
    with transaction.atomic():
        v = Visit.objects.select_for_update().get(pk=visit.pk)
        if v.status != "in_progress":
            raise _refuse("visit_not_in_progress", "只有检查中的检查可以离企。")
        blockers = checkout_refusals(hazard_states(v))
        if blockers:
            raise _refuse(blockers[0].code, blockers[0].message, blockers)
        missing = not Recording.objects.filter(visit=v).exists()
        v.status, v.checked_out_at, v.missing_recording = "done", now, missing
        v.summary = (summary or v.summary or "").strip()
        if not v.record_number:
            v.record_number = allocate(
                "record", department=v.department, on=timezone.localdate(now)
            )
        v.save(
            update_fields=[
                "status",
                "checked_out_at",
                "missing_recording",
                "summary",
                "record_number",
                "updated_at",
            ]
        )
        trail.record(
            actor=actor,
            action="check_out",
            obj=v,
            summary=f"离企，检查结束{'（无执法记录）' if missing else ''}",
            data={"missing_recording": missing},
        )
    return v


# ------------------------------------------------ follow-up (R6.4)


def create_follow_up(
    *,
    actor,
    order: RectificationOrder,
    planned_date: dt.date,
    officer_ids: Iterable[int],
    today: dt.date | None = None,
) -> Visit:
    """The 整改复查: an exempt visit justified by the order it follows up."""
    original = order.visit
    return create_visit(
        actor=actor,
        enterprise=order.enterprise,
        kind="on_site",
        trigger="follow_up",
        planned_date=planned_date,
        item_codes=[i.code for i in original.items.all()],
        officer_ids=officer_ids,
        justification={
            "kind": "rectification_order",
            "reference": order.number,
            "date": order.issued_on,
            "summary": f"复查{order.number}所列{order.hazards.count()}项隐患的整改情况",
        },
        department=original.department,
        parent_visit=original,
        follow_up_order=order,
        today=today,
    )


def record_follow_up_result(*, actor, visit: Visit, result: str, notes: str = "") -> Visit:
    _require_on_team(actor, visit)
    visit.refresh_from_db(fields=["status"])
    if visit.follow_up_order_id is None:
        raise _refuse("not_a_follow_up", "这不是整改复查。")
    if result not in Visit.FollowUpResult.values:
        raise ValidationFailed("result_invalid", "复查结论应为已整改或未按期整改。", field="result")
    if visit.status not in ("in_progress", "done"):
        raise _refuse("visit_not_started", "复查开始后才能填写复查结论。")
    now = timezone.now()
    with transaction.atomic():
        v = Visit.objects.select_for_update().get(pk=visit.pk)
        v.follow_up_result, v.follow_up_notes = result, (notes or "").strip()
        if not v.review_number:
            v.review_number = allocate(
                "review", department=v.department, on=timezone.localdate(now)
            )
        v.save(update_fields=["follow_up_result", "follow_up_notes", "review_number", "updated_at"])
        order = v.follow_up_order
        assert order is not None, "only a follow-up (which has its order) records a result"
        RectificationOrder.objects.filter(pk=order.pk).update(status=result)
        if result == "rectified":
            order.hazards.filter(status="open").update(status="rectified", rectified_at=now)
        trail.record(
            actor=actor,
            action="follow_up_result",
            obj=v,
            summary=f"整改复查 {order.number}：{v.get_follow_up_result_display()}",
            also=[order, *order.hazards.all()],
        )
    return v


# ------------------------------------------------ the justification's attachment (R3.3)

ALLOWED_JUSTIFICATION = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}
MAX_JUSTIFICATION_BYTES = 10 * 1024 * 1024


def check_justification_file(upload) -> tuple[str, str]:
    """The attachment's (content type, extension) read from its bytes: PDF, JPEG or PNG,
    at most 10 MB, the name's extension agreeing with the content. Refuses otherwise."""
    if upload is None:
        raise ValidationFailed("file_missing", "请选择依据附件。", field="justification_attachment")
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1]
    size = getattr(upload, "size", 0) or 0
    if size <= 0:
        raise ValidationFailed("file_empty", "依据附件为空文件。", field="justification_attachment")
    if size > MAX_JUSTIFICATION_BYTES:
        raise ValidationFailed(
            "file_too_large", "依据附件不得超过10MB。", field="justification_attachment"
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = "application/pdf" if head.startswith(b"%PDF-") else sniff(head)
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind not in ALLOWED_JUSTIFICATION or ext not in ALLOWED_JUSTIFICATION[kind]:
        raise ValidationFailed(
            "file_type_not_allowed",
            "依据附件只接受PDF、JPEG、PNG文件，且文件内容须与扩展名一致。",
            field="justification_attachment",
        )
    return kind, ALLOWED_JUSTIFICATION[kind][0]


def attach_justification(*, actor, visit: Visit, upload) -> Visit:
    """Attach (or replace) the scan of the record that justifies an exempt visit: the
    complaint, referral, warning, application or order. Before check-in only."""
    _require_team_or_approver(actor, visit)
    kind, ext = check_justification_file(upload)
    h = hashlib.sha256()
    for chunk in upload.chunks():
        h.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        v = Visit.objects.select_for_update().get(pk=visit.pk)
        if v.status not in ("draft", "plan_submitted", "approved"):
            raise _refuse("visit_started", "检查已开始、已结束或已取消，不能再更换依据附件。")
        if not v.justification_reference:
            raise _refuse(
                "no_justification",
                "本次检查没有登记依据材料（类型、编号、日期），不能上传依据附件。",
                field="justification_attachment",
            )
        v.justification_attachment.save(f"{v.pk}-{h.hexdigest()[:16]}{ext}", upload, save=False)
        v.save(update_fields=["justification_attachment", "updated_at"])
        trail.record(
            actor=actor,
            action="attach_justification",
            obj=v,
            summary=f"上传依据附件（{v.justification_reference}）",
            data={"sha256": h.hexdigest(), "size": upload.size, "type": kind},
        )
    visit.justification_attachment = v.justification_attachment
    return v


# ------------------------------------------------ the enterprise's rating


def rate_visit(*, actor, visit: Visit, score: int, comment: str = "") -> VisitRating:
    if not has_role(actor, Role.ENTERPRISE) or actor.enterprise_id != visit.enterprise_id:
        raise Forbidden("只有被检查企业可以评价本次检查。")
    visit.refresh_from_db(fields=["status"])
    if visit.status != "done":
        raise _refuse("visit_not_done", "检查结束后才能评价。")
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationFailed("score_out_of_range", "评分须为1至5分。", field="score")
    with transaction.atomic():
        if VisitRating.objects.filter(visit=visit).exists():
            raise _refuse("already_rated", "本次检查已评价过。")
        r = VisitRating.objects.create(
            visit=visit, score=score, comment=(comment or "").strip()[:1000]
        )
        # No actor: the trail would otherwise tie the person to the score.
        trail.record(actor=None, action="rate_visit", obj=r, summary="企业提交了评价")
    return r
