"""The unified social credit code (统一社会信用代码), GB 32100-2015.

Eighteen characters from a 31-character alphabet (digits and capitals without I, O, S, V,
Z): registration authority (1), organisation kind (1), the registering authority's
division code (6 digits), the subject identifier (9, an organisation code under GB 11714),
and a check character computed over the first seventeen with the weights 3^i mod 31.
"""

from __future__ import annotations

from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, ...


@dataclass(frozen=True)
class CodeCheck:
    valid: bool
    code: str  # the normalised code (upper case, spaces removed)
    rule: str = ""  # a stable English code of the broken rule, "" when valid
    message: str = ""  # a Chinese sentence naming the rule


def check_character(first17: str) -> str:
    """The 18th character for the first seventeen (which must be in the alphabet)."""
    total = sum(VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(raw: str) -> str:
    return "".join(raw.split()).upper()


def check_credit_code(raw: str) -> CodeCheck:
    code = normalise(raw or "")
    if len(code) != 18:
        return CodeCheck(False, code, "length", f"统一社会信用代码应为18位，当前为{len(code)}位。")
    bad = sorted({c for c in code if c not in VALUE})
    if bad:
        return CodeCheck(
            False,
            code,
            "charset",
            f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、S、V、Z）。",
        )
    if not code[2:8].isdigit():
        return CodeCheck(
            False,
            code,
            "division",
            "统一社会信用代码第3至8位应为登记管理机关行政区划码（6位数字）。",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return CodeCheck(
            False,
            code,
            "check_character",
            f"统一社会信用代码校验位错误：第18位应为“{expected}”，"
            f"实为“{code[17]}”（GB 32100-2015）。",
        )
    return CodeCheck(True, code)


def make_credit_code(first17: str) -> str:
    """Complete seventeen characters with their check character (demo data, tests)."""
    return first17 + check_character(first17)
