"""The shipped reference data: the default inspection-item list (R2.1) and the high-risk
industry mapping (R3.1). Plain pytest over the JSON files, no Django."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "src" / "fairinspect"
ITEMS = PKG / "catalog" / "data" / "items_2025.json"
HIGH_RISK = PKG / "registry" / "data" / "high_risk_industries.json"
# The in-repo copy is the one the app loads; shared/ (beside the clone in CI) is the original.
GBT_CANDIDATES = [
    PKG / "registry" / "data" / "gbt4754_2017.csv",
    ROOT.parent / "shared" / "data" / "cn_gbt4754_2017" / "gbt4754_2017.csv",
    Path("/work/shared/data/cn_gbt4754_2017/gbt4754_2017.csv"),
]
DOMAINS = {"hazchem", "industry_trade", "mining", "fireworks", "general"}
LEVELS = {"section": 1, "division": 2, "group": 3, "class": 4}


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def items_doc() -> dict:
    return _load(ITEMS)


@cache
def high_risk_doc() -> dict:
    return _load(HIGH_RISK)


@cache
def gbt() -> dict[str, dict]:
    path = next((p for p in GBT_CANDIDATES if p.exists()), None)
    assert path is not None, f"GB/T 4754-2017 table not found in {GBT_CANDIDATES}"
    with path.open(encoding="utf-8-sig") as f:
        return {row["code"]: row for row in csv.DictReader(f)}


def lookup(code: str) -> dict | None:
    """The documented semantics: the longest rule code that prefixes the industry code."""
    matches = [r for r in high_risk_doc()["rules"] if code.startswith(r["code"])]
    return max(matches, key=lambda r: len(r["code"])) if matches else None


# ---------------------------------------------------------------- R2.1 item list


def test_r2_1_default_item_list_has_at_least_thirty_items_with_unique_codes():
    codes = [i["code"] for i in items_doc()["items"]]
    assert len(codes) >= 30
    assert len(codes) == len(set(codes)), "duplicate item codes"


def test_r2_1_default_item_list_declares_version_title_source_and_the_five_domains():
    doc = items_doc()
    assert doc["version"] and doc["title"] and doc["source"]
    assert {d["code"] for d in doc["domains"]} == DOMAINS
    assert all(d["name"] for d in doc["domains"])


def test_r2_1_default_item_list_has_legal_basis_for_every_item():
    for item in items_doc()["items"]:
        basis = item["legal_basis"]
        assert basis, f"{item['code']}: no legal basis"
        for b in basis:
            assert b["law"] and b["version"], f"{item['code']}: {b}"
            assert isinstance(b["article"], int) and b["article"] > 0, f"{item['code']}: {b}"
            if "clause" in b:
                assert isinstance(b["clause"], int) and b["clause"] > 0, f"{item['code']}: {b}"
            assert b["text_excerpt"], f"{item['code']}: {b}"


def test_r2_1_every_item_names_unit_content_method_and_a_declared_domain():
    declared = {d["code"] for d in items_doc()["domains"]}
    units = set(items_doc().get("implementing_units", []))
    for item in items_doc()["items"]:
        code = item["code"]
        assert item["name"], code
        assert item["domain"] in declared, code
        assert item["implementing_unit"], code
        if units:
            assert item["implementing_unit"] in units, code
        assert item["content"] and all(isinstance(c, str) and c for c in item["content"]), code
        assert item["method"]["on_site"] and item["method"]["documents"], code
        assert isinstance(item["offsite_capable"], bool), code
        assert all(isinstance(s, str) and s for s in item.get("standards", [])), code


def test_r2_1_every_domain_has_items_and_about_a_third_can_be_done_off_site():
    items = items_doc()["items"]
    assert {i["domain"] for i in items} == DOMAINS
    offsite = sum(i["offsite_capable"] for i in items)
    assert 0.2 <= offsite / len(items) <= 0.5


def test_r2_1_cross_department_items_name_their_partner_departments():
    for item in items_doc()["items"]:
        assert isinstance(item["cross_department"], bool), item["code"]
        assert item["cross_department"] == bool(item["cross_departments"]), item["code"]
    assert any(i["cross_department"] for i in items_doc()["items"])


def test_r2_1_item_industry_codes_exist_in_gbt4754():
    table = gbt()
    for item in items_doc()["items"]:
        assert item["industries"], item["code"]
        missing = [c for c in item["industries"] if c not in table]
        assert not missing, f"{item['code']}: not in GB/T 4754-2017: {missing}"


# ---------------------------------------------------------------- R3.1 high-risk mapping


def test_r3_1_high_risk_mapping_states_source_and_lookup_rule():
    doc = high_risk_doc()
    assert doc["source"] and "安全生产法" in doc["source"]
    assert "最长" in doc["note"]


def test_r3_1_high_risk_mapping_codes_exist_in_gbt4754():
    table = gbt()
    for rule in high_risk_doc()["rules"]:
        row = table.get(rule["code"])
        assert row is not None, f"not in GB/T 4754-2017: {rule['code']}"
        assert LEVELS[rule["level"]] == int(row["level"]), rule["code"]
        assert rule["name"] == row["name"].strip(), rule["code"]


def test_r3_1_high_risk_mapping_has_no_two_rules_for_one_code():
    codes = [r["code"] for r in high_risk_doc()["rules"]]
    assert len(codes) == len(set(codes))


def test_r3_1_every_mapping_rule_has_a_domain_flag_and_basis():
    for rule in high_risk_doc()["rules"]:
        assert rule["domain"] in DOMAINS, rule["code"]
        assert isinstance(rule["high_risk"], bool), rule["code"]
        assert rule["basis"], rule["code"]


@pytest.mark.parametrize(
    ("code", "domain", "high_risk"),
    [
        ("0911", "mining", True),  # 铜矿采选: 矿山
        ("1120", "mining", True),  # 油气开采辅助 (外包工程承包单位)
        ("2614", "hazchem", True),  # 有机化学原料: falls under 26
        ("2625", "industry_trade", False),  # 有机肥料: the narrower rule beats 26
        ("2671", "general", True),  # 民用爆炸物品: high-risk, supervised elsewhere
        ("2672", "fireworks", True),  # 焰火、鞭炮
        ("2710", "hazchem", True),  # 化学药品原料药
        ("2720", "industry_trade", False),  # 化学药品制剂
        ("3120", "industry_trade", True),  # 炼钢: 金属冶炼
        ("3130", "industry_trade", False),  # 钢压延加工: no smelting
        ("3216", "industry_trade", True),  # 铝冶炼
        ("3392", "industry_trade", True),  # 有色金属铸造 (熔炼)
        ("1351", "industry_trade", False),  # 牲畜屠宰: 工贸 (涉氨制冷 possible)
        ("5162", "hazchem", True),  # 石油及制品批发
        ("5265", "hazchem", True),  # 加油站
        ("5942", "hazchem", True),  # 危险化学品仓储
        ("5212", "industry_trade", False),  # 超市: 商贸
        ("5435", "general", False),  # 危险货物道路运输: 交通运输 supervises
        ("4710", "general", False),  # 住宅房屋建筑: 住建 supervises
    ],
)
def test_r3_1_longest_prefix_gives_the_expected_domain(code, domain, high_risk):
    assert code in gbt()
    rule = lookup(code)
    assert rule is not None
    assert (rule["domain"], rule["high_risk"]) == (domain, high_risk)


def test_r3_1_codes_without_a_rule_fall_back_to_general():
    # 货币金融服务 and 教育 are outside the bureau's direct supervision.
    assert lookup("6610") is None
    assert lookup("8310") is None
