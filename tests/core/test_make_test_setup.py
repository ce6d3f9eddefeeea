"""The set-up check that `make test` runs first (scripts/prepare_test.py), in a clean
environment: it installs what it may, or stops at once with one sentence naming what to install."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "prepare_test.py"


def _run(tmp_path: Path, *stages: str, **env: str) -> subprocess.CompletedProcess[str]:
    # A PATH with nothing but an empty folder: no chromium, no fc-list, no apt-get.
    empty = tmp_path / "bin"
    empty.mkdir(exist_ok=True)
    clean = {"PATH": str(empty), "HOME": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *stages], env=clean, capture_output=True, text=True
    )


def test_without_chromium_on_path_make_test_stops_at_once_with_one_sentence_naming_what_to_install(
    tmp_path,
):
    result = _run(tmp_path, FAIRINSPECT_NO_APT="1")
    assert result.returncode == 2
    message = result.stderr.strip()
    assert message.count("\n") == 0, "one sentence, not a traceback"
    assert message.startswith("make test: The browser tests need Chromium and a CJK font")
    assert "apt-get install chromium fonts-noto-cjk" in message
    assert "FAIRINSPECT_SKIP_BROWSER=1" in message


def test_a_chromium_given_by_path_that_does_not_exist_is_missing_too(tmp_path):
    result = _run(tmp_path, "browser", FAIRINSPECT_NO_APT="1", CHROMIUM="/nowhere/chromium")
    assert result.returncode == 2
    assert "Chromium" in result.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="apt-get is used only when running as root")
def test_as_root_the_check_installs_chromium_and_fonts_with_apt_get(tmp_path):
    """A fake apt-get records what it is asked; the real packages are not touched."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "apt-calls"
    fake = bin_dir / "apt-get"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {calls}\n')
    fake.chmod(0o755)
    result = _run(tmp_path, "browser")
    assert calls.read_text().splitlines() == [
        "update -qq",
        "install -y -qq chromium fonts-noto-cjk",
    ]
    # The fake installed nothing, so the check still ends in the sentence, not in a crash.
    assert result.returncode == 2
    assert "apt-get install chromium fonts-noto-cjk" in result.stderr


def test_skipping_the_browser_stage_is_announced_loudly_and_passes(tmp_path):
    result = _run(tmp_path, "browser", FAIRINSPECT_SKIP_BROWSER="1")
    assert result.returncode == 0
    assert "the browser tests will NOT run" in result.stderr


def test_an_unreachable_postgresql_that_is_not_installed_here_stops_with_what_to_do(tmp_path):
    # Port 9 (discard) on a documentation address: nothing listens, and no local cluster
    # applies to a remote host.
    result = _run(
        tmp_path,
        "postgres",
        DATABASE_URL="postgres://postgres@192.0.2.1:9/fi",
        FAIRINSPECT_NO_APT="1",
    )
    assert result.returncode == 2
    assert "PostgreSQL tests need a server at 192.0.2.1:9" in result.stderr
    assert "FAIRINSPECT_SKIP_POSTGRES=1" in result.stderr


def test_without_libreoffice_the_documents_stage_names_what_to_install(tmp_path):
    result = _run(tmp_path, "documents", FAIRINSPECT_NO_APT="1")
    assert result.returncode == 2
    message = result.stderr.strip()
    assert message.count("\n") == 0
    assert "apt-get install libreoffice-writer-nogui fonts-noto-cjk poppler-utils" in message
    assert "FAIRINSPECT_SKIP_DOCUMENTS=1" in message


@pytest.mark.skipif(os.geteuid() != 0, reason="apt-get is used only when running as root")
def test_as_root_the_documents_stage_installs_libreoffice_with_apt_get(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "apt-calls"
    fake = bin_dir / "apt-get"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {calls}\n')
    fake.chmod(0o755)
    result = _run(tmp_path, "documents")
    assert calls.read_text().splitlines() == [
        "update -qq",
        "install -y -qq libreoffice-writer-nogui fonts-noto-cjk poppler-utils",
    ]
    assert result.returncode == 2


def test_the_documents_stage_can_be_skipped_loudly(tmp_path):
    result = _run(tmp_path, "documents", FAIRINSPECT_SKIP_DOCUMENTS="1")
    assert result.returncode == 0 and "FAIRINSPECT_SKIP_DOCUMENTS" in result.stderr
