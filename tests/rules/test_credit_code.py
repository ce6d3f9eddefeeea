import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairinspect.rules.credit_code import ALPHABET, check_credit_code, make_credit_code

# Published codes of well-known companies (from their business licences).
REAL_CODES = [
    "914403001922038216",
    "9144030071526726XG",
    "91110108551385082Q",
    "91330100799655058B",
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_r3_1_real_credit_codes_are_valid(code):
    assert check_credit_code(code).valid


@pytest.mark.parametrize("code", REAL_CODES)
def test_r3_1_changing_any_one_character_of_a_real_code_is_detected(code):
    for pos in range(18):
        for ch in ALPHABET:
            if ch == code[pos]:
                continue
            changed = code[:pos] + ch + code[pos + 1 :]
            if pos in range(2, 8) and not ch.isdigit():
                continue  # refused by the division rule instead, tested below
            result = check_credit_code(changed)
            assert not result.valid, changed
            assert result.rule == "check_character"


def test_r3_1_lower_case_and_spaces_are_normalised():
    assert check_credit_code(" 9144030071526726xg ").code == "9144030071526726XG"
    assert check_credit_code("9144030071526726xg").valid


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("", "length"),
        ("91440300", "length"),
        ("9144030071526726XGX", "length"),
        ("9144030071526726IG", "charset"),
        ("9144030O71526726XG", "charset"),
        ("91A40300715267260G", "division"),
    ],
)
def test_r3_1_malformed_codes_name_the_rule_in_chinese(raw, rule):
    result = check_credit_code(raw)
    assert not result.valid and result.rule == rule
    assert "统一社会信用代码" in result.message


@given(
    st.text(alphabet=ALPHABET, min_size=2, max_size=2),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=ALPHABET, min_size=9, max_size=9),
)
def test_r3_1_every_completed_code_validates_and_any_other_check_character_does_not(a, b, c):
    code = make_credit_code(a + b + c)
    assert check_credit_code(code).valid
    for ch in ALPHABET:
        if ch != code[17]:
            assert not check_credit_code(code[:17] + ch).valid
