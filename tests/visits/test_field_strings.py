"""The field scripts' words (outbox.js, checkin.js) come from the page, translated (issue 12).

Every key a script reads is in the page's JSON, and the English page gives English words."""

import json
import re
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation

STATIC = Path(__file__).resolve().parents[2] / "src/fairinspect/visits/static/visits"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _strings(lang: str) -> dict[str, str]:
    with translation.override(lang):
        html = render_to_string("visits/_pwa_head.html")
    body = re.search(r'id="fi-field-strings">(.*?)</script>', html, re.S)
    assert body, "the page carries the scripts' words"
    return json.loads(body.group(1))


def _keys_read_by_scripts() -> set[str]:
    keys: set[str] = set()
    for name in ("outbox.js", "checkin.js"):
        js = (STATIC / name).read_text()
        keys |= set(re.findall(r"\bT\.(\w+)", js))
        keys |= set(re.findall(r'fill\("(\w+)"', js))
    return keys


def test_r13_every_word_a_field_script_reads_is_on_the_page():
    zh = _strings("zh-hans")
    missing = _keys_read_by_scripts() - set(zh)
    assert not missing, missing
    for kind in ("check_in", "finding", "hazard", "photo", "recording"):
        assert kind in zh  # the outbox's labels of the action kinds
    assert zh["n_waiting"] == "{n} 项待同步"


def test_r13_the_english_page_gives_the_scripts_english_words():
    en = _strings("en")
    chinese = {k: v for k, v in en.items() if CJK.search(v)}
    assert not chinese, chinese
    # Placeholders survive translation, or the script would print "{n}" literally.
    zh = _strings("zh-hans")
    for k, v in zh.items():
        assert set(re.findall(r"\{\w+\}", v)) == set(re.findall(r"\{\w+\}", en[k])), k
