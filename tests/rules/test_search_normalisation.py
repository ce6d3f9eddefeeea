"""The one normalisation of search keys and queries, and codes as people paste them (issue 15)."""

import sys
import unicodedata

import pytest

from fairinspect.rules.credit_code import (
    check_credit_code,
    looks_like_credit_code,
    organisation_check,
    registration_number_valid,
)
from fairinspect.rules.search import (
    CLOSE,
    DASHES,
    DOTS,
    OPEN,
    bigrams,
    key_grams,
    normalise_text,
    parse_query,
    search_key,
)

CODE = "9144030071526726XG"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ＮＥＣ（中国）有限公司", "NEC(中国)有限公司"),  # full-width letters and brackets
        ("nec(中国)有限公司", "NEC（中国）有限公司"),  # case and half-width brackets
        ("乌鲁木齐１２３号", "乌鲁木齐123号"),  # full-width digits
        ("新疆(控股)集团", "新疆（控股）集团"),
        ("新疆【控股】集团", "新疆〔控股〕集团"),  # every bracket kind
        ("阿不都·热合曼商行", "阿不都•热合曼商行"),  # the middle-dot family
        ("阿不都.热合曼商行", "阿不都・热合曼商行"),  # a full stop typed for the dot
        ("阿不都·热合曼商行", "阿不都‧热合曼商行"),
        ("天山区 示例 商贸", "天山区示例商贸"),  # spaces
        ("天山区　示例商贸", "天山区示例商贸"),  # the ideographic space
        ("天山区示例商贸", "天山区\u200b示例\u200d商贸\ufeff"),  # invisible characters
        ("天山区示例商贸", "天山区\u00ad示例商贸"),  # a soft hyphen
    ],
)
def test_r3_1_a_name_typed_any_way_normalises_to_the_stored_form(typed, stored):
    assert normalise_text(typed) == normalise_text(stored)


def _one_character_at_a_time(ch: str) -> str:
    """The normalisation's per-character rule as the module text states it (the oracle
    of its one-table implementation)."""
    if ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc", "Zs", "Zl", "Zp"):
        return ""
    if ch in OPEN:
        return "("
    if ch in CLOSE:
        return ")"
    if ch in DOTS:
        return ""
    return "-" if ch in DASHES else ch


def test_r3_1_every_character_normalises_as_the_per_character_rule_says():
    for cp in range(sys.maxunicode + 1):
        if 0xD800 <= cp <= 0xDFFF:  # surrogates are no characters of a str read from a file
            continue
        ch = chr(cp)
        text = f"a{ch}b"
        folded = unicodedata.normalize("NFKC", text)
        expected = "".join(_one_character_at_a_time(c) for c in folded).casefold()
        if "." not in expected:  # the full stop's rule: the tests below
            assert normalise_text(text) == expected, hex(cp)


def test_r3_1_the_key_grams_are_the_distinct_bigrams_of_each_part():
    key = search_key(name="乌鲁木齐澄源化工有限公司", credit_code=CODE, address="天山区北京路1号")
    expected = list(dict.fromkeys(g for part in key.split("\n") for g in bigrams(part)))
    assert key_grams(key).split(" ") == expected
    assert bigrams("abab") == ("ab", "ba")


def test_r3_1_a_decimal_point_between_digits_stays_a_point():
    assert normalise_text("1.5万吨") == "1.5万吨"


def test_r3_1_an_eighteen_character_chinese_name_is_a_name_not_a_code():
    name = "中国工商银行股份有限公司乌鲁木齐分行"[:18]
    assert len(name) == 18 and name.isalnum()  # what the old search took for a code
    assert not looks_like_credit_code(name)
    q = parse_query(name)
    assert q.credit_code == "" and q.text == name


@pytest.mark.parametrize(
    "typed",
    [
        CODE,
        CODE.lower(),
        "9144 0300 7152 6726 XG",
        "914403-007152-6726XG",
        "９１４４０３００７１５２６７２６ＸＧ",
    ],
)
def test_r3_1_a_code_typed_with_spaces_hyphens_or_full_width_is_taken_as_the_code(typed):
    assert looks_like_credit_code(typed)
    assert parse_query(typed).credit_code == CODE


def test_r3_1_the_key_holds_name_former_names_code_address_and_pinyin_initials():
    key = search_key(
        name="乌鲁木齐石油化工有限公司",
        former_names=["乌市石化厂"],
        credit_code=CODE,
        address="米东区化工街1号",
    )
    for part in (
        "乌鲁木齐石油化工有限公司",
        "乌市石化厂",
        CODE.lower(),
        "米东区化工街1号",
        "wlmqsyhg",
    ):
        assert normalise_text(part) in key


def test_r3_1_bigrams_are_the_distinct_two_character_pieces():
    assert bigrams("天山天山") == ("天山", "山天")
    assert bigrams("天") == ()


@pytest.mark.parametrize(
    ("pasted", "notes"),
    [
        ("9144030071526726xg", {"已将小写字母转为大写"}),
        (" 9144 0300 7152 6726XG ", {"已去除空格"}),
        ("914403-0071526726XG", {"已去除连字符"}),
        ("９１４４０３００７１５２６７２６ＸＧ", {"已将全角字符转为半角"}),
        ("9144030071526726XG\u200b", {"已去除不可见字符"}),
    ],
)
def test_r3_1_a_pasted_code_is_normalised_with_a_note_not_refused(pasted, notes):
    check = check_credit_code(pasted)
    assert check.valid and check.code == CODE
    assert notes <= set(check.notes)


def test_r3_1_a_clean_code_has_no_note():
    assert check_credit_code(CODE).notes == ()


def _registration_number(first14: str) -> str:
    for d in "0123456789":
        if registration_number_valid(first14 + d):
            return first14 + d
    raise AssertionError


def test_r3_1_an_old_fifteen_digit_registration_number_is_named_as_such():
    number = _registration_number("65010200001234")
    check = check_credit_code(number)
    assert not check.valid and check.rule == "registration_number"
    assert check.kind == "registration_number"
    assert "15位工商注册号" in check.message and "校验位不正确" not in check.message
    wrong = number[:14] + str((int(number[14]) + 1) % 10)
    assert "校验位不正确" in check_credit_code(wrong).message


def test_r3_1_an_organisation_code_is_named_as_such():
    body = "71526726"
    code = f"{body}-{organisation_check(body)}"
    assert code == "71526726-X"  # the organisation code inside the real credit code above
    check = check_credit_code(code)
    assert check.rule == "organisation_code" and "组织机构代码" in check.message
    assert "校验位不正确" not in check.message
