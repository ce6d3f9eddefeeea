"""The unified social credit code (统一社会信用代码), GB 32100-2015.

Eighteen characters from a 31-character alphabet (digits and capitals without I, O, S, V,
Z): registration authority (1), organisation kind (1), the registering authority's
division code (6 digits), the subject identifier (9, an organisation code under GB 11714),
and a check character computed over the first seventeen with the weights 3^i mod 31.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, ...


@dataclass(frozen=True)
class CodeCheck:
    valid: bool
    code: str  # the normalised code (upper case, spaces removed)
    rule: str = ""  # a stable English code of the broken rule, "" when valid
    message: str = ""  # a Chinese sentence naming the rule
    # What normalisation changed, in Chinese ("已将全角字符转为半角" …): shown, never refused.
    notes: tuple[str, ...] = field(default=())
    # What the value looks like: "credit_code", or a legacy identifier that is not one:
    # "registration_number" (15-digit 工商注册号), "organisation_code" (GB 11714, 8+1).
    kind: str = "credit_code"


def check_character(first17: str) -> str:
    """The 18th character for the first seventeen (which must be in the alphabet)."""
    total = sum(VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


HYPHENS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")


def _invisible(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cf", "Cc") and not ch.isspace()


def normalise_with_notes(raw: str) -> tuple[str, tuple[str, ...]]:
    """A code as people paste it (full-width digits, lower case, spaces, hyphens, zero-width
    characters) in its canonical form, with a Chinese note for each kind of change."""
    raw = raw or ""
    if raw.isascii() and raw.isalnum():  # nothing to remove or fold but the case
        upper = raw.upper()
        return upper, ("已将小写字母转为大写",) if upper != raw else ()
    notes: list[str] = []
    if any(_invisible(c) for c in raw):
        notes.append("已去除不可见字符")
        raw = "".join(c for c in raw if not _invisible(c))
    folded = unicodedata.normalize("NFKC", raw)
    if folded != raw:
        notes.append("已将全角字符转为半角")
    if any(c.isspace() for c in folded):
        notes.append("已去除空格")
        folded = "".join(folded.split())
    if any(c in HYPHENS for c in folded):
        notes.append("已去除连字符")
        folded = "".join(c for c in folded if c not in HYPHENS)
    upper = folded.upper()
    if upper != folded:
        notes.append("已将小写字母转为大写")
    return upper, tuple(notes)


def normalise(raw: str) -> str:
    return normalise_with_notes(raw)[0]


def looks_like_credit_code(raw: str) -> bool:
    """True when a search query is a credit code as typed: 18 characters of the GB 32100
    alphabet once spaces, hyphens and width are normalised (a Chinese name never is)."""
    code = normalise(raw)
    return len(code) == 18 and all(c in VALUE for c in code)


def registration_number_valid(number: str) -> bool:
    """The pre-2015 15-digit 工商注册号 (GS15-2006): its last digit is ISO 7064 MOD 11,10."""
    if len(number) != 15 or not number.isdigit():
        return False
    p = 10
    for d in number[:14]:
        s = (p + int(d)) % 10 or 10
        p = (s * 2) % 11
    return (11 - p) % 10 == int(number[14])


ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def organisation_check(body8: str) -> str:
    """The check character of a GB 11714 organisation code (组织机构代码) body."""
    total = sum(ORG_ALPHABET.index(c) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def organisation_code_valid(code: str) -> bool:
    return (
        len(code) == 9
        and all(c in ORG_ALPHABET for c in code[:8])
        and organisation_check(code[:8]) == code[8]
    )


def _legacy(code: str, notes: tuple[str, ...]) -> CodeCheck | None:
    if len(code) == 15 and code.isdigit():
        valid = "" if registration_number_valid(code) else "（其校验位不正确）"
        return CodeCheck(
            False,
            code,
            "registration_number",
            f"“{code}”是2015年以前的15位工商注册号{valid}，不是统一社会信用代码："
            "请填写营业执照上的18位统一社会信用代码（可在国家企业信用信息公示系统查询）。",
            notes,
            "registration_number",
        )
    if len(code) == 9 and all(c in ORG_ALPHABET for c in code):
        valid = "" if organisation_code_valid(code) else "（其校验位不正确）"
        return CodeCheck(
            False,
            code,
            "organisation_code",
            f"“{code[:8]}-{code[8]}”是组织机构代码（GB 11714，8位本体+1位校验码）{valid}，"
            "不是统一社会信用代码：统一社会信用代码第9至17位即为组织机构代码，请填写完整的18位代码。",
            notes,
            "organisation_code",
        )
    return None


LEGACY_NAMES = {
    "registration_number": "15位工商注册号（2015年以前）",
    "organisation_code": "组织机构代码（GB 11714）",
}


def legacy_identifier(raw: str) -> tuple[str, str] | None:
    """(kind, canonical form) when the value is a pre-credit-code identifier: a 15-digit
    工商注册号 or a 9-character organisation code (8+1, typed with or without its hyphen);
    None otherwise. The canonical form is upper case without spaces or hyphens."""
    code = normalise(raw or "")
    if len(code) == 15 and code.isdigit():
        return "registration_number", code
    if len(code) == 9 and all(c in ORG_ALPHABET for c in code):
        return "organisation_code", code
    return None


def looks_like_legacy_identifier(raw: str) -> str:
    """The kind when a search query is a former identifier as people type it: a 15-digit
    registration number with a valid check digit, or an organisation code whose check
    character is right; "" otherwise (so that an ordinary query stays text)."""
    found = legacy_identifier(raw)
    if found is None:
        return ""
    kind, code = found
    if kind == "registration_number":
        return kind if registration_number_valid(code) else ""
    return kind if organisation_code_valid(code) else ""


def check_credit_code(raw: str) -> CodeCheck:
    code, notes = normalise_with_notes(raw or "")
    legacy = _legacy(code, notes)
    if legacy is not None:
        return legacy
    if len(code) != 18:
        return CodeCheck(
            False, code, "length", f"统一社会信用代码应为18位，当前为{len(code)}位。", notes
        )
    bad = sorted({c for c in code if c not in VALUE})
    if bad:
        return CodeCheck(
            False,
            code,
            "charset",
            f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、S、V、Z）。",
            notes,
        )
    if not code[2:8].isdigit():
        return CodeCheck(
            False,
            code,
            "division",
            "统一社会信用代码第3至8位应为登记管理机关行政区划码（6位数字）。",
            notes,
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return CodeCheck(
            False,
            code,
            "check_character",
            f"统一社会信用代码校验位错误：第18位应为“{expected}”，"
            f"实为“{code[17]}”（GB 32100-2015）。",
            notes,
        )
    return CodeCheck(True, code, notes=notes)


def make_credit_code(first17: str) -> str:
    """Complete seventeen characters with their check character (demo data, tests)."""
    return first17 + check_character(first17)
