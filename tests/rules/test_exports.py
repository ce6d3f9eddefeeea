"""Rows of the exchange files (R6.5, R8.2), decided without the database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fairinspect.exchange.fields import credit_china_fields
from fairinspect.rules.exports import (
    PartyKind,
    PenaltyFacts,
    check_row,
    credit_china_row,
    publication_end,
    wan_yuan,
)

D = dt.date(2025, 6, 13)


def facts(**kw) -> PenaltyFacts:
    base = dict(
        decision_number="乌应急罚〔2025〕7号",
        party=PartyKind.UNIT,
        party_name="乌鲁木齐示例化工有限公司",
        credit_code="91650100MA7XXXXX0X",
        violation="未如实记录安全生产教育和培训情况",
        facts="2025年6月2日检查发现未如实记录培训情况。",
        basis="《安全生产法》第九十七条第四项",
        penalty_types=("罚款",),
        content="罚款（罚款25000元）",
        fine_yuan=Decimal("25000"),
        decided_on=D,
        serious_dishonesty=False,
        authority="乌鲁木齐市应急管理局",
        authority_code="11650100MB0000000X",
    )
    base.update(kw)
    return PenaltyFacts(**base)


def test_r8_2_a_units_row_carries_its_code_and_the_fine_in_wan_yuan():
    row = credit_china_row(facts(), today=D)
    assert row["cf_xdr_lb"] == "法人及非法人组织"
    assert row["cf_xdr_shxym"] == "91650100MA7XXXXX0X"
    assert row["cf_nr_fk"] == "2.500000"
    assert row["cf_jdrq"] == "2025-06-13" and row["cf_gsjzq"] == "2026-06-13"
    assert check_row(row, credit_china_fields(), line=1) == []


def test_r8_2_a_persons_row_has_no_companys_code_and_no_identity_number():
    row = credit_china_row(
        facts(party=PartyKind.PERSON, party_name="张**", credit_code="91650100MA7XXXXX0X"),
        today=D,
    )
    assert row["cf_xdr_lb"] == "自然人"
    assert row["cf_xdr_shxym"] == "" and row["cf_xdr_zjhm"] == ""
    assert row["cf_xdr_mc"] == "张**"
    assert "不予公示" in row["bz"]
    assert check_row(row, credit_china_fields(), line=1) == []


def test_r8_2_an_entry_leaves_the_file_after_its_publication_end():
    assert credit_china_row(facts(), today=dt.date(2026, 6, 13)) is not None
    assert credit_china_row(facts(), today=dt.date(2026, 6, 14)) is None
    serious = facts(serious_dishonesty=True)
    assert credit_china_row(serious, today=dt.date(2027, 1, 1))["cf_gsjzq"] == "2028-06-13"


def test_r8_2_the_publication_end_of_a_29_february_decision():
    assert publication_end(dt.date(2024, 2, 29), serious=False) == dt.date(2025, 2, 28)


@pytest.mark.parametrize(
    ("amount", "text"), [(Decimal("25000"), "2.500000"), (Decimal("1.5"), "0.000150"), (None, "")]
)
def test_r8_2_yuan_become_wan_yuan_with_six_decimals(amount, text):
    assert wan_yuan(amount) == text


def test_r8_2_the_row_check_names_missing_unknown_and_empty_required_fields():
    row = credit_china_row(facts(), today=D)
    row.pop("bz")
    row["extra"] = "x"
    row["cf_wsh"] = ""
    codes = {(e.field, e.code) for e in check_row(row, credit_china_fields(), line=3)}
    assert codes == {("bz", "missing_field"), ("extra", "unknown_field"), ("cf_wsh", "required")}
    unit_without_code = {**credit_china_row(facts(), today=D), "cf_xdr_shxym": ""}
    assert [e.field for e in check_row(unit_without_code, credit_china_fields(), line=1)] == [
        "cf_xdr_shxym"
    ]


def test_r6_5_docs_exports_md_lists_every_field_of_both_files():
    from pathlib import Path

    from fairinspect.exchange.fields import national_fields

    doc = (Path(__file__).resolve().parents[2] / "docs" / "exports.md").read_text(encoding="utf-8")
    codes = [f.code for f in credit_china_fields()]
    codes += [f.code for n in ("inspections", "cases") for f in national_fields(n)]
    assert [c for c in codes if f"| `{c}` |" not in doc] == []


def test_r8_2_a_units_row_names_its_legal_representative_and_a_persons_row_none():
    unit = credit_china_row(facts(legal_representative="周立新"), today=D)
    assert unit["cf_frdb"] == "周立新" and unit["cf_fr_zjhm"] == ""
    person = credit_china_row(
        facts(party=PartyKind.PERSON, party_name="张**", legal_representative="周立新"), today=D
    )
    assert person["cf_frdb"] == "" and person["cf_xdr_shxym"] == ""


def test_r8_2_the_penalty_category_is_a_kind_of_the_law_article_9():
    from fairinspect.rules.exports import CATEGORIES, penalty_categories

    assert penalty_categories(("罚款", "责令停产停业整顿")) == ("罚款", "责令停产停业")
    assert penalty_categories(("吊销资质证书", "按日连续处罚")) == ("吊销许可证件", "罚款")
    assert penalty_categories(("暂停或者吊销与安全生产有关的资格",)) == ("其他",)
    row = credit_china_row(facts(penalty_types=("罚款", "责令停产停业整顿")), today=D)
    assert all(c in CATEGORIES for c in row["cf_cflb"].split(";"))


def test_r8_2_identity_and_mobile_numbers_and_full_names_never_reach_the_published_text():
    from fairinspect.rules.exports import redact_personal

    text = "张建国（身份证号650102198001011234，电话13912345678）未履行职责。"
    out = redact_personal(text, names=("张建国",), masked="张**")
    assert out == "张**（身份证号650102************，电话139****5678）未履行职责。"
    row = credit_china_row(facts(facts=text), today=D)
    assert "650102198001011234" not in row["cf_sy"] and "13912345678" not in row["cf_sy"]
    # A unified social credit code (letters inside) is not taken for an identity number.
    assert redact_personal("91650100MA7XXXXX0X") == "91650100MA7XXXXX0X"


def test_r6_5_every_national_field_names_its_data_element_class():
    from fairinspect.exchange.fields import national_fields

    for name in ("inspections", "cases"):
        for f in national_fields(name):
            assert f.element.startswith("DB4403/T 164.1 "), f.code
    cases = {f.code: f.element for f in national_fields("cases")}
    assert "cf_wsh" in cases["decision_number"] and "cf_jdrq" in cases["decided_on"]
