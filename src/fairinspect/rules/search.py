"""One normalisation for what people type into the enterprise search and for the stored
search keys (issue 15), so that a query finds a name however either was typed.

- full-width and half-width forms are one (NFKC: `ＮＥＣ` → `nec`, `１２３` → `123`,
  `（控股）` → `(控股)`); letters fold to lower case;
- every bracket (（）【】〔〕[]{}〈〉《》「」) becomes `(` / `)`;
- the middle-dot family (`·` `•` `・` `‧` `∙` `⋅`, and a `.` between two letters, which a
  keyboard offers in its place) is dropped, as is a space typed for it: 阿不都·热合曼,
  阿不都.热合曼 and 阿不都 热合曼 are one name; the dash family becomes `-`;
- spaces of every width and invisible characters (zero-width space/joiners, BOM, soft
  hyphen, direction marks) are removed.

A query is a credit code only when it looks like one (credit_code.looks_like_credit_code):
an 18-character name of Chinese characters is a name.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from operator import add

from .credit_code import looks_like_credit_code, looks_like_legacy_identifier, normalise

OPEN = frozenset("(（【〔［[{｛〈《「『〖〘")
CLOSE = frozenset(")）】〕］]}｝〉》」』〗〙")
DOTS = frozenset("·•・･‧∙⋅‧᛫⸱ꞏ\u0387\u2027\u30fb\uff65")
DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")
# Between two key parts, so that no query (which never holds one) matches across them.
SEPARATOR = "\n"


DROPPED = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp"})  # the categories removed, with spaces


@lru_cache(maxsize=1)
def _table() -> dict[int, str | None]:
    """The per-character part of the normalisation as one `str.translate` table: every
    character of the DROPPED categories and every space removed (before anything else),
    the brackets, the middle dots and the dashes. Built once, in about 0.15 s."""
    category = unicodedata.category
    table: dict[int, str | None] = {ord(ch): "(" for ch in OPEN}
    table |= {ord(ch): ")" for ch in CLOSE}
    table |= {ord(ch): None for ch in DOTS} | {ord(ch): "-" for ch in DASHES}
    table |= {
        cp: None
        for cp in range(sys.maxunicode + 1)
        if category(ch := chr(cp)) in DROPPED or ch.isspace()
    }
    return table


def normalise_text(raw: str) -> str:
    """The canonical form of a name, an address or a query (see the module text)."""
    if not raw:
        return ""
    if raw.isascii() and raw.isalnum():  # a code, a plain word: only the case folds
        return raw.lower()
    text = unicodedata.normalize("NFKC", raw).translate(_table()).casefold()
    if "." not in text:
        return text
    # A full stop between two non-digits stands for a middle dot (阿不都.热合曼); 1.5 stays.
    return "".join(
        ch
        for i, ch in enumerate(text)
        if not (
            ch == "."
            and 0 < i < len(text) - 1
            and not text[i - 1].isdigit()
            and not text[i + 1].isdigit()
        )
    )


def pinyin_initials(name: str) -> str:
    """The first letters of the pinyin of each Chinese character (乌鲁木齐 → wlmq), other
    characters as they are normalised; "" when pypinyin is not installed.

    What `lazy_pinyin(text, style=FIRST_LETTER)` gives, word by word: pypinyin cuts the
    text into words (its phrase dictionary) and converts each word by itself, so the
    conversion of a word (有限公司, 乌鲁木齐 …) is kept and reused — an import of 100,000
    names converts a few thousand distinct words instead of every name."""
    return _initials(normalise_text(name))


def _initials(normalised: str) -> str:
    """pinyin_initials of a name already normalised (the key normalises it once)."""
    try:
        from pypinyin.seg.simpleseg import seg
    except ImportError:  # pragma: no cover - pypinyin is a dependency; the key just lacks it
        return ""
    return "".join(_word_initials(word) for word in seg(normalised))


@lru_cache(maxsize=100_000)
def _word_initials(word: str) -> str:
    from pypinyin import Style, lazy_pinyin

    # A list is taken as already cut into words (a word of Chinese characters is converted
    # as it is, not cut again), as lazy_pinyin converts the words of a whole text.
    return "".join(lazy_pinyin([word], style=Style.FIRST_LETTER, errors=_kept))


def _kept(chars: str) -> str:
    return chars


def search_key(
    *,
    name: str,
    former_names: Iterable[str] = (),
    credit_code: str = "",
    address: str = "",
    former_identifiers: Iterable[str] = (),
) -> str:
    """The stored key of an enterprise: each part normalised, one per line. Former
    identifiers (a 15-digit 工商注册号, an organisation code) come after the code."""
    named = normalise_text(name)
    parts = [named]
    parts += [normalise_text(n) for n in former_names if n]
    parts += [normalise_text(credit_code)]
    parts += [normalise_text(i) for i in former_identifiers if i]
    parts += [normalise_text(address), _initials(named)]
    return SEPARATOR.join(p for p in parts if p)


@dataclass(frozen=True)
class SearchQuery:
    text: str  # normalised, "" for no search
    credit_code: str  # the code when the query is one, else ""
    # "registration_number" or "organisation_code" when the query is a former identifier
    # (searched among the enterprises' former identifiers and codes), else "".
    legacy: str = ""

    @property
    def bigrams(self) -> tuple[str, ...]:
        return bigrams(self.text)


def parse_query(raw: str) -> SearchQuery:
    if looks_like_credit_code(raw or ""):
        code = normalise(raw)
        return SearchQuery(code.casefold(), code)
    legacy = looks_like_legacy_identifier(raw or "")
    if legacy:
        return SearchQuery(normalise(raw).casefold(), "", legacy)
    return SearchQuery(normalise_text(raw or ""), "")


def key_grams(key: str) -> str:
    """The distinct two-character pieces of each part of a stored key, space-separated: the
    column the PostgreSQL GIN index reads (`string_to_array(search_grams, ' ')`), computed
    here once per write instead of by the database for every row it indexes. A query's
    pieces (which never hold the separator) are always among them when the key holds it."""
    seen: dict[str, None] = {}
    for part in key.split(SEPARATOR):
        seen.update(dict.fromkeys(bigrams(part)))
    return " ".join(seen)


def bigrams(text: str) -> tuple[str, ...]:
    """The distinct two-character pieces of a text, in order (the index the search uses)."""
    return tuple(dict.fromkeys(map(add, text, text[1:])))
