"""Helpers shared by the registry benchmarks (not a benchmark itself: run_all.py skips it).

The benchmarks never use the project's own database: they run on a database made for them,
SQLite in /tmp and PostgreSQL `fi_bench` on 127.0.0.1, chosen by these variables:
  FI_BENCH_SQLITE_URL  default sqlite:////tmp/bench.sqlite3
  FI_BENCH_PG_URL      default postgres://postgres@127.0.0.1:5432/fi_bench
"""

from __future__ import annotations

import csv
import io
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
PY = sys.executable
SQLITE_URL = os.environ.get("FI_BENCH_SQLITE_URL", "sqlite:////tmp/bench.sqlite3")
PG_URL = os.environ.get("FI_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/fi_bench")

# Invented company names (字号 from uncommon pairs, as the demo does): never real companies.
PLACES = ["乌鲁木齐", "新疆", "天山", "博格达", "红山", "雅玛里克", "水磨沟", "米东", "头屯河"]
ZIHAO_A = "澄砚朔屿珩岚璟翊骁溯檀筠泓昶珂琮霁晞沅泽"
ZIHAO_B = "源峰川禾拓域衡达嘉晟烨铭瑞睿弘澜曜祺翰瀚"
WORDS = ["化工", "能源", "矿业", "机械", "商贸", "物流", "仓储", "餐饮", "钢结构", "建材"]
STREETS = ["北京", "河北", "长江", "黄河", "西虹", "友好", "克拉玛依", "钱塘江"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉建新林斌宇浩凯"


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairinspect.config.settings")
    import django

    django.setup()


def certify(officer, number: str):
    """A valid general-scope enforcement certificate for a benchmark's officer."""
    import datetime as dt

    from fairinspect.registry.models import Certificate

    return Certificate.objects.create(
        officer=officer,
        number=number,
        issuer="乌鲁木齐市人民政府",
        valid_from=dt.date(2020, 1, 1),
        valid_to=dt.date(2030, 12, 31),
        scopes=["general"],
    )


def vendor_of(url: str) -> str:
    return "postgresql" if url.startswith(("postgres", "postgresql")) else "sqlite"


def pg_cli_args(url: str) -> list[str]:
    """The host, port and user of a PostgreSQL URL as dropdb/createdb/psql arguments."""
    u = urlparse(url)
    return [
        "-h",
        u.hostname or "127.0.0.1",
        "-p",
        str(u.port or 5432),
        "-U",
        u.username or "postgres",
    ]


def fresh_database(url: str) -> None:
    """Drop and recreate the benchmark database, then migrate it (in a child process)."""
    if vendor_of(url) == "sqlite":
        path = Path(urlparse(url).path)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    else:
        u = urlparse(url)
        name = u.path.lstrip("/")
        if name in ("fairinspect", "postgres", "test", "template0", "template1"):
            raise SystemExit(f"refusing to drop {name!r}: give the benchmark its own database")
        args = pg_cli_args(url)
        subprocess.run(["dropdb", *args, "--if-exists", "--force", name], check=True)
        subprocess.run(["createdb", *args, name], check=True)
    path = os.pathsep.join(
        [str(ROOT / "bench"), str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]
    )
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "PYTHONPATH": path}
    subprocess.run(
        [PY, str(ROOT / "manage.py"), "migrate", "--no-input", "-v", "0"], check=True, env=env
    )


