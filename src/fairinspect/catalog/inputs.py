"""Cleaning an inspection item (from the API or an edit form) into model values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fairinspect.registry.inputs import FieldError
from fairinspect.rules.domains import DOMAIN_LABELS, Domain

LABELS = {
    "code": "事项编码",
    "name": "事项名称",
    "domain": "执法领域",
    "legal_basis": "检查依据",
    "implementing_unit": "实施主体",
    "content": "检查内容",
    "method_on_site": "现场检查流程",
    "method_documents": "资料审查要求",
    "industries": "适用行业",
    "offsite_capable": "可非现场检查",
    "cross_department": "跨部门综合监管事项",
    "cross_departments": "联合检查部门",
}


def clean_item(
    raw: Mapping[str, Any], *, industry_codes: set[str]
) -> tuple[dict[str, Any], list[FieldError]]:
    errors: list[FieldError] = []
    out: dict[str, Any] = {}

    def fail(field: str, code: str, message: str) -> None:
        errors.append(FieldError(field, code, f"{LABELS[field]}：{message}"))

    for field, limit in (("code", 30), ("name", 200), ("implementing_unit", 100)):
        value = str(raw.get(field) or "").strip()
        if not value:
            fail(field, "required", "必填。")
        elif len(value) > limit:
            fail(field, "too_long", f"不能超过{limit}个字符。")
        out[field] = value
    domain = raw.get("domain") or ""
    if domain not in {d.value for d in Domain}:
        fail("domain", "invalid_choice", f"应为{'、'.join(DOMAIN_LABELS.values())}之一。")
    out["domain"] = domain
    basis = raw.get("legal_basis") or []
    if not basis:
        fail("legal_basis", "required", "至少列明一条法律依据（无依据不检查）。")
    for i, b in enumerate(basis, start=1):
        if not str(b.get("law") or "").strip():
            fail("legal_basis", "law_missing", f"第{i}条依据缺少法律法规名称。")
    out["legal_basis"] = [dict(b) for b in basis]
    content = [str(c).strip() for c in raw.get("content") or [] if str(c).strip()]
    if not content:
        fail("content", "required", "至少列明一个检查要点。")
    out["content"] = content
    industries = [str(c) for c in raw.get("industries") or []]
    unknown = [c for c in industries if c not in industry_codes]
    if unknown:
        fail(
            "industries",
            "unknown_industry",
            f"“{'、'.join(unknown)}”不是 GB/T 4754-2017 行业代码。",
        )
    out["industries"] = industries
    out["method_on_site"] = str(raw.get("method_on_site") or "")
    out["method_documents"] = str(raw.get("method_documents") or "")
    out["offsite_capable"] = bool(raw.get("offsite_capable"))
    out["cross_department"] = bool(raw.get("cross_department"))
    out["cross_departments"] = [str(d) for d in raw.get("cross_departments") or []]
    if out["cross_department"] and not out["cross_departments"]:
        fail("cross_departments", "required", "跨部门综合监管事项须列明联合检查部门。")
    return out, errors
