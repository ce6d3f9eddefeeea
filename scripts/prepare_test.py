"""The set-up check of `make test`: make this machine able to run every stage, or say why not.

`make test` runs this before any test, so a missing piece stops the run at once with one
sentence naming what to install instead of failing twenty minutes later:

- the browser stage needs Chromium and a CJK font (the pages are Chinese). Missing, and we
  are root and may use the package manager, it runs
  `apt-get install chromium fonts-noto-cjk`; otherwise it stops with the command to run.
- the documents stage (tests/documents: every 执法文书 rendered to PDF) needs LibreOffice Writer,
  poppler (pdfinfo, pdftotext) and a CJK font. Missing, and apt-get is allowed, it runs
  `apt-get install libreoffice-writer-nogui fonts-noto-cjk poppler-utils`; otherwise it
  stops with the command to run.
- the PostgreSQL stage needs the server of DATABASE_URL (default 127.0.0.1:5432, user postgres).
  Installed but down (a Debian cluster under /etc/postgresql), it starts it with
  `pg_ctlcluster`; otherwise it stops with what to do.

Opt-outs (environment): FAIRINSPECT_NO_APT=1 never runs apt-get; FAIRINSPECT_SKIP_BROWSER=1,
FAIRINSPECT_SKIP_DOCUMENTS=1 and FAIRINSPECT_SKIP_POSTGRES=1 skip a stage (with a loud notice, `make test` then skips it too).
Only the Python standard library is used: this runs before anything else is known to work.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/fairinspect"
APT_PACKAGES = ["chromium", "fonts-noto-cjk"]
OFFICE_PACKAGES = ["libreoffice-writer-nogui", "fonts-noto-cjk", "poppler-utils"]


class SetupError(Exception):
    """One sentence telling the person what to install or set."""


def _flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


def _notice(text: str) -> None:
    bar = "!" * 78
    print(f"\n{bar}\n!! {text}\n{bar}\n", file=sys.stderr)


def chromium_path() -> str | None:
    """The browser the tests drive: $CHROMIUM, else `chromium` on PATH (tests/browser uses
    the same lookup)."""
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def has_cjk_font() -> bool:
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return False
    out = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True)
    return bool(out.stdout.strip())


def may_use_apt() -> bool:
    return os.geteuid() == 0 and not _flag("FAIRINSPECT_NO_APT") and bool(shutil.which("apt-get"))


def ensure_browser() -> None:
    if _flag("FAIRINSPECT_SKIP_BROWSER"):
        _notice("FAIRINSPECT_SKIP_BROWSER is set: the browser tests will NOT run.")
        return
    if chromium_path() and has_cjk_font():
        return
    if may_use_apt():
        print(f"Installing {' '.join(APT_PACKAGES)} with apt-get (FAIRINSPECT_NO_APT=1 stops this)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        # A failed apt-get (no network, no such package) ends in the sentence below.
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *APT_PACKAGES], check=False, env=env)
        if chromium_path() and has_cjk_font():
            return
    raise SetupError(
        "The browser tests need Chromium and a CJK font: install them with "
        "`sudo apt-get install chromium fonts-noto-cjk` (or set CHROMIUM=/path/to/chromium), "
        "or set FAIRINSPECT_SKIP_BROWSER=1 to skip the browser tests."
    )


def has_office() -> bool:
    """What tests/documents/test_render.py looks up: soffice, pdfinfo, pdftotext."""
    return bool(
        (shutil.which("soffice") or shutil.which("libreoffice"))
        and shutil.which("pdfinfo")
        and shutil.which("pdftotext")
    )


def ensure_documents() -> None:
    if _flag("FAIRINSPECT_SKIP_DOCUMENTS"):
        _notice("FAIRINSPECT_SKIP_DOCUMENTS is set: the documents will NOT be rendered to PDF.")
        return
    if has_office() and has_cjk_font():
        return
    if may_use_apt():
        print(
            f"Installing {' '.join(OFFICE_PACKAGES)} with apt-get (FAIRINSPECT_NO_APT=1 stops this)"
        )
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *OFFICE_PACKAGES], check=False, env=env)
        if has_office() and has_cjk_font():
            return
    raise SetupError(
        "The document tests render every 执法文书 with LibreOffice: install it with "
        f"`sudo apt-get install {' '.join(OFFICE_PACKAGES)}`, "
        "or set FAIRINSPECT_SKIP_DOCUMENTS=1 to skip the rendering (the test then says so)."
    )


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _local_clusters() -> list[str]:
    root = Path("/etc/postgresql")
    return sorted(p.name for p in root.iterdir() if (p / "main").is_dir()) if root.is_dir() else []


def ensure_postgres() -> None:
    if _flag("FAIRINSPECT_SKIP_POSTGRES"):
        _notice("FAIRINSPECT_SKIP_POSTGRES is set: the PostgreSQL run will NOT happen.")
        return
    url = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_PG_URL)
    if not url.scheme.startswith("postgres"):
        raise SetupError(
            f"DATABASE_URL must name a PostgreSQL server for the PostgreSQL stage (it is "
            f"{url.scheme}://…): unset it to use {DEFAULT_PG_URL}."
        )
    host, port = url.hostname or "127.0.0.1", url.port or 5432
    if _reachable(host, port):
        return
    clusters = _local_clusters()
    ctl = shutil.which("pg_ctlcluster")
    if host in ("127.0.0.1", "localhost") and clusters and ctl:
        version = clusters[-1]
        print(
            f"Starting the local PostgreSQL {version} cluster (pg_ctlcluster {version} main start)"
        )
        subprocess.run([ctl, "--skip-systemctl-redirect", version, "main", "start"], check=False)
        for _ in range(30):
            if _reachable(host, port):
                return
            time.sleep(1)
    raise SetupError(
        f"The PostgreSQL tests need a server at {host}:{port} that user postgres can reach "
        "without a password: install it with `sudo apt-get install postgresql` (trust for "
        "127.0.0.1 in pg_hba.conf), point DATABASE_URL at one you have, or set "
        "FAIRINSPECT_SKIP_POSTGRES=1 to skip the PostgreSQL run."
    )


def main(argv: list[str]) -> int:
    stages = argv or ["browser", "documents", "postgres"]
    try:
        for stage in stages:
            {"browser": ensure_browser, "documents": ensure_documents, "postgres": ensure_postgres}[
                stage
            ]()
    except SetupError as exc:
        print(f"make test: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
