"""The production setup a bureau's IT runs (issue 13, docs/deploy.md): `fairinspect serve`,
health and readiness, a cached OpenAPI document, backup and restore."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection

from fairinspect.core import backup as backup_mod


@pytest.mark.django_db
def test_healthz_answers_without_touching_anything(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ready_on_a_migrated_database(client):
    r = client.get("/readyz")
    assert r.status_code == 200, r.content
    assert r.json() == {"status": "ready", "problems": {}}


@pytest.mark.django_db
def test_readyz_is_not_ready_when_the_database_does_not_answer(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    from django.db import connections

    monkeypatch.setattr(connections["default"], "cursor", broken_cursor)
    r = client.get("/readyz")
    assert r.status_code == 503
    assert "database" in r.json()["problems"]


@pytest.mark.django_db
def test_the_openapi_document_is_built_once_per_process(client, monkeypatch):
    from ninja import main as ninja_main

    from fairinspect.config.api import api

    api.__dict__.pop("_openapi_cache", None)
    api.__dict__.pop("_openapi_bytes", None)
    calls = []
    real = ninja_main.get_schema

    def counting(**kwargs):
        calls.append(1)
        return real(**kwargs)

    monkeypatch.setattr(ninja_main, "get_schema", counting)
    first = client.get("/api/v1/openapi.json")
    second = client.get("/api/v1/openapi.json")
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert len(calls) == 1


@pytest.mark.django_db
def test_the_openapi_response_is_serialised_once_and_is_the_document(client, monkeypatch):
    import json

    from fairinspect.config import api as api_module

    api_module.api.__dict__.pop("_openapi_bytes", None)
    dumps = []
    real = json.dumps

    def counting(obj, **kwargs):
        dumps.append(1)
        return real(obj, **kwargs)

    monkeypatch.setattr(api_module.json, "dumps", counting)
    first = client.get("/api/v1/openapi.json")
    second = client.get("/api/v1/openapi.json")
    assert first["Content-Type"] == "application/json"
    assert first.content == second.content and len(dumps) == 1
    assert first.json() == api_module.api.get_openapi_schema(path_prefix="/api/v1/")


# ------------------------------------------------------------------ backup and restore


def _table_counts_sqlite(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        con.close()


def _table_counts_live() -> dict[str, int]:
    with connection.cursor() as cur:
        names = connection.introspection.table_names(cur)
        out = {}
        for n in names:
            cur.execute(f'SELECT count(*) FROM "{n}"')
            out[n] = cur.fetchone()[0]
        return out


@pytest.fixture
def some_data(make_user, tmp_path):
    from fairinspect.core.roles import Role

    make_user("backup-officer", Role.OFFICER, department="650100")
    media = tmp_path / "media"
    (media / "visits").mkdir(parents=True)
    (media / "visits" / "recording.txt").write_bytes(b"evidence " * 100)
    return media


@pytest.mark.django_db(transaction=True)
def test_r13_a_backup_restores_into_an_empty_database_with_every_row_and_file(some_data, tmp_path):
    out = tmp_path / "backup"
    call_command("backup", str(out), "--media-root", str(some_data))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["vendor"] == connection.vendor.replace("postgresql", "postgresql")
    assert "registry" in manifest["migrations"]
    before = _table_counts_live()
    restored_media = tmp_path / "restored-media"

    if connection.vendor == "sqlite":
        target = tmp_path / "restored.sqlite3"
        call_command(
            "restore",
            str(out),
            "--database-url",
            f"sqlite:///{target}",
            "--media-root",
            str(restored_media),
        )
        after = _table_counts_sqlite(target)
    else:
        import psycopg

        name = f"fi_restore_{uuid.uuid4().hex[:8]}"
        s = connection.settings_dict
        admin = f"postgresql://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/postgres"
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        try:
            url = admin.rsplit("/", 1)[0] + f"/{name}"
            call_command(
                "restore", str(out), "--database-url", url, "--media-root", str(restored_media)
            )
            with psycopg.connect(url) as con:
                tables = [
                    r[0]
                    for r in con.execute(
                        # Tables as Django sees them: a partitioned table once (its
                        # partitions, e.g. the audit events' years, are counted through it).
                        "SELECT c.relname FROM pg_class c JOIN pg_namespace n "
                        "ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
                        "AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
                    )
                ]
                after = {
                    t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables
                }
        finally:
            with psycopg.connect(admin, autocommit=True) as con:
                con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert after == before
    assert after["registry_user"] >= 1
    assert (restored_media / "visits" / "recording.txt").read_bytes() == b"evidence " * 100


@pytest.mark.django_db(transaction=True)
def test_r13_a_damaged_backup_is_refused_before_anything_is_touched(some_data, tmp_path):
    out = tmp_path / "backup"
    call_command("backup", str(out), "--media-root", str(some_data))
    with (out / "media.tar.gz").open("ab") as f:
        f.write(b"x")
    target = tmp_path / "never.sqlite3"
    with pytest.raises(CommandError, match="校验值不符"):
        call_command(
            "restore",
            str(out),
            "--database-url",
            f"sqlite:///{target}",
            "--media-root",
            str(tmp_path / "m"),
        )
    assert not target.exists()


@pytest.mark.django_db(transaction=True)
def test_r13_a_restore_refuses_a_target_with_data_unless_told_to_replace(some_data, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL refusal is the same check through psql; SQLite shown here")
    out = tmp_path / "backup"
    call_command("backup", str(out), "--media-root", str(some_data))
    target = tmp_path / "busy.sqlite3"
    target.write_bytes(b"something")
    with pytest.raises(CommandError, match="--replace"):
        call_command(
            "restore",
            str(out),
            "--database-url",
            f"sqlite:///{target}",
            "--media-root",
            str(tmp_path / "m"),
        )
    call_command(
        "restore",
        str(out),
        "--database-url",
        f"sqlite:///{target}",
        "--media-root",
        str(tmp_path / "m"),
        "--replace",
    )
    assert _table_counts_sqlite(target)["registry_user"] >= 1


def test_r13_a_backup_folder_must_be_new(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "x").write_text("x")
    with pytest.raises(backup_mod.BackupError, match="不是空目录"):
        backup_mod.backup(output=tmp_path / "old")


# ------------------------------------------------------------------ fairinspect serve


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, headers: dict | None = None) -> tuple[int, bytes]:
    """One GET without following redirects (the redirect itself is what is checked)."""
    u = urllib.parse.urlsplit(url)
    con = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
    try:
        con.request("GET", u.path or "/", headers=headers or {})
        r = con.getresponse()
        return r.status, r.read()
    finally:
        con.close()


def test_r13_fairinspect_serve_starts_in_production_and_answers_its_health_endpoints(tmp_path):
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "FAIRINSPECT_ENV": "production",
        "SECRET_KEY": "test-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "FAIRINSPECT_VAR": str(tmp_path / "var"),
        "AUDIT_HMAC_KEY": "test-audit-key-" + "a" * 40,
    }
    cli = Path(sys.executable).parent / "fairinspect"
    proc = subprocess.Popen(
        [
            str(cli),
            "serve",
            "--migrate",
            "--no-worker",
            "--no-monitor",
            "--workers",
            "1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # migrate and collectstatic first, on a loaded CI
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status, body = _get(base + "/healthz")
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, proc.stdout.read().decode() if proc.poll() is not None else status
        status, body = _get(base + "/readyz")
        assert status == 200, body
        # Plain HTTP is redirected to HTTPS except for the probes; behind nginx the page
        # and its collected, hashed static files are served.
        status, _ = _get(base + "/")
        assert status == 301
        status, page = _get(base + "/", {"X-Forwarded-Proto": "https"})
        assert status == 200
        css = page.decode().split('href="/static/', 1)[1].split('"', 1)[0]
        assert "." in css.rsplit("/", 1)[-1]
        status, _ = _get(base + "/static/" + css, {"X-Forwarded-Proto": "https"})
        assert status == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out.decode()
    assert "serve: stopped" in out.decode()


def test_r13_serve_refuses_development_settings_without_the_trial_flag():
    with pytest.raises(CommandError, match="FAIRINSPECT_ENV"):
        call_command("serve")


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_issue_13_postgresql_connections_run_without_jit():
    """A draw's freeze over 1,000,000 enterprises spent 1.6 s of a 6 s read compiling it
    (docs/performance.md); the application's connections turn JIT off."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as c:
        c.execute("SHOW jit")
        assert c.fetchone() == ("off",)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"IMPORT_WORKERS": "four"}, "IMPORT_WORKERS='four': must be a whole number"),
        ({"LOGIN_MAX_FAILURES": "0"}, "LOGIN_MAX_FAILURES=0: must be at least 1"),
        (
            {"FAIRINSPECT_ENV": "production", "SECRET_KEY": ""},
            "SECRET_KEY must be set when FAIRINSPECT_ENV=production",
        ),
    ],
)
def test_issue_13_a_wrong_setting_in_the_environment_stops_start_up_naming_it(
    tmp_path, env, message
):
    """An operator's typo is named in one line, not a ValueError traceback from settings."""
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    base["FAIRINSPECT_VAR"] = str(tmp_path / "var")
    cli = Path(sys.executable).parent / "fairinspect"
    done = subprocess.run(
        [str(cli), "check"], env={**base, **env}, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert message in done.stderr
    assert "ImproperlyConfigured" in done.stderr
