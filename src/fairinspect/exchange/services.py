"""Writing the export files (R6.5 national supervision system, R8.2 信用中国).

National: `inspections.jsonl` and `cases.jsonl` (one JSON object a line, UTF-8), the same
rows as `inspections.xlsx` and `cases.xlsx`, and `manifest.json` (format, version, window,
rows, SHA-256 and size of each file). Incremental by time: the records changed in
[since, until); without `since`, the window starts where the last national export ended.
Every row is checked against the field list before anything is written; the files go to a
temporary folder that is renamed into place, so a refused export leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone

from fairinspect.audit import trail
from fairinspect.core.errors import ValidationFailed
from fairinspect.registry.tabular import write_csv, write_xlsx
from fairinspect.rules.exports import (
    PartyKind,
    PenaltyFacts,
    check_row,
    credit_china_row,
    redact_personal,
)

from . import fields
from .models import ExportRun

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _authority() -> tuple[str, str]:
    name = getattr(settings, "AUTHORITY_NAME", "") or "乌鲁木齐市应急管理局"
    code = getattr(settings, "AUTHORITY_CREDIT_CODE", "")
    if not code:
        raise ValidationFailed(
            "authority_code_missing",
            "未设置本机关的统一社会信用代码（环境变量 AUTHORITY_CREDIT_CODE），不能生成交换文件。",
            field="AUTHORITY_CREDIT_CODE",
        )
    return name, code


def _local(t: dt.datetime | None) -> str:
    return timezone.localtime(t).isoformat(timespec="seconds") if t else ""


# ------------------------------------------------------------------ national rows


def inspection_rows(since: dt.datetime, until: dt.datetime) -> Iterator[dict]:
    from fairinspect.visits.guidance import entry_kind_label
    from fairinspect.visits.models import RectificationOrder, Visit, VisitOfficer

    authority, _code = _authority()
    visits = (
        Visit.objects.filter(updated_at__gte=since, updated_at__lt=until)
        .select_related("enterprise", "department")
        .prefetch_related(
            "items",
            Prefetch("team", queryset=VisitOfficer.objects.select_related("officer")),
            "findings__item",
            "hazards__item",
            Prefetch("orders", queryset=RectificationOrder.objects.order_by("id")),
            "recordings",
            "experts",
        )
        .order_by("updated_at", "id")
    )
    for v in visits.iterator(chunk_size=500):
        e = v.enterprise
        yield {
            "record_id": f"FI-V-{v.pk}",
            "changed_at": _local(v.updated_at),
            "inspection_body": authority,
            "inspection_unit": v.department.name,
            "inspection_level": v.get_inspecting_level_display(),
            "object_name": e.name,
            "object_credit_code": e.credit_code,
            "object_address": e.address,
            "object_division_code": e.district_code,
            "inspection_type": v.get_kind_display(),
            "entry_name": entry_kind_label(v.entry_kind),
            "source": v.get_trigger_display(),
            "cap_exempt": v.is_exempt_trigger,
            "justification": (
                {
                    "kind": v.get_justification_kind_display(),
                    "reference": v.justification_reference,
                    "date": v.justification_date.isoformat() if v.justification_date else "",
                }
                if v.justification_kind
                else None
            ),
            "items": [{"code": i.code, "name": i.name} for i in v.items.all()],
            "officers": [
                {"name": m.officer.name, "certificate_number": m.certificate_number}
                for m in v.team.all()
            ],
            "experts_count": len(v.experts.all()),
            "planned_date": v.planned_date.isoformat(),
            "checked_in_at": _local(v.checked_in_at),
            "checked_out_at": _local(v.checked_out_at),
            "status": v.get_status_display(),
            "record_number": v.record_number or "",
            "findings": [
                {"item_code": f.item.code, "result": f.get_result_display()}
                for f in v.findings.all()
            ],
            "hazards": [
                {
                    "level": h.get_level_display(),
                    "description": h.description,
                    "item_code": h.item.code if h.item is not None else "",
                }
                for h in v.hazards.all()
            ],
            "orders": [
                {
                    "number": o.number,
                    "deadline": o.deadline.isoformat(),
                    "status": o.get_status_display(),
                }
                for o in v.orders.all()
            ],
            "av_recorded": bool(v.recordings.all()),
        }


def case_rows(since: dt.datetime, until: dt.datetime) -> Iterator[dict]:
    from fairinspect.cases.models import Case
    from fairinspect.cases.services import redact_party

    authority, _code = _authority()
    cases = (
        Case.objects.annotate(last_step=Max("steps__at"))
        .filter(last_step__gte=since, last_step__lt=until)
        .select_related("enterprise")
        .order_by("last_step", "id")
    )
    for c in cases.iterator(chunk_size=500):
        unit = c.party == "unit"
        yield {
            "record_id": f"FI-C-{c.pk}",
            "changed_at": _local(c.last_step),
            "case_number": c.number,
            "decision_number": c.decision_number,
            "authority": authority,
            "party_type": c.get_party_display(),
            "party_name": redact_party(c),
            "party_credit_code": c.enterprise.credit_code if unit else "",
            "cause": c.cause,
            "violation_code": c.violation_code,
            "violation": c.violation_title,
            "legal_basis": c.legal_basis,
            "penalty_basis": c.penalty_basis,
            "discretion_grade": c.grade,
            "penalty_types": list(c.penalty_types),
            "fine_yuan": str(c.fine_amount) if c.fine_amount is not None else "",
            "status": c.get_status_display(),
            "filed_on": c.filed_on.isoformat() if c.filed_on else "",
            "decided_on": c.decided_on.isoformat() if c.decided_on else "",
            "served_on": c.served_on.isoformat() if c.served_on else "",
            "closed_on": c.closed_on.isoformat() if c.closed_on else "",
            "inspection_record_id": f"FI-V-{c.visit_id}" if c.visit_id else "",
        }


def _as_text(row: dict) -> dict[str, str]:
    """Values as the field check and the spreadsheet see them."""
    return {
        k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) if v is not None else ""
        for k, v in row.items()
    }


def _write_files(folder: Path, name: str, rows: Iterable[dict], specs) -> int:
    """`name`.jsonl and `name`.xlsx in one pass over the rows (memory stays bounded: the
    workbook is write-only), each row checked against the field list first."""
    from openpyxl import Workbook

    from fairinspect.registry.tabular import safe_cell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(name)
    ws.append([s.code for s in specs])
    n = 0
    with (folder / f"{name}.jsonl").open("w", encoding="utf-8") as f:
        for n, row in enumerate(rows, 1):
            text = _as_text(row)
            errors = check_row(text, specs, line=n)
            if errors:
                raise ValidationFailed(
                    errors[0].code,
                    f"{name}：{errors[0].message}",
                    field=errors[0].field,
                    extra={"errors": [e.__dict__ for e in errors[:20]]},
                )
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            ws.append([safe_cell(text[s.code]) for s in specs])
    wb.save(folder / f"{name}.xlsx")
    return n


def _file_meta(path: Path, rows: int) -> dict:
    data = path.read_bytes()
    return {"rows": rows, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def export_national(
    *, actor, out: Path, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> ExportRun:
    until = until or timezone.now()
    if since is None:
        last = ExportRun.objects.filter(kind="national").order_by("-until").first()
        since = last.until if last else EPOCH
    if until <= since:
        raise ValidationFailed("window_empty", "截止时间须晚于起始时间。", field="until")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ValidationFailed("folder_not_empty", f"导出目录 {out} 不是空目录。", field="out")
    tmp = Path(
        tempfile.mkdtemp(prefix="fi-export-", dir=out.parent if out.parent.exists() else None)
    )
    try:
        files = {}
        for name, rows in (
            ("inspections", inspection_rows(since, until)),
            ("cases", case_rows(since, until)),
        ):
            n = _write_files(tmp, name, rows, fields.national_fields(name))
            files[f"{name}.jsonl"] = _file_meta(tmp / f"{name}.jsonl", n)
            files[f"{name}.xlsx"] = _file_meta(tmp / f"{name}.xlsx", n)
        manifest = {
            "format": "fairinspect-national-export",
            "version": fields.NATIONAL_VERSION,
            "since": since.isoformat(),
            "until": until.isoformat(),
            "generated_at": timezone.now().isoformat(),
            "field_list": "exchange/data/national_v1.json (docs/exports.md)",
            "files": files,
        }
        text = json.dumps(manifest, ensure_ascii=False, indent=2)
        (tmp / "manifest.json").write_text(text, encoding="utf-8")
        with transaction.atomic():
            run = ExportRun.objects.create(
                kind="national",
                since=since,
                until=until,
                created_by=actor if getattr(actor, "pk", None) else None,
                manifest=manifest,
                manifest_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            )
            trail.record(
                actor=actor,
                action="export_national",
                obj=run,
                summary=f"导出全国行政执法监督数据：检查{files['inspections.jsonl']['rows']}条、"
                f"案件{files['cases.jsonl']['rows']}条",
                data={"since": since.isoformat(), "until": until.isoformat()},
            )
            out.mkdir(parents=True, exist_ok=True)
            for p in tmp.iterdir():
                shutil.move(str(p), out / p.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return run


# ------------------------------------------------------------------ 信用中国


def credit_china_rows(*, today: dt.date) -> list[dict[str, str]]:
    """The published penalty decisions still within their publication period."""
    from fairinspect.cases.models import Disclosure

    authority, code = _authority()
    rows = []
    published = (
        Disclosure.objects.filter(published_on__isnull=False)
        .exclude(case__repair_applications__status="granted")  # 终止公示 (R10.3)
        .select_related("case__enterprise", "case__pair")
        .prefetch_related("case__dishonesty_listings")
        .order_by("decided_on", "id")
    )
    for d in published:
        c = d.case
        person = c.party == "person"
        masked = d.party_name.split("（", 1)[0]
        facts = redact_personal(
            c.facts_text or c.violation_title,
            names=(c.person_name,) if person else (),
            masked=masked,
        )
        row = credit_china_row(
            PenaltyFacts(
                decision_number=d.decision_number,
                party=PartyKind.PERSON if person else PartyKind.UNIT,
                party_name=masked if person else d.party_name,
                credit_code=d.credit_code,
                violation=d.violation,
                facts=facts,
                basis=d.basis,
                penalty_types=tuple(c.penalty_types) or ("罚款",),
                content=d.content,
                fine_yuan=d.fine_amount,
                decided_on=d.decided_on,
                serious_dishonesty=any(
                    x.status in ("listed", "removed") for x in c.dishonesty_listings.all()
                ),
                authority=authority,
                authority_code=code,
                legal_representative="" if person else c.enterprise.legal_representative,
                note=f"一案双罚，关联案件 {c.pair.decision_number}" if c.pair_id and c.pair else "",
            ),
            today=today,
        )
        if row is not None:
            rows.append(row)
    specs = fields.credit_china_fields()
    for n, row in enumerate(rows, 1):
        errors = check_row(row, specs, line=n)
        if errors:
            raise ValidationFailed(errors[0].code, errors[0].message, field=errors[0].field)
    return rows


def credit_china_file(*, today: dt.date, fmt: str) -> bytes:
    rows = credit_china_rows(today=today)
    labels = {f.code: f.code for f in fields.credit_china_fields()}
    if fmt == "csv":
        return "".join(write_csv(labels, rows)).encode("utf-8")
    if fmt == "xlsx":
        return write_xlsx(labels, rows, "行政处罚")
    raise ValidationFailed("format_invalid", "格式应为 csv 或 xlsx。", field="format")
