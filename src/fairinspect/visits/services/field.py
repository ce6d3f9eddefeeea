"""Actions sent from the officer's phone, perhaps long after they were made and perhaps more
than once (issue 12). Each carries a nonce made on the phone: the first arrival is decided by
the ordinary service (cap, certificates, state: everything again, at the server's time) and
the nonce stored with its outcome in the same transaction; any later arrival of the nonce is
answered with that outcome and changes nothing. A refused action stores nothing, so the
officer may correct it and send it again."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from fairinspect.audit import trail
from fairinspect.core.errors import ValidationFailed

from ..models import FieldAction, Visit
from .checkin import confirm_check_in
from .common import _refuse
from .onsite import record_finding, record_hazard, start_recording, upload_media

NONCE = re.compile(r"[A-Za-z0-9_\-]{8,64}")


@dataclass
class FieldOutcome:
    action: FieldAction
    duplicate: bool
    message: str
    warnings: list[dict[str, str]] = field(default_factory=list)


def _coord(raw) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        v = Decimal(str(raw)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        return None
    return v if -180 <= v <= 180 else None  # a claim outside any coordinate is dropped


def _client_time(raw) -> dt.datetime | None:
    if not raw:
        return None
    if isinstance(raw, dt.datetime):
        return raw
    try:
        t = parse_datetime(str(raw))
    except ValueError:
        return None
    if t is not None and timezone.is_naive(t):
        t = timezone.make_aware(t)
    return t


def _run(kind: str, *, actor, visit: Visit, nonce: str, data, upload):
    """The ordinary service for `kind`: (saved object, message, warnings)."""
    get = data.get
    if kind == FieldAction.Kind.CHECK_IN:
        out = confirm_check_in(
            actor=actor,
            visit_id=visit.pk,
            nonce=nonce,
            lat=get("lat") or None,
            lng=get("lng") or None,
            accuracy=get("accuracy") or None,
        )
        msg = (
            "两名执法人员已确认，检查开始。请开启执法记录仪。"
            if out.started
            else "您已确认入企，等待同组另一名执法人员在本人手机上确认。"
        )
        return out.visit, msg, out.warnings
    if kind == FieldAction.Kind.FINDING:
        f = record_finding(
            actor=actor,
            visit=visit,
            item_code=get("item_code", ""),
            result=get("result", ""),
            notes=get("notes", ""),
        )
        return f, "检查结果已记录。", []
    if kind == FieldAction.Kind.HAZARD:
        h = record_hazard(
            actor=actor,
            visit=visit,
            level=get("level", ""),
            description=get("description", ""),
            place=get("place", ""),
            item_code=get("item_code", ""),
        )
        return h, "隐患已记录。", []
    if kind == FieldAction.Kind.RECORDING:
        r = start_recording(actor=actor, visit=visit, device=get("device", ""))
        return r, "已登记执法记录仪。", []
    if kind == FieldAction.Kind.PHOTO:
        if upload is None:
            raise ValidationFailed("file_missing", "请选择要上传的文件。", field="file")
        finding = hazard = recording = None
        if str(get("finding", "")).isdigit():
            finding = visit.findings.filter(pk=int(get("finding"))).first()
        if str(get("hazard", "")).isdigit():
            hazard = visit.hazards.filter(pk=int(get("hazard"))).first()
        if str(get("recording", "")).isdigit():
            recording = visit.recordings.filter(pk=int(get("recording"))).first()
        try:
            accuracy = float(get("accuracy")) if get("accuracy") not in (None, "") else None
        except (TypeError, ValueError):
            accuracy = None
        m = upload_media(
            actor=actor,
            visit=visit,
            upload=upload,
            recording=recording,
            finding=finding,
            hazard=hazard,
            captured_at=_client_time(get("client_time")),
            capture_lat=_coord(get("lat")),
            capture_lng=_coord(get("lng")),
            capture_accuracy=accuracy,
        )
        return m, f"已上传 {m.original_name}（SHA-256 {m.sha256[:12]}…）。", []
    raise ValidationFailed("kind_invalid", "不支持的现场操作。", field="kind")


def perform_field_action(
    *, actor, visit: Visit, kind: str, nonce: str, data, upload=None
) -> FieldOutcome:
    """Decide one action from the phone, once per nonce."""
    nonce = (nonce or "").strip()
    if not NONCE.fullmatch(nonce):
        raise ValidationFailed(
            "nonce_invalid", "nonce 须为8至64位字母、数字、下划线或连字符。", field="nonce"
        )
    if kind not in FieldAction.Kind.values:
        raise ValidationFailed("kind_invalid", "不支持的现场操作。", field="kind")
    seen = _seen(actor, visit, nonce)
    if seen is not None:
        return seen
    try:
        with transaction.atomic():
            obj, msg, warnings = _run(
                kind, actor=actor, visit=visit, nonce=nonce, data=data, upload=upload
            )
            fa = FieldAction.objects.create(
                nonce=nonce,
                kind=kind,
                visit=visit,
                user=actor,
                client_time=_client_time(data.get("client_time")),
                received_at=timezone.now(),
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                message=msg[:300],
            )
            trail.record(
                actor=actor,
                action="field_action",
                obj=fa,
                summary=f"现场操作（{fa.get_kind_display()}）已接收",
                data={"nonce": nonce, "object": f"{fa.object_type}:{fa.object_id}"},
            )
    except IntegrityError:
        # The same nonce arrived twice at once: the other arrival won; answer with its outcome.
        seen = _seen(actor, visit, nonce)
        if seen is None:
            raise
        return seen
    return FieldOutcome(fa, False, msg, warnings)


def _seen(actor, visit: Visit, nonce: str) -> FieldOutcome | None:
    fa = FieldAction.objects.filter(nonce=nonce).first()
    if fa is None:
        return None
    if fa.user_id != actor.pk or fa.visit_id != visit.pk:
        raise _refuse("nonce_reused", "该 nonce 已用于其他操作，请重新生成。")
    return FieldOutcome(fa, True, fa.message or "已接收。")
