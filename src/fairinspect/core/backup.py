"""Backup and restore of the database and the uploaded media (docs/deploy.md).

A backup is a folder: `database.dump` (PostgreSQL: `pg_dump --format=custom`) or
`database.sqlite3` (SQLite: the online backup API, consistent while the system runs),
`media.tar.gz` (every uploaded file: recordings' hashes refer to them) and `manifest.json`
(time, database vendor, the applied migration of each app, and the SHA-256 and size of each
file). Restore checks every checksum before it touches anything, and refuses a target that
already holds data unless told to replace it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Chinese."""


@dataclass(frozen=True)
class Target:
    vendor: str  # "postgresql" or "sqlite"
    name: str  # database name or SQLite file path
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def from_settings_dict(cls, d: dict) -> Target:
        vendor = "sqlite" if d["ENGINE"].endswith("sqlite3") else "postgresql"
        if vendor == "postgresql" and not d["ENGINE"].endswith("postgresql"):
            raise BackupError(f"不支持的数据库：{d['ENGINE']}")
        return cls(
            vendor=vendor,
            name=str(d["NAME"]),
            host=str(d.get("HOST") or ""),
            port=str(d.get("PORT") or ""),
            user=str(d.get("USER") or ""),
            password=str(d.get("PASSWORD") or ""),
        )

    @classmethod
    def from_url(cls, url: str) -> Target:
        return cls.from_settings_dict(dict(dj_database_url.parse(url)))

    def pg_args(self) -> list[str]:
        args = []
        for flag, value in (("-h", self.host), ("-p", self.port), ("-U", self.user)):
            if value:
                args += [flag, value]
        return args

    def pg_env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _migration_heads() -> dict[str, str]:
    heads: dict[str, str] = {}
    for app, name in MigrationRecorder.Migration.objects.order_by("app", "name").values_list(
        "app", "name"
    ):
        heads[app] = name  # names sort in order within an app (0001_…, 0002_…)
    return heads


def _run(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{argv[0]} 失败：{done.stderr.strip()[:500]}")


def backup(*, output: Path, media_root: Path | None = None, alias: str = "default") -> dict:
    """Write a backup folder at `output` (created; must not exist or be empty)."""
    output = Path(output)
    if output.exists() and any(output.iterdir()):
        raise BackupError(f"备份目录 {output} 不是空目录。")
    output.mkdir(parents=True, exist_ok=True)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    target = Target.from_settings_dict(connections[alias].settings_dict)
    if target.vendor == "postgresql":
        db_file = output / "database.dump"
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                *target.pg_args(),
                "-f",
                str(db_file),
                target.name,
            ],
            target.pg_env(),
        )
    else:
        db_file = output / "database.sqlite3"
        src = sqlite3.connect(target.name)
        dst = sqlite3.connect(db_file)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    media_file = output / "media.tar.gz"
    with tarfile.open(media_file, "w:gz") as tar:
        if media_root.exists():
            tar.add(media_root, arcname="media")
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "vendor": target.vendor,
        "migrations": _migration_heads(),
        "files": {
            p.name: {"sha256": _sha256(p), "bytes": p.stat().st_size} for p in (db_file, media_file)
        },
    }
    (output / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


def verify(folder: Path) -> dict:
    """The manifest, after every file's checksum was checked."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} 不是备份目录（缺少或无法读取 {MANIFEST}）：{exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')} 不受支持。")
    for name, meta in manifest["files"].items():
        path = folder / name
        if not path.exists():
            raise BackupError(f"备份缺少文件 {name}。")
        if _sha256(path) != meta["sha256"]:
            raise BackupError(f"备份文件 {name} 的校验值不符，文件已损坏或被改动。")
    return manifest


def _pg_has_tables(target: Target) -> bool:
    done = subprocess.run(
        [
            "psql",
            *target.pg_args(),
            "-d",
            target.name,
            "-tAc",
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
        ],
        env=target.pg_env(),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"无法连接目标数据库：{done.stderr.strip()[:300]}")
    return int(done.stdout.strip() or 0) > 0


def restore(*, folder: Path, target: Target, media_root: Path, replace: bool = False) -> dict:
    """Restore a checked backup into `target` and `media_root`."""
    manifest = verify(folder)
    folder = Path(folder)
    if manifest["vendor"] != target.vendor:
        raise BackupError(
            f"备份来自 {manifest['vendor']}，目标是 {target.vendor}：请恢复到同类数据库。"
        )
    if target.vendor == "postgresql":
        if _pg_has_tables(target) and not replace:
            raise BackupError("目标数据库已有数据表；确认要覆盖时加 --replace。")
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                *(["--clean", "--if-exists"] if replace else []),
                *target.pg_args(),
                "-d",
                target.name,
                str(folder / "database.dump"),
            ],
            target.pg_env(),
        )
    else:
        dest = Path(target.name)
        if dest.exists() and dest.stat().st_size > 0 and not replace:
            raise BackupError(f"目标文件 {dest} 已存在；确认要覆盖时加 --replace。")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / "database.sqlite3", dest)
    media_root = Path(media_root)
    if replace and media_root.exists():
        shutil.rmtree(media_root)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / "media.tar.gz", "r:gz") as tar:
        for member in tar.getmembers():
            if not member.name.startswith("media"):
                continue
            member.name = member.name[len("media") :].lstrip("/") or "."
            tar.extract(member, media_root, filter="data")
    return manifest
