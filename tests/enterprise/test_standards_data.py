"""The 重大事故隐患判定标准 checklists (R11.2): each file's item codes are unique, its clause
references follow the document's own numbering (consecutive from （一）/第一项 within each
article, no gaps, no repeats), each code's number is its clause's number, and what is entered
never exceeds the counts the document states (工贸 64 = 管理类3 + 行业类47 + 专项类14; 化工
20). The filing rule then asks for every entered item, so a longer list is a longer form."""

from __future__ import annotations

import json
import re

import pytest

from fairinspect.enterprise.standards import DATA, OTHER, standard_by_code, standards
from fairinspect.rules.selfcheck import ChecklistAnswer, check_answers

FILES = sorted((DATA / "major_hazard_standards").glob("*.json"))
DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def cn(numeral: str) -> int:
    """一..九十九 as written in the standards' clause numbers (十, 十四, 二十, 二十三)."""
    if "十" in numeral:
        tens, _, units = numeral.partition("十")
        return (DIGITS[tens] if tens else 1) * 10 + (DIGITS[units] if units else 0)
    return DIGITS[numeral]


def test_cn_reads_the_numerals_the_clauses_use():
    assert [cn(n) for n in ("一", "九", "十", "十四", "二十", "二十三")] == [1, 9, 10, 14, 20, 23]


# clause pattern → (group key, number); the code pattern gives the same group's number.
HUAGONG = re.compile(r"^第([一二三四五六七八九十]+)项$")
GONGMAO_ARTICLE = re.compile(r"^第([一二三四五六七八九十]+)条第（([一二三四五六七八九十]+)）项$")
GONGMAO_SPECIAL = re.compile(r"^粉尘爆炸专项（([一二三四五六七八九十]+)）$")


def numbering(doc: dict) -> list[tuple[str, int, str]]:
    """(group, number in the clause, code) for each item, failing on a clause the document's
    numbering does not have."""
    out = []
    for it in doc["items"]:
        clause, code = it["clause"], it["code"]
        if doc["code"] == "huagong-2017":
            m = HUAGONG.match(clause)
            assert m, clause
            n = cn(m.group(1))
            assert code == f"HG-{n:02d}", (code, clause)
            out.append(("项", n, code))
        elif doc["code"] == "gongmao-2023":
            if m := GONGMAO_ARTICLE.match(clause):
                art, n = cn(m.group(1)), cn(m.group(2))
                assert code == f"GM-{art}-{n}", (code, clause)
                out.append((f"第{art}条", n, code))
            elif m := GONGMAO_SPECIAL.match(clause):
                n = cn(m.group(1))
                assert code == f"GM-FC-{n}", (code, clause)
                out.append(("粉尘爆炸专项", n, code))
            else:
                raise AssertionError(clause)
        else:
            raise AssertionError(f"{doc['code']}: no numbering rule for its clauses")
    return out


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_r11_2_item_codes_are_unique_and_clauses_follow_the_documents_numbering(path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    codes = [i["code"] for i in doc["items"]]
    assert len(codes) == len(set(codes)) and OTHER not in codes
    assert all(i["text"].strip() and i["text"].endswith("。") for i in doc["items"])
    groups: dict[str, list[int]] = {}
    for group, n, _ in numbering(doc):
        groups.setdefault(group, []).append(n)
    for group, ns in groups.items():
        # entered from the start of each article, in order, without a gap (a part that could
        # not be read is left off at the end, never in the middle)
        assert ns == list(range(1, len(ns) + 1)), (group, ns)


def test_r11_2_entered_items_stay_within_what_each_document_states():
    hg = json.loads((DATA / "major_hazard_standards" / "huagong_2017.json").read_text("utf-8"))
    assert hg["stated_counts"] == {"total": 20}
    assert len(hg["items"]) == 14 <= hg["stated_counts"]["total"]

    gm = json.loads((DATA / "major_hazard_standards" / "gongmao_2023.json").read_text("utf-8"))
    stated = gm["stated_counts"]
    assert stated == {"total": 64, "管理类": 3, "行业类": 47, "专项类": 14}
    assert stated["管理类"] + stated["行业类"] + stated["专项类"] == stated["total"]
    # 第三条 is 管理类; 第四条 to 第十条 the seven industries (行业类); the rest 专项类.
    entered = {"管理类": 0, "行业类": 0, "专项类": 0}
    for group, _, _ in numbering(gm):
        if group == "第3条":
            entered["管理类"] += 1
        elif re.fullmatch(r"第([4-9]|10)条", group):
            entered["行业类"] += 1
        else:
            entered["专项类"] += 1
    assert entered == {"管理类": 3, "行业类": 4, "专项类": 5}
    assert all(entered[k] <= stated[k] for k in entered)
    assert sum(entered.values()) == len(gm["items"]) == 12

    yh = json.loads((DATA / "major_hazard_standards" / "yanhua_2017.json").read_text("utf-8"))
    assert yh["items"] == [] and yh["stated_counts"] is None


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_r11_2_coverage_and_source_note_say_what_is_entered(path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    n = len(doc["items"])
    if n:
        assert doc["coverage"].startswith(f"录入{n}项")
        total = doc["stated_counts"]["total"]
        if n < total:
            assert f"原文共{total}项" in doc["coverage"] and "未录入" in doc["coverage"]
        assert "http" in doc["source_note"]  # the pages checked against are named
    else:
        assert doc["coverage"].startswith("未录入")


def test_r11_2_the_filing_rule_asks_for_every_item_of_the_longer_lists():
    for s in standards():
        ok = [ChecklistAnswer(c, "ok") for c in s.item_codes]
        assert check_answers(s.item_codes, ok) == ()
    gm = standard_by_code("gongmao-2023")
    assert "GM-4-4" in gm.item_codes and len(gm.item_codes) == 13  # 12 items + 其他
    missing = [ChecklistAnswer(c, "ok") for c in gm.item_codes if c != "GM-4-4"]
    reasons = check_answers(gm.item_codes, missing)
    assert [(r.code, r.message) for r in reasons] == [("item_unanswered", "条款GM-4-4未作结论。")]
