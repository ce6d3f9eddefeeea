"""Rows of the files the bureau sends out (R6.5, R8.2), decided without the database.

- The 信用中国 双公示 administrative-penalty row: the standard field set (cf_xdr_mc …
  bz, exchange/data/credit_china_xzcf.json). Persons are published without any company's
  code and without their identity number; their name arrives already masked (张**).
- How long a penalty stays published (公示截止期): one year after the decision, three years
  when the same case put the party on the serious-dishonesty list — the longest periods of
  《失信行为纠正后的信用信息修复管理办法（试行）》 (国家发展改革委, 2023) for general and serious
  dishonest conduct; a row past its end leaves the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from .results import FieldError

ORGANISATION = "法人及非法人组织"
NATURAL_PERSON = "自然人"


class PartyKind(StrEnum):
    UNIT = "unit"
    PERSON = "person"


@dataclass(frozen=True)
class PenaltyFacts:
    decision_number: str
    party: PartyKind
    party_name: str  # as published: a person's name already masked
    credit_code: str  # the unit's code; ignored for a person
    violation: str
    facts: str
    basis: str
    penalty_types: tuple[str, ...]
    content: str
    fine_yuan: Decimal | None
    decided_on: date
    serious_dishonesty: bool
    authority: str
    authority_code: str
    note: str = ""
    legal_representative: str = ""  # the unit's registered 法定代表人; never a person's


# 处罚类别 as the data item takes it: the kinds of 《中华人民共和国行政处罚法》(2021) 第九条
# (警告、通报批评；罚款、没收违法所得、没收非法财物；暂扣许可证件、降低资质等级、吊销许可证件；
# 限制开展生产经营活动、责令停产停业、责令关闭、限制从业；行政拘留；其他). The penalties the
# violation catalogue names map onto them; one the law's list does not name is 其他.
CATEGORIES = (
    "警告",
    "通报批评",
    "罚款",
    "没收违法所得",
    "没收非法财物",
    "暂扣许可证件",
    "降低资质等级",
    "吊销许可证件",
    "限制开展生产经营活动",
    "责令停产停业",
    "责令关闭",
    "限制从业",
    "行政拘留",
    "其他",
)
CATALOGUE_TO_CATEGORY = {
    "按日连续处罚": "罚款",  # 安全生产法第一百一十二条: a fine counted by the day
    "责令停产停业整顿": "责令停产停业",
    "吊销资质证书": "吊销许可证件",
}


def penalty_categories(types: tuple[str, ...]) -> tuple[str, ...]:
    out = []
    for t in types:
        c = CATALOGUE_TO_CATEGORY.get(t, t)
        out.append(c if c in CATEGORIES else "其他")
    return tuple(dict.fromkeys(out))


# Personal data that must not leave in a published text: 18-digit resident identity numbers
# (GB 11643) and mainland mobile numbers.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def redact_personal(text: str, names: tuple[str, ...] = (), masked: str = "") -> str:
    """The text with identity and mobile numbers masked and each of `names` (a person's
    full name) replaced by `masked` (张**)."""
    for name in names:
        if name:
            text = text.replace(name, masked or name[:1] + "*" * max(1, len(name) - 1))
    text = _ID_NUMBER.sub(lambda m: m.group(0)[:6] + "*" * 12, text)
    return _MOBILE.sub(lambda m: m.group(0)[:3] + "****" + m.group(0)[-4:], text)


def publication_end(decided_on: date, *, serious: bool) -> date:
    years = 3 if serious else 1
    try:
        return decided_on.replace(year=decided_on.year + years)
    except ValueError:  # 29 February
        return decided_on.replace(year=decided_on.year + years, day=28)


def wan_yuan(amount: Decimal | None) -> str:
    """Yuan as 万元 with six decimals, as the standard's decimal(18,6) column takes it."""
    if amount is None:
        return ""
    return str((amount / Decimal(10000)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP))


def credit_china_row(f: PenaltyFacts, *, today: date) -> dict[str, str] | None:
    """The row for this decision, or None once its publication period has ended."""
    end = publication_end(f.decided_on, serious=f.serious_dishonesty)
    if end < today:
        return None
    unit = f.party is PartyKind.UNIT
    return {
        "cf_xdr_mc": f.party_name,
        "cf_xdr_lb": ORGANISATION if unit else NATURAL_PERSON,
        "cf_xdr_shxym": f.credit_code if unit else "",
        "cf_xdr_gszc": "",
        "cf_xdr_zzjg": "",
        "cf_xdr_swdj": "",
        "cf_xdr_sydw": "",
        "cf_xdr_shzz": "",
        "cf_frdb": f.legal_representative if unit else "",
        "cf_fr_zjlx": "",
        "cf_fr_zjhm": "",
        "cf_xdr_zjlx": "",
        "cf_xdr_zjhm": "",
        "cf_wsh": f.decision_number,
        "cf_wfxw": f.violation,
        "cf_sy": redact_personal(f.facts),
        "cf_yj": f.basis,
        "cf_cflb": ";".join(penalty_categories(f.penalty_types)),
        "cf_nr": redact_personal(f.content),
        "cf_nr_fk": wan_yuan(f.fine_yuan),
        "cf_nr_wfff": "",
        "cf_nr_zkdx": "",
        "cf_jdrq": f.decided_on.isoformat(),
        "cf_yxq": end.isoformat(),
        "cf_gsjzq": end.isoformat(),
        "cf_cfjg": f.authority,
        "cf_cfjgdm": f.authority_code,
        "cf_sjly": f.authority,
        "cf_sjlydm": f.authority_code,
        "bz": f.note if unit else ("自然人身份证件号码依法不予公示。" + f.note),
    }


@dataclass(frozen=True)
class FieldSpec:
    code: str
    name: str
    # "always"; "organisation" (rows of 法人及非法人组织 only); "fine" (when 罚款 is a
    # penalty of the row); "" (optional)
    required: str = ""
    max_length: int | None = None
    element: str = ""  # the published data element it maps to, where known

    def required_in(self, row: dict[str, str]) -> bool:
        if self.required == "organisation":
            return row.get("cf_xdr_lb") == ORGANISATION
        if self.required == "fine":
            return "罚款" in row.get("cf_cflb", "")
        return self.required == "always"


def check_row(row: dict[str, str], fields: tuple[FieldSpec, ...], *, line: int) -> list[FieldError]:
    """What a row lacks against the field list: unknown or missing columns, empty required
    values, values too long. `line` names the row in the messages."""
    errors = []
    known = {f.code for f in fields}
    for extra in sorted(set(row) - known):
        errors.append(
            FieldError(extra, "unknown_field", f"第{line}行：字段{extra}不在字段清单中。")
        )
    for f in fields:
        value = row.get(f.code)
        if value is None:
            errors.append(
                FieldError(f.code, "missing_field", f"第{line}行：缺少字段{f.code}（{f.name}）。")
            )
        elif f.required_in(row) and not value.strip():
            errors.append(
                FieldError(f.code, "required", f"第{line}行：{f.code}（{f.name}）为必填。")
            )
        elif f.max_length is not None and len(value) > f.max_length:
            errors.append(
                FieldError(
                    f.code, "too_long", f"第{line}行：{f.code}（{f.name}）超过{f.max_length}字。"
                )
            )
    return errors