def machine() -> dict[str, str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        mem = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        mem = "?"
    return {
        "cpus": str(os.cpu_count()),
        "memory": mem,
        "cpu": cpu,
        "python": platform.python_version(),
    }


def print_machine(db_label: str = "") -> None:
    m = machine()
    print(
        f"machine: {m['cpus']} CPUs, {m['memory']}, {m['cpu']}; Python {m['python']}"
        + (f"; database {db_label}" if db_label else "")
    )


def loadavg() -> str:
    """The machine's 1-minute load average (others' work shares its two cores)."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("SHOW server_version")
            return f"PostgreSQL {c.fetchone()[0].split()[0]}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))


def enterprise_rows(n: int, *, start: int = 0, seed: int = 2025):
    """n enterprise rows as the import reads them (English field names, valid values).

    Needs Django set up: districts and 4-digit GB/T 4754 codes come from the database."""
    import datetime as dt

    from fairinspect.registry import queries
    from fairinspect.registry.models import Industry
    from fairinspect.rules.credit_code import make_credit_code

    rng = random.Random(seed + start)
    districts = sorted(queries.district_codes())
    industries = list(
        Industry.objects.filter(level=4).order_by("code").values_list("code", flat=True)
    )
    names = queries.district_names()
    today = dt.date(2025, 6, 18)
    for i in range(start, start + n):
        district = districts[i % len(districts)]
        grade = rng.choice(["一级", "二级", "三级", "三级", "未定级", "未定级"])
        begin = today - dt.timedelta(days=rng.randint(30, 1000))
        yield {
            "credit_code": make_credit_code(f"91{district}{i:08d}{i % 10}"),
            "name": f"{rng.choice(PLACES)}{rng.choice(ZIHAO_A)}{rng.choice(ZIHAO_B)}"
            f"{rng.choice(WORDS)}有限公司",
            "address": f"{names.get(district, '')}{rng.choice(STREETS)}路{rng.randint(1, 999)}号",
            "district_code": district,
            "industry_code": rng.choice(industries),
            "high_risk": "",  # derived from the industry
            "standardization_grade": grade,
            "grade_valid_from": begin.isoformat() if grade != "未定级" else "",
            "grade_valid_to": (begin + dt.timedelta(days=1095)).isoformat()
            if grade != "未定级"
            else "",
            "risk_level": rng.choice(["重大", "较大", "一般", "一般", "低", "低"]),
            "credit_level": rng.choice("AABBBC"),
            "supervising_level": rng.choice(["区县", "区县", "区县", "市级"]),
            "main_person": _person(rng),
            "main_person_phone": _phone(rng),
            "contact_name": _person(rng),
            "contact_phone": _phone(rng),
            "status": "在营",
        }


FIELDS = [
    "credit_code",
    "name",
    "address",
    "district_code",
    "industry_code",
    "high_risk",
    "standardization_grade",
    "grade_valid_from",
    "grade_valid_to",
    "risk_level",
    "credit_level",
    "supervising_level",
    "main_person",
    "main_person_phone",
    "contact_name",
    "contact_phone",
    "status",
]


def enterprise_csv(n: int, *, start: int = 0) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(FIELDS)
    for row in enterprise_rows(n, start=start):
        w.writerow([row[f] for f in FIELDS])
    return buf.getvalue().encode("utf-8")


def enterprise_xlsx(n: int, *, start: int = 0) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("企业")
    ws.append(FIELDS)
    for row in enterprise_rows(n, start=start):
        ws.append([row[f] for f in FIELDS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def bulk_load_enterprises(n: int) -> float:
    """Fast load for the search benchmark (bulk_create, not the import): seconds taken."""
    from fairinspect.registry import queries, services
    from fairinspect.registry.inputs import clean_enterprise
    from fairinspect.registry.models import Enterprise

    t = time.perf_counter()
    districts, industries = queries.district_codes(), queries.industry_map()
    batch = []
    for row in enterprise_rows(n):
        cleaned, errors = clean_enterprise(row, district_codes=districts, industries=industries)
        assert not errors, errors
        e = Enterprise(**services._enterprise_values(cleaned))
        e.search_key = e.computed_search_key()  # bulk_create skips save()
        batch.append(e)
        if len(batch) == 5000:
            Enterprise.objects.bulk_create(batch)
            batch = []
    Enterprise.objects.bulk_create(batch)
    return time.perf_counter() - t


def bench_admin(username: str = "bench_admin", password: str = "bench-only-password-2025"):
    """An administrator for the benchmark database (never the demo one)."""
    from django.contrib.auth.models import Group

    from fairinspect.core.roles import Role
    from fairinspect.registry.models import User

    user, _ = User.objects.get_or_create(username=username, defaults={"first_name": "压测管理员"})
    user.set_password(password)
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get_or_create(name=Role.ADMIN.value)[0])
    return user, password
