"""Cleaning enterprise and officer input, shared by the form, the API and the importers.

Each cleaner takes raw values (strings from a CSV cell, a form field or JSON) and returns
the cleaned values and a list of FieldError naming the field, the rule and, in Chinese,
what is wrong. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from fairinspect.rules.certificates import CertificateStatus, OfficerStatus
from fairinspect.rules.credit_code import LEGACY_NAMES, check_credit_code, legacy_identifier
from fairinspect.rules.domains import DOMAIN_LABELS, Domain
from fairinspect.rules.results import FieldError

GRADES = {
    "1": 1,
    "2": 2,
    "3": 3,
    "一级": 1,
    "二级": 2,
    "三级": 3,
    "": None,
    "未定级": None,
    "none": None,
    "null": None,
}
GRADE_LABEL = {1: "一级", 2: "二级", 3: "三级", None: "未定级"}
RISK = {
    "major": "major",
    "high": "high",
    "general": "general",
    "low": "low",
    "重大风险": "major",
    "重大": "major",
    "红": "major",
    "较大风险": "high",
    "较大": "high",
    "橙": "high",
    "一般风险": "general",
    "一般": "general",
    "黄": "general",
    "低风险": "low",
    "低": "low",
    "蓝": "low",
}
RISK_LABEL = {"major": "重大风险", "high": "较大风险", "general": "一般风险", "low": "低风险"}
CREDIT = {c: c for c in "ABCD"}
LEVELS = {
    "city": "city",
    "district": "district",
    "市级": "city",
    "市": "city",
    "区县级": "district",
    "区（县）级": "district",
    "区级": "district",
    "区县": "district",
}
LEVEL_LABEL = {"city": "市级", "district": "区（县）级"}
STATUS = {
    "active": "active",
    "在营": "active",
    # As the market regulator's registration records name the registration state (登记状态).
    "存续": "active",
    "在业": "active",
    "开业": "active",
    "存续（在营、开业、在册）": "active",
    "吊销": "closed",
    "吊销，未注销": "closed",
    "吊销，已注销": "closed",
    "迁出": "closed",
    "撤销": "closed",
    "suspended": "suspended",
    "停产停业": "suspended",
    "closed": "closed",
    "注销": "closed",
}
STATUS_LABEL = {"active": "在营", "suspended": "停产停业", "closed": "注销"}
BOOL = {
    "true": True,
    "1": True,
    "是": True,
    "yes": True,
    "false": False,
    "0": False,
    "否": False,
    "no": False,
}
OFFICER_STATUS = {s.value: s.value for s in OfficerStatus} | {
    "在岗": "on_duty",
    "离岗": "off_post",
    "离职": "left",
    "退休": "retired",
}
OFFICER_STATUS_LABEL = {"on_duty": "在岗", "off_post": "离岗", "left": "离职", "retired": "退休"}
CERT_STATUS = {s.value: s.value for s in CertificateStatus} | {
    "有效": "valid",
    "暂扣": "suspended",
    "注销": "revoked",
}
CERT_STATUS_LABEL = {"valid": "有效", "suspended": "暂扣", "revoked": "注销"}
DOMAINS = {d.value: d.value for d in Domain} | {lbl: d.value for d, lbl in DOMAIN_LABELS.items()}
PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")

ENTERPRISE_LABELS = {
    "credit_code": "统一社会信用代码",
    "name": "企业名称",
    "address": "地址",
    "district_code": "所在区县",
    "industry_code": "行业代码",
    "high_risk": "高危行业领域",
    "high_risk_override_reason": "高危认定调整理由",
    "standardization_grade": "安全生产标准化等级",
    "grade_valid_from": "定级有效期起",
    "grade_valid_to": "定级有效期止",
    "risk_level": "风险等级",
    "credit_level": "信用等级",
    "supervising_level": "监管层级",
    "main_person": "主要负责人",
    "main_person_phone": "主要负责人电话",
    "contact_name": "安全联系人",
    "contact_phone": "联系电话",
    "status": "经营状态",
    "registered_on": "成立日期",
    "enterprise_type": "企业类型",
    "legal_representative": "法定代表人",
    "registered_capital": "注册资本",
    "business_scope": "经营范围",
    "registration_authority": "登记机关",
    "former_identifiers": "原注册号/组织机构代码",
}
# Fields a mapped source may fill that are not registry fields themselves: resolved by the
# importer (the industry's GB/T 4754 name → its code).
MAPPED_ONLY_LABELS = {"industry_name": "所属行业"}
OFFICER_LABELS = {
    "name": "姓名",
    "department_code": "部门编码",
    "status": "状态",
    "phone": "电话",
    "post_domains": "岗位执法领域",
    "certificate_number": "执法证号",
    "issuer": "发证机关",
    "valid_from": "有效期起",
    "valid_to": "有效期止",
    "scopes": "执法领域",
    "certificate_status": "证件状态",
}


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def parse_date(v: Any) -> dt.date | None:
    """None for blank; ValueError for a malformed date. Accepts ISO, 2025/6/18, 2025年6月18日."""
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    s = _text(v)
    if not s:
        return None
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", s)
    if not m:
        raise ValueError(s)
    return dt.date(int(m[1]), int(m[2]), int(m[3]))


class _Cleaner:
    def __init__(self, raw: Mapping[str, Any], labels: Mapping[str, str]):
        self.raw, self.labels = raw, labels
        self.errors: list[FieldError] = []
        self.out: dict[str, Any] = {}

    def fail(self, field: str, code: str, message: str) -> None:
        self.errors.append(FieldError(field, code, f"{self.labels.get(field, field)}：{message}"))

    def text(self, field: str, *, required: bool, max_len: int) -> str:
        s = _text(self.raw.get(field))
        if required and not s:
            self.fail(field, "required", "必填。")
        elif len(s) > max_len:
            self.fail(field, "too_long", f"不能超过{max_len}个字符。")
        self.out[field] = s
        return s

    def choice(
        self, field: str, table: Mapping[str, Any], *, default: Any = None, allowed_text: str = ""
    ) -> Any:
        s = _text(self.raw.get(field))
        if not s:
            self.out[field] = default
            if default is None and field not in ("standardization_grade",):
                self.fail(field, "required", "必填。")
            return default
        key = s if s in table else s.lower()
        if key not in table:
            self.fail(field, "invalid_choice", f"“{s}”不是允许的取值（{allowed_text}）。")
            return None
        self.out[field] = table[key]
        return table[key]

    def date(self, field: str, *, required: bool) -> dt.date | None:
        try:
            d = parse_date(self.raw.get(field))
        except ValueError:
            self.fail(field, "invalid_date", "日期格式应为 YYYY-MM-DD（如 2025-06-18）。")
            d = None
        else:
            if required and d is None:
                self.fail(field, "required", "必填。")
        self.out[field] = d
        return d

    def phone(self, field: str) -> None:
        s = self.text(field, required=False, max_len=20)
        if s and not PHONE.fullmatch(s):
            self.fail(field, "invalid_phone", "电话号码格式不正确。")


def clean_enterprise(
    raw: Mapping[str, Any], *, district_codes: set[str], industries: Mapping[str, tuple[str, bool]]
) -> tuple[dict[str, Any], list[FieldError]]:
    """`industries` maps a GB/T 4754 code to (domain, high_risk) as the registry derives it."""
    c = _Cleaner(raw, ENTERPRISE_LABELS)
    code = _text(raw.get("credit_code"))
    if not code:
        c.fail("credit_code", "required", "必填。")
    else:
        check = check_credit_code(code)
        if not check.valid:
            c.errors.append(FieldError("credit_code", f"credit_code_{check.rule}", check.message))
        c.out["credit_code"] = check.code
    c.text("name", required=True, max_len=200)
    c.text("address", required=True, max_len=300)
    district = c.text("district_code", required=True, max_len=6)
    if district and district not in district_codes:
        c.fail("district_code", "unknown_district", f"“{district}”不是本市的区县行政区划代码。")
    industry = c.text("industry_code", required=True, max_len=5)
    derived: bool | None = None
    if industry:
        if industry not in industries or not industry[:1].isdigit():
            c.fail(
                "industry_code",
                "unknown_industry",
                f"“{industry}”不是 GB/T 4754-2017 的大类、中类或小类代码。",
            )
        else:
            derived = industries[industry][1]
    hr_raw = _text(raw.get("high_risk"))
    reason = c.text("high_risk_override_reason", required=False, max_len=300)
    if hr_raw == "":
        high_risk = derived
    elif hr_raw.lower() in BOOL:
        high_risk = BOOL[hr_raw.lower()]
    else:
        c.fail("high_risk", "invalid_bool", f"“{hr_raw}”应为“是”或“否”。")
        high_risk = derived
    if derived is not None and high_risk is not None and high_risk != derived and not reason:
        c.fail(
            "high_risk_override_reason",
            "override_needs_reason",
            "与行业分类推定的高危认定不一致，必须填写调整理由。",
        )
    if derived is not None and high_risk == derived:
        c.out["high_risk_override_reason"] = ""
    c.out["high_risk"] = high_risk
    c.choice("standardization_grade", GRADES, allowed_text="一级、二级、三级、未定级")
    c.out.setdefault("standardization_grade", None)
    start, end = (
        c.date("grade_valid_from", required=False),
        c.date("grade_valid_to", required=False),
    )
    if start and end and end < start:
        c.fail("grade_valid_to", "date_order", "有效期止不能早于有效期起。")
    grade_failed = any(e.field == "standardization_grade" for e in c.errors)
    if c.out.get("standardization_grade") is None and (start or end) and not grade_failed:
        c.fail("grade_valid_from", "grade_missing", "未定级企业不应填写定级有效期。")
    c.choice("risk_level", RISK, default="general", allowed_text="重大、较大、一般、低")
    c.choice("credit_level", CREDIT, default="B", allowed_text="A、B、C、D")
    c.choice("supervising_level", LEVELS, allowed_text="市级、区（县）级")
    c.text("main_person", required=False, max_len=50)
    c.phone("main_person_phone")
    c.text("contact_name", required=False, max_len=50)
    c.phone("contact_phone")
    c.choice("status", STATUS, default="active", allowed_text="在营、停产停业、注销")
    c.date("registered_on", required=False)
    c.text("enterprise_type", required=False, max_len=100)
    c.text("legal_representative", required=False, max_len=100)
    c.text("registered_capital", required=False, max_len=100)
    c.text("business_scope", required=False, max_len=5000)
    c.text("registration_authority", required=False, max_len=100)
    former_identifiers(c, "former_identifiers")
    return c.out, c.errors


def split_identifiers(v: Any) -> list[str]:
    if isinstance(v, list | tuple):
        return [_text(i) for i in v if _text(i)]
    return [p.strip() for p in re.split(r"[、,，;；/|\n]+", _text(v)) if p.strip()]


def former_identifiers(c: _Cleaner, field: str) -> list[str]:
    """Former identifiers as typed or exported (several joined by 、): each a 15-digit
    工商注册号 or a 9-character organisation code (8+1, with or without its hyphen), kept
    in canonical form; anything else is refused with the value it was."""
    out: list[str] = []
    for item in split_identifiers(c.raw.get(field)):
        found = legacy_identifier(item)
        if found is None:
            c.fail(
                field,
                "not_former_identifier",
                f"“{item}”不是15位工商注册号或9位组织机构代码。",
            )
        elif found[1] not in out:
            out.append(found[1])
    if len(out) > 10:
        c.fail(field, "too_many", "原注册号/组织机构代码最多10个。")
    c.out[field] = out
    return out


def describe_identifier(code: str) -> str:
    """“…”（15位工商注册号（2015年以前））: the identifier named as what it is."""
    found = legacy_identifier(code)
    kind = LEGACY_NAMES.get(found[0], "") if found else ""
    shown = f"{code[:8]}-{code[8:]}" if found and found[0] == "organisation_code" else code
    return f"“{shown}”（{kind}）" if kind else f"“{code}”"


def _domain_list(c: _Cleaner, field: str, *, required: bool) -> list[str]:
    raw = c.raw.get(field)
    items = raw if isinstance(raw, list | tuple) else re.split(r"[、,，;；\s]+", _text(raw))
    items = [_text(i) for i in items if _text(i)]
    if required and not items:
        c.fail(field, "required", "必填。")
    bad = [i for i in items if i not in DOMAINS and i.lower() not in DOMAINS]
    if bad:
        c.fail(
            field,
            "invalid_choice",
            f"“{'、'.join(bad)}”不是执法领域（{'、'.join(DOMAIN_LABELS.values())}）。",
        )
    codes = sorted({DOMAINS.get(i, DOMAINS.get(i.lower(), "")) for i in items} - {""})
    c.out[field] = codes
    return codes


def clean_officer(
    raw: Mapping[str, Any], *, department_codes: set[str]
) -> tuple[dict[str, Any], list[FieldError]]:
    """An officer with one certificate, as a registry import row or an API body holds it."""
    c = _Cleaner(raw, OFFICER_LABELS)
    c.text("name", required=True, max_len=50)
    dept = c.text("department_code", required=True, max_len=20)
    if dept and dept not in department_codes:
        c.fail("department_code", "unknown_department", f"“{dept}”不是已登记的部门编码。")
    c.choice("status", OFFICER_STATUS, default="on_duty", allowed_text="在岗、离岗、离职、退休")
    c.phone("phone")
    _domain_list(c, "post_domains", required=False)
    number = c.text("certificate_number", required=False, max_len=30)
    if number:
        c.text("issuer", required=True, max_len=100)
        start = c.date("valid_from", required=True)
        end = c.date("valid_to", required=True)
        if start and end and end < start:
            c.fail("valid_to", "date_order", "有效期止不能早于有效期起。")
        _domain_list(c, "scopes", required=True)
        c.choice(
            "certificate_status", CERT_STATUS, default="valid", allowed_text="有效、暂扣、注销"
        )
    return c.out, c.errors
