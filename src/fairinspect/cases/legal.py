"""The legal data the cases app reads: the violation catalogue with its baseline (shipped JSON,
loaded once) and the published no-penalty list (a database version), turned into rule values.
Also the cleaning of discretion facts shared by the page, the API and the services."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from fairinspect.core.errors import ValidationFailed
from fairinspect.rules import discretion as d
from fairinspect.rules.results import reason_dicts


@lru_cache(maxsize=1)
def catalogue() -> d.Catalogue:
    return d.load_catalogue()


def violation(code: str) -> d.Violation:
    try:
        return catalogue().get(code)
    except d.DiscretionError as exc:
        raise ValidationFailed(exc.code, str(exc), field="violation_code") from exc


def filter_violations(*, law: str = "", article: int | None = None, q: str = ""):
    out = []
    for v in catalogue().violations:
        if law and law not in (v.law, f"{v.law}（{v.version}）"):
            continue
        if article is not None and v.article != article:
            continue
        if q and q not in v.title and q not in v.code:
            continue
        out.append(v)
    return out


def fine_text(s: d.Sanction | None) -> str:
    if s is None:
        return "—"
    parts = list(s.measures) + [p for p in s.penalties if p != "罚款"]
    if s.fine:
        unit = "%" if s.fine.basis == "income_percent" else "元"
        lo = "" if s.fine.min == 0 else f"{s.fine.min:,.0f}{unit}以上"
        parts.append(f"罚款{lo}{s.fine.max:,.0f}{unit}以下")
    return "，".join(parts) or "—"


def no_penalty_list_in_force() -> d.NoPenaltyList | None:
    from .models import NoPenaltyListVersion

    doc = (
        NoPenaltyListVersion.objects.filter(status="published")
        .values_list("document", flat=True)
        .first()
    )
    return _parse_npl(_freeze(doc)) if doc else None


def _freeze(doc: dict) -> str:
    import json

    return json.dumps(doc, ensure_ascii=False, sort_keys=True)


@lru_cache(maxsize=8)
def _parse_npl(doc_json: str) -> d.NoPenaltyList:
    import json

    return d.parse_no_penalty_list(json.loads(doc_json), catalogue())


FACT_FIELDS = (
    "first_offence",
    "harm",
    "corrected_in_time",
    "overdue_uncorrected",
    "no_fault",
    "minor",
    "mitigations",
    "aggravations",
    "staff_affected_share",
    "headcount",
    "people_affected",
    "fatal_accident_within_3_years",
    "serious_dishonesty_listed",
    "high_risk",
    "accident_level",
    "annual_income",
)
_BOOLS = (
    "first_offence",
    "corrected_in_time",
    "overdue_uncorrected",
    "no_fault",
    "minor",
    "fatal_accident_within_3_years",
    "serious_dishonesty_listed",
    "high_risk",
)


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes", "是")
    return bool(value)


def _bad(field: str, code: str, message: str) -> ValidationFailed:
    return ValidationFailed(code, f"facts.{field}：{message}", field=f"facts.{field}")


def clean_facts(raw: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe facts (strings for decimals) from a form or a JSON body; refuses unknown keys
    and bad values naming the field."""
    if not isinstance(raw, dict):
        raise ValidationFailed("invalid_facts", "facts 应为对象。", field="facts")
    unknown = sorted(set(raw) - set(FACT_FIELDS))
    if unknown:
        raise _bad(unknown[0], "unknown_fact", "未知的事实字段。")
    out: dict[str, Any] = {}
    for name in _BOOLS:
        out[name] = _bool(raw.get(name, False))
    harm = raw.get("harm") or "none"
    if harm not in ("none", "slight", "serious"):
        raise _bad("harm", "bad_harm", "危害后果应为 none、slight 或 serious。")
    out["harm"] = harm
    for name, known in (("mitigations", d.MITIGATIONS), ("aggravations", d.AGGRAVATIONS)):
        values = raw.get(name) or []
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list | tuple):
            raise _bad(name, "bad_list", "应为代码数组。")
        if unknown := [v for v in values if v not in known]:
            raise _bad(
                name, f"unknown_{name[:-1]}", f"未知的情节代码：{'、'.join(map(str, unknown))}。"
            )
        out[name] = list(dict.fromkeys(values))
    share = raw.get("staff_affected_share")
    if share not in (None, ""):
        try:
            value = Decimal(str(share))
        except InvalidOperation:
            raise _bad("staff_affected_share", "bad_share", "应为0到1之间的小数。") from None
        if not Decimal(0) <= value <= Decimal(1):
            raise _bad("staff_affected_share", "bad_share", "涉及从业人员比例应在0与1之间。")
        out["staff_affected_share"] = str(value)
    for name in ("headcount", "people_affected"):
        given = raw.get(name)
        if given in (None, ""):
            continue
        try:
            n = int(str(given).strip())
        except ValueError:
            raise _bad(name, "bad_count", "应为整数。") from None
        if n < 0 or isinstance(given, bool):
            raise _bad(name, "bad_count", "人数应为不小于0的整数。")
        out[name] = n
    level = raw.get("accident_level") or None
    if level is not None and level not in {a.value for a in d.AccidentLevel}:
        raise _bad("accident_level", "bad_accident_level", "事故等级取值不在允许范围内。")
    if level:
        out["accident_level"] = level
    income = raw.get("annual_income")
    if income not in (None, ""):
        try:
            value = Decimal(str(income))
        except InvalidOperation:
            raise _bad("annual_income", "bad_income", "应为金额。") from None
        if value < 0:
            raise _bad("annual_income", "bad_income", "年收入不得为负数。")
        out["annual_income"] = str(value)
    return out


def to_facts(clean: dict[str, Any]) -> d.Facts:
    values = dict(clean)
    values["mitigations"] = tuple(values.get("mitigations", ()))
    values["aggravations"] = tuple(values.get("aggravations", ()))
    try:
        return d.Facts(**values)
    except d.DiscretionError as exc:
        raise ValidationFailed(exc.code, str(exc), field="facts") from exc


def decide(violation_code: str, party: str, clean: dict[str, Any]) -> d.DiscretionResult:
    if party not in ("unit", "person"):
        raise ValidationFailed("bad_party", "party：当事人类型应为 unit 或 person。", field="party")
    v = violation(violation_code)
    try:
        return d.decide(v, party, to_facts(clean), catalogue().baseline, no_penalty_list_in_force())
    except d.DiscretionError as exc:
        raise ValidationFailed(exc.code, str(exc), field="violation_code") from exc


def result_dict(r: d.DiscretionResult) -> dict[str, Any]:
    return {
        "grade": r.grade.value,
        "grade_label": r.grade.label,
        "fine_min": str(r.fine_min),
        "fine_max": str(r.fine_max),
        "legal_min": None if r.legal_min is None else str(r.legal_min),
        "legal_max": None if r.legal_max is None else str(r.legal_max),
        "penalty_types": list(r.penalty_types),
        "measures": list(r.measures),
        "reasons": reason_dicts(r.reasons),
        "no_penalty_item": r.no_penalty_item.id if r.no_penalty_item else None,
        "stage": r.stage.value,
        "tier": r.tier,
    }
