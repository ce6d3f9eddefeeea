"""Saved column mappings per source (issue 15 item 3) and the preview of an upload.

A mapping names, for one source's export, which header carries which registry field, and
the values a new enterprise takes for the fields that export does not carry. The preview
reads the first rows of a file through the very importer that will write it, so what it
shows (new, changed, unchanged, refused and why) is what the import will do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.db import transaction

from fairinspect.audit import trail
from fairinspect.core.errors import ValidationFailed

from . import queries, tabular
from .imports import EnterpriseImporter, Validated, labels_for, read_job_rows
from .inputs import ENTERPRISE_LABELS, LEVELS, MAPPED_ONLY_LABELS
from .models import ImportJob, ImportMapping

MAPPABLE = {**ENTERPRISE_LABELS, **MAPPED_ONLY_LABELS}
DEFAULTABLE = ("industry_code", "supervising_level", "district_code", "risk_level", "credit_level")


def save_mapping(
    *,
    actor,
    source: str,
    name: str,
    columns: Mapping[str, str],
    defaults: Mapping[str, str],
    flags_missing: bool = True,
) -> ImportMapping:
    """Create or replace one source's mapping. Every field named must be a registry field;
    a default must pass the same cleaning an enterprise does."""
    bad = sorted({f for f in columns.values() if f not in MAPPABLE})
    if bad:
        raise ValidationFailed(
            "unknown_field",
            f"列对应中含有未知字段：{'、'.join(bad)}。可用字段：{'、'.join(MAPPABLE)}。",
            field="columns",
        )
    if "credit_code" not in columns.values() or "name" not in columns.values():
        raise ValidationFailed(
            "mapping_incomplete", "列对应必须包含统一社会信用代码和企业名称两列。", field="columns"
        )
    bad = sorted(set(defaults) - set(DEFAULTABLE))
    if bad:
        raise ValidationFailed(
            "unknown_default",
            f"只能为 {'、'.join(DEFAULTABLE)} 设默认值，不能为：{'、'.join(bad)}。",
            field="defaults",
        )
    industry = (defaults.get("industry_code") or "").strip()
    if industry and (industry not in queries.industry_map() or not industry[:1].isdigit()):
        raise ValidationFailed(
            "unknown_industry",
            f"默认行业“{industry}”不是 GB/T 4754-2017 的大类、中类或小类代码。",
            field="defaults.industry_code",
        )
    level = (defaults.get("supervising_level") or "").strip()
    if level and level not in LEVELS:
        raise ValidationFailed(
            "invalid_choice",
            "默认监管层级应为市级或区（县）级。",
            field="defaults.supervising_level",
        )
    district = (defaults.get("district_code") or "").strip()
    if district and district not in queries.district_codes():
        raise ValidationFailed(
            "unknown_district", f"“{district}”不是本市的区县代码。", field="defaults.district_code"
        )
    if not name.strip():
        raise ValidationFailed("required", "来源名称：必填。", field="name")
    with transaction.atomic():
        mapping, created = ImportMapping.objects.update_or_create(
            source=source,
            defaults={
                "name": name.strip()[:100],
                "columns": {str(h).strip(): f for h, f in columns.items() if str(h).strip()},
                "defaults": {k: str(v).strip() for k, v in defaults.items() if str(v).strip()},
                "flags_missing": flags_missing,
                "updated_by": actor,
            },
        )
        trail.record(
            actor=actor,
            action="create" if created else "update",
            obj=mapping,
            summary=f"{'新建' if created else '修改'}导入列对应 {mapping.name}",
            data={"columns": mapping.columns, "defaults": mapping.defaults},
        )
    return mapping


class _NoBeat:
    progress = None

    def beat(self, done: int, phase: str, *, force: bool = False) -> None:
        return None


def preview(
    *,
    file_name: str,
    data: bytes,
    mapping: ImportMapping | None,
    limit: int = 10,
) -> dict[str, Any]:
    """How the import will read the file: each header's field (or that it is ignored), and
    for the first `limit` rows the values, the action (新增/更新/未变) and any errors."""
    job = ImportJob(kind="enterprises", file_name=file_name, mapping=mapping)
    cols, rows, total = read_job_rows(job, data)
    headers = _headers(file_name, data)
    labels = labels_for("enterprises")
    first = [r for _, r in zip(range(limit), rows, strict=False)]
    importer = EnterpriseImporter(job)
    out_rows = []
    for n, raw in first:
        one = importer.validate([(n, raw)], labels, cast(Any, _NoBeat()))  # duck-types _Run
        out_rows.append(_row_view(n, raw, one))
    return {
        "total_rows": total,
        "columns": [
            {
                "header": str(h or "").strip(),
                "field": cols.get(i, ""),
                "label": MAPPABLE.get(cols.get(i, ""), ""),
            }
            for i, h in enumerate(headers)
        ],
        "missing_fields": [
            MAPPABLE[f] for f in ("credit_code", "name", "address") if f not in cols.values()
        ],
        "rows": out_rows,
    }


def _row_view(n: int, raw: dict, one: Validated) -> dict[str, Any]:
    if one.errors:
        action = "refused"
    elif one.creates:
        action = "create"
    elif one.updates:
        action = "update"
    else:
        action = "unchanged"
    return {
        "row": n,
        "action": action,
        "values": {k: tabular.cell_text(v) for k, v in raw.items()},
        "errors": one.errors,
        "notes": one.notes,
    }


def _headers(file_name: str, data: bytes) -> list[Any]:
    if file_name.lower().endswith(".xlsx"):
        import io

        from openpyxl import load_workbook

        ws = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        return list(next(ws.iter_rows(values_only=True), ()))
    import csv
    import io

    text = tabular.decode(data)
    return next(csv.reader(io.StringIO(text)), [])
