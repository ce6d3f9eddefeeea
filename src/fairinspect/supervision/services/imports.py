"""Batch imports: the 12345 hotline's work-order export and training records (CSV or XLSX).

All or nothing: every row is cleaned first, every bad row is reported with its number and
the field, and nothing is saved unless every row is good (registry/tabular.py reads the file).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from fairinspect.audit import trail
from fairinspect.core.errors import DomainError, ValidationFailed
from fairinspect.registry.models import Certificate
from fairinspect.registry.tabular import read_rows

from ..models import Complaint, TrainingRecord
from . import complaints as complaint_services

WORK_ORDER_COLUMNS = {
    "work_order_number": "工单编号",
    "received_at": "受理时间",
    "subject": "诉求对象",
    "category": "诉求类别",
    "subject_text": "被反映对象",
    "content": "诉求内容",
    "location": "事发地点",
    "complainant_name": "来电人",
    "complainant_phone": "来电号码",
    "anonymous": "是否匿名",
}
SUBJECTS = {"企业": "enterprise", "执法人员": "officer", "政务服务": "service"}
CATEGORIES = {str(label): value for value, label in Complaint.Category.choices}
YES = {"是", "y", "yes", "true", "1", "匿名"}
MAX_ROWS = 5000

TRAINING_COLUMNS = {
    "certificate_number": "执法证号",
    "course": "课程",
    "provider": "举办单位",
    "on": "培训日期",
    "hours": "学时",
    "assessment": "考核",
    "score": "成绩",
}
ASSESSMENTS = {
    "合格": "passed",
    "不合格": "failed",
    "无": "none",
    "": "none",
    "passed": "passed",
    "failed": "failed",
    "none": "none",
}


def _str(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _datetime(v) -> dt.datetime:
    if isinstance(v, dt.datetime):
        d = v
    elif isinstance(v, dt.date):
        d = dt.datetime.combine(v, dt.time(9, 0))
    else:
        text = _str(v).replace("/", "-")
        try:
            d = (
                dt.datetime.fromisoformat(text)
                if len(text) > 10
                else dt.datetime.combine(dt.date.fromisoformat(text), dt.time(9, 0))
            )
        except ValueError:
            raise ValidationFailed(
                "date_invalid", "时间格式应为 2025-06-18 09:30。", field="received_at"
            ) from None
    return timezone.make_aware(d) if timezone.is_naive(d) else d


def _date(v, field: str) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(_str(v).replace("/", "-"))
    except ValueError:
        raise ValidationFailed("date_invalid", "日期格式应为 2025-06-18。", field=field) from None


def _fail(errors: list[dict], what: str, total: int):
    raise ValidationFailed(
        "import_rejected",
        f"{what}有{len(errors)}处错误，未导入任何记录。请改正后重新上传。",
        field="file",
        extra={"errors": errors, "rows": total},
    )


def import_work_orders(*, actor, name: str, data: bytes, today: dt.date | None = None) -> int:
    _cols, rows, total = read_rows(name, data, WORK_ORDER_COLUMNS)
    if total > MAX_ROWS:
        raise ValidationFailed("too_many_rows", f"一次最多导入{MAX_ROWS}行。", field="file")
    cleaned, errors = [], []
    seen: dict[str, int] = {}
    existing = set()
    for n, row in rows:
        try:
            number = _str(row.get("work_order_number"))
            if not number:
                raise ValidationFailed(
                    "work_order_required", "工单编号不能为空。", field="work_order_number"
                )
            if number in seen:
                raise ValidationFailed(
                    "duplicate_in_file",
                    f"工单编号与第{seen[number]}行重复。",
                    field="work_order_number",
                )
            seen[number] = n
            subject = SUBJECTS.get(_str(row.get("subject")), _str(row.get("subject")))
            category = CATEGORIES.get(_str(row.get("category")), _str(row.get("category")))
            anonymous = _str(row.get("anonymous")).lower() in YES
            values: dict[str, Any] = dict(
                channel="hotline_12345",
                work_order_number=number,
                received_at=_datetime(row.get("received_at")),
                subject=subject,
                category=category,
                subject_text=_str(row.get("subject_text")),
                content=_str(row.get("content")),
                location=_str(row.get("location")),
                anonymous=anonymous,
                name="" if anonymous else _str(row.get("complainant_name")),
                phone="" if anonymous else _str(row.get("complainant_phone")),
            )
            # The same cleaning as one complaint, without saving.
            complaint_services.clean_choice(
                subject, Complaint.Subject.values, "subject", "诉求对象"
            )
            complaint_services.clean_choice(
                category, Complaint.Category.values, "category", "诉求类别"
            )
            complaint_services.clean_text(
                values["content"], "content", "诉求内容", required=True, max_length=4000
            )
            complaint_services.clean_identity(
                anonymous=anonymous, name=values["name"], phone=values["phone"]
            )
            cleaned.append((n, values))
        except DomainError as e:
            errors.append({"row": n, "field": e.field, "code": e.code, "message": e.message})
    existing = set(
        Complaint.objects.filter(work_order_number__in=list(seen)).values_list(
            "work_order_number", flat=True
        )
    )
    for number in sorted(existing):
        errors.append(
            {
                "row": seen[number],
                "field": "work_order_number",
                "code": "work_order_exists",
                "message": f"工单{number}已登记。",
            }
        )
    if errors or not cleaned:
        if not errors:
            errors.append(
                {"row": None, "field": "file", "code": "empty", "message": "文件没有数据行。"}
            )
        _fail(sorted(errors, key=lambda e: e["row"] or 0), "12345工单文件", total)
    with transaction.atomic():
        for _n, values in cleaned:
            complaint_services.receive(actor=actor, **values)
        trail.record(
            actor=actor,
            action="complaints_imported",
            object_type="supervision.import",
            object_id=name[:64],
            summary=f"导入12345工单{len(cleaned)}件（{name}）",
        )
    return len(cleaned)


def import_training(*, actor, name: str, data: bytes) -> int:
    _cols, rows, total = read_rows(name, data, TRAINING_COLUMNS)
    if total > MAX_ROWS:
        raise ValidationFailed("too_many_rows", f"一次最多导入{MAX_ROWS}行。", field="file")
    raw = list(rows)
    numbers = {_str(r.get("certificate_number")) for _n, r in raw}
    officers = dict(
        Certificate.objects.filter(number__in=numbers).values_list("number", "officer_id")
    )
    cleaned, errors, seen = [], [], set()
    for n, row in raw:
        try:
            cert = _str(row.get("certificate_number"))
            if cert not in officers:
                raise ValidationFailed(
                    "officer_not_found",
                    f"没有执法证号为{cert or '（空）'}的执法人员。",
                    field="certificate_number",
                )
            values = clean_training(
                course=_str(row.get("course")),
                provider=_str(row.get("provider")),
                on=_date(row.get("on"), "on"),
                hours=_str(row.get("hours")),
                assessment=ASSESSMENTS.get(
                    _str(row.get("assessment")), _str(row.get("assessment"))
                ),
                score=_str(row.get("score")),
            )
            key = (officers[cert], values["course"], values["on"])
            if key in seen:
                raise ValidationFailed(
                    "duplicate_in_file", "同一人员同日同一课程重复。", field="course"
                )
            seen.add(key)
            cleaned.append(
                TrainingRecord(officer_id=officers[cert], imported=True, created_by=actor, **values)
            )
        except DomainError as e:
            errors.append({"row": n, "field": e.field, "code": e.code, "message": e.message})
    if not errors:
        dup = TrainingRecord.objects.filter(
            officer_id__in={k[0] for k in seen}, on__in={k[2] for k in seen}
        ).values_list("officer_id", "course", "on")
        for k in set(dup) & seen:
            errors.append(
                {
                    "row": None,
                    "field": "course",
                    "code": "already_recorded",
                    "message": f"培训记录已存在：{k[1]} {k[2]}。",
                }
            )
    if errors or not cleaned:
        if not errors:
            errors.append(
                {"row": None, "field": "file", "code": "empty", "message": "文件没有数据行。"}
            )
        _fail(errors, "培训记录文件", total)
    with transaction.atomic():
        TrainingRecord.objects.bulk_create(cleaned)
        trail.record(
            actor=actor,
            action="training_imported",
            object_type="supervision.import",
            object_id=name[:64],
            summary=f"导入培训记录{len(cleaned)}条（{name}）",
        )
    return len(cleaned)


def clean_training(*, course, provider, on, hours, assessment, score) -> dict:
    course = complaint_services.clean_text(course, "course", "课程", required=True, max_length=200)
    provider = complaint_services.clean_text(
        provider, "provider", "举办单位", required=False, max_length=100
    )
    try:
        h = Decimal(str(hours))
    except (InvalidOperation, ValueError):
        raise ValidationFailed("hours_invalid", "学时应为数字。", field="hours") from None
    if not (Decimal("0") < h <= Decimal("200")) or h != h.quantize(Decimal("0.1")):
        raise ValidationFailed(
            "hours_invalid", "学时应大于0、不超过200，最多一位小数。", field="hours"
        )
    if assessment not in TrainingRecord.Assessment.values:
        raise ValidationFailed(
            "assessment_invalid", "考核应为合格、不合格或无。", field="assessment"
        )
    sc = None
    if score not in (None, ""):
        try:
            sc = Decimal(str(score))
        except (InvalidOperation, ValueError):
            raise ValidationFailed("score_invalid", "成绩应为数字。", field="score") from None
        if not (0 <= sc <= 100):
            raise ValidationFailed("score_invalid", "成绩应在0到100之间。", field="score")
    if not isinstance(on, dt.date):
        raise ValidationFailed("date_invalid", "培训日期格式不正确。", field="on")
    return dict(course=course, provider=provider, on=on, hours=h, assessment=assessment, score=sc)
