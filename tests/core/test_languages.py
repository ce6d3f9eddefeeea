"""The UI is Chinese by default and really available in English (design.md: UI text).

The English catalogue is checked without polib: a tiny .po parser counts the msgids and their
msgstrs, and the compiled .mo (committed, CI has no gettext) is read with the gettext module.
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


def _po_entries(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, msgid_plural, msgstr or msgstr[n], flags; no header."""
    entries, entry, key = [], None, None

    def finish():
        if entry is not None and "msgid" in entry and not entry.get("obsolete"):
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#~"):
            if entry is not None:
                entry["obsolete"] = True
            continue
        if line.startswith("#,"):
            if entry is not None and "msgid" in entry:
                finish()
                entry = None
            entry = entry or {"flags": set()}
            entry["flags"].update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#"):
            if entry is not None and "msgid" in entry and key != "comment":
                finish()
                entry = None
            continue
        m = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$", line)
        if m:
            key = m.group(1)
            if key in ("msgid", "msgctxt") and entry is not None and "msgid" in entry:
                finish()
                entry = None
            entry = entry or {"flags": set()}
            entry[key] = ast.literal_eval(m.group(2))
        elif line.startswith('"') and entry is not None and key:
            entry[key] += ast.literal_eval(line)
    finish()
    return [e for e in entries if e["msgid"] != ""]


def _msgstrs(entry: dict) -> list[str]:
    return [v for k, v in entry.items() if k.startswith("msgstr")]


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
def test_the_home_page_is_chinese_by_default(client):
    html = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "检查事项清单" in html
    assert "登录" in html
    assert "Inspection items" not in html


@pytest.mark.django_db
def test_with_the_language_cookie_set_to_en_the_home_page_is_english(english):
    html = english.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Inspection items" in html  # navigation
    assert "Sampling results" in html
    assert "Log in" in html
    assert "检查事项清单" not in html


@pytest.mark.django_db
def test_a_browser_asking_for_english_gets_english_without_the_cookie(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert '<html lang="en">' in html


@pytest.mark.django_db
def test_the_header_switch_sets_english_and_back_to_chinese(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in client.get("/").content.decode()

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_an_officer_sees_english_navigation_and_cards(english, city_officer):
    english.force_login(city_officer)
    html = english.get("/").content.decode()
    assert "My inspections" in html
    assert "Log out" in html
    assert "Officer" in html  # the role badge


def test_every_msgid_in_the_english_catalogue_has_a_translation():
    entries = _po_entries(PO)
    assert len(entries) > 500
    untranslated = [e["msgid"] for e in entries if not all(s.strip() for s in _msgstrs(e))]
    assert untranslated == []
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert fuzzy == []


def test_every_translation_keeps_the_placeholders_of_its_msgid():
    wrong = []
    for e in _po_entries(PO):
        for s in _msgstrs(e):
            if sorted(PLACEHOLDER.findall(s)) != sorted(PLACEHOLDER.findall(e["msgid"])):
                wrong.append((e["msgid"], s))
    assert wrong == []


def test_the_committed_mo_holds_every_msgid_of_the_po():
    entries = _po_entries(PO)
    with MO.open("rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog
    # keys: "" (header), msgid, or (msgid, n) for each plural form
    singular = {k for k in catalog if isinstance(k, str) and k}
    plural = {k[0] for k in catalog if isinstance(k, tuple)}
    translated = {m for m in singular | plural if catalog.get(m) or catalog.get((m, 0))}
    assert len(translated) == len(entries)
    assert {e["msgid"] for e in entries} == translated


SRC = Path(settings.BASE_DIR) / "src" / "fairinspect"
CJK = re.compile(r"[\u4e00-\u9fff]")
FLASH = {"success", "info", "warning", "error"}


def _untranslated_flashes(source: str) -> list[int]:
    """Lines where a view flashes a Chinese literal (plain or f-string) without gettext."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "messages"
            and node.func.attr in FLASH
            and len(node.args) >= 2
        ):
            continue
        arg = node.args[1]
        for text in [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]:
            if isinstance(text, ast.Constant | ast.JoinedStr) and CJK.search(ast.unparse(text)):
                lines.append(text.lineno)
    return lines


def test_the_scan_finds_an_untranslated_flash_and_passes_a_translated_one():
    assert _untranslated_flashes('messages.success(request, "已保存。")') == [1]
    assert _untranslated_flashes('messages.error(request, f"已导入{n}条。")') == [1]
    assert _untranslated_flashes('messages.info(request, "是" if a else "否")') == [1, 1]
    assert _untranslated_flashes('messages.success(request, _("已保存。"))') == []
    assert _untranslated_flashes("messages.error(request, exc.message)") == []


def test_every_message_a_view_flashes_is_translated():
    """A Chinese flash literal would greet an English user in Chinese after every action."""
    found = {
        f"{path.relative_to(SRC)}:{line}"
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts
        for line in _untranslated_flashes(path.read_text(encoding="utf-8"))
    }
    assert found == set()


@pytest.mark.django_db
def test_an_english_user_reads_the_flash_after_an_action_in_english(
    english, admin_user, tianshan_enterprise
):
    english.force_login(admin_user)
    code = tianshan_enterprise.credit_code
    page = english.post(f"/visits/enterprise/{code}/revoke-qr/", follow=True)
    assert page.status_code == 200
    shown = [str(m) for m in page.context["messages"]]
    assert shown and all(not CJK.search(m) for m in shown), shown
