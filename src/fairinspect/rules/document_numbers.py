"""文号 of the enforcement documents: one series per bureau, document type and year.

`乌应急罚〔2026〕12号` is the twelfth 行政处罚决定书 the city bureau issued in 2026; its
告知书 count on their own series (`乌应急告〔2026〕…号`), never on the case's number.

The prefix is the bureau's abbreviation, then 应急 and the type's word. The city bureau's
abbreviation 乌 is the one its own documents use (乌应急字〔2025〕6号 in the 2025 检查计划,
/work/shared/seed). The district bureaus' abbreviations below (乌 + the district's first
character) are this system's assumption: their own 文号 rules were not found; a bureau that
uses another prefix changes DISTRICT_ABBREVIATIONS, not the code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentType:
    code: str
    title: str
    word: str  # the type's word in the 文号: 乌应急<word>〔年〕n号


TYPES: dict[str, DocumentType] = {
    t.code: t
    for t in (
        DocumentType("filing", "立案审批表", "立"),
        DocumentType("notice", "行政处罚告知书", "告"),
        DocumentType("hearing", "行政处罚听证告知书", "听告"),
        DocumentType("decision", "行政处罚决定书", "罚"),
        DocumentType("no_penalty", "不予行政处罚决定书", "不罚"),
        DocumentType("reminder", "安全生产提醒告知书", "提醒"),
        DocumentType("listing_notice", "列入安全生产严重失信主体名单告知书", "失信告"),
        # The inspection's own documents (visits).
        DocumentType("plan", "现场检查方案", "检方"),
        DocumentType("record", "现场检查记录", "现记"),
        DocumentType("order", "责令限期整改指令书", "责改"),
        DocumentType("review", "整改复查意见书", "复查"),
        DocumentType("application", "检查申请", "检申"),
    )
}

CITY_DIVISION = "650100"
CITY_ABBREVIATION = "乌"
DISTRICT_ABBREVIATIONS = {
    "650102": "乌天",  # 天山区
    "650103": "乌沙",  # 沙依巴克区
    "650104": "乌新",  # 新市区
    "650105": "乌水",  # 水磨沟区
    "650106": "乌头",  # 头屯河区
    "650107": "乌达",  # 达坂城区
    "650109": "乌米",  # 米东区
    "650121": "乌县",  # 乌鲁木齐县
}


def abbreviation(division_code: str | None) -> str:
    """The bureau's abbreviation from its 行政区划代码; the city's for an unknown one."""
    return DISTRICT_ABBREVIATIONS.get(division_code or "", CITY_ABBREVIATION)


def format_number(abbr: str, type_code: str, year: int, n: int) -> str:
    if n < 1:
        raise ValueError("a 文号 counts from 1")
    return f"{abbr}应急{TYPES[type_code].word}〔{year}〕{n}号"
