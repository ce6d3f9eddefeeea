"""Loading the reference registries that every install needs: departments and industries.

Idempotent: running it again updates names and mappings in place and adds what is missing.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

CITY_CODE = "650100"
CITY_NAME = "乌鲁木齐市应急管理局"
# The city bureau's sections (科室) that implement inspections, approve, review and supervise.
CITY_SECTIONS = [
    ("650100-ZH", "安全生产综合协调科"),
    ("650100-WH", "危险化学品安全监督管理科"),
    ("650100-GM", "工贸安全监督管理科"),
    ("650100-FM", "非煤矿山安全监督管理科（含烟花爆竹）"),
    ("650100-FZ", "政策法规科"),
    ("650100-ZD", "应急管理综合行政执法支队"),
]


def districts() -> list[tuple[str, str]]:
    with (DATA / "urumqi_districts.csv").open(encoding="utf-8-sig") as f:
        return [(row["code"], row["name"]) for row in csv.DictReader(f)]


DISTRICT_NAMES = dict(districts())


def load_departments(Department) -> None:
    city, _ = Department.objects.update_or_create(
        code=CITY_CODE,
        defaults=dict(
            name=CITY_NAME, kind="bureau", level="city", division_code=CITY_CODE, parent=None
        ),
    )
    for code, name in CITY_SECTIONS:
        Department.objects.update_or_create(
            code=code,
            defaults=dict(
                name=name, kind="section", level="city", division_code=CITY_CODE, parent=city
            ),
        )
    for code, name in districts():
        Department.objects.update_or_create(
            code=code,
            defaults=dict(
                name=f"{name}应急管理局",
                kind="bureau",
                level="district",
                division_code=code,
                parent=None,
            ),
        )


def high_risk_rules() -> dict[str, dict]:
    data = json.loads((DATA / "high_risk_industries.json").read_text(encoding="utf-8"))
    return {r["code"]: r for r in data["rules"]}


def classify(code: str, section: str, rules: dict[str, dict]) -> tuple[str, bool]:
    """The domain and high-risk flag of an industry code: the longest matching rule wins."""
    for key in (code[:4], code[:3], code[:2], section):
        if key and key in rules:
            return rules[key]["domain"], bool(rules[key]["high_risk"])
    return "general", False


def load_industries(Industry) -> None:
    rules = high_risk_rules()
    with (DATA / "gbt4754_2017.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    existing = set(Industry.objects.values_list("code", flat=True))
    parents = {"2": "section", "3": "division", "4": "group"}
    objs = []
    for row in rows:
        level = int(row["level"])
        parent = row[parents[str(level)]] if level > 1 else None
        domain, high_risk = classify(row["code"], row["section"], rules)
        objs.append(
            Industry(
                code=row["code"],
                level=level,
                name=row["name"],
                parent_id=parent or None,
                domain=domain,
                high_risk=high_risk,
            )
        )
    # Parents first (the CSV is ordered by code within a section, so sort by level).
    objs.sort(key=lambda o: o.level)
    Industry.objects.bulk_create([o for o in objs if o.code not in existing], batch_size=500)
    for o in objs:
        if o.code in existing:
            Industry.objects.filter(code=o.code).update(
                name=o.name, domain=o.domain, high_risk=o.high_risk
            )
