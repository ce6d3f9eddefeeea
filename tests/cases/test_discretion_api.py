"""Worked cases through POST /api/v1/discretion (R7.2, R7.3) and the catalogue (R7.1).

Each row is written from the law's text: the statutory range of the article, the baseline tier
that the facts select, then the lower/middle/upper third for 从轻/一般/从重 (or below the statutory
minimum for 减轻, nothing for 不予处罚).
"""

from __future__ import annotations

import pytest

URL = "/api/v1/discretion"

WORKED = [
    # 97(4), unit: 责令限期改正，处十万元以下罚款; tier 1 (<10% of staff) is 0–30,000; 一般 = middle third.
    (
        "AQSCF2021-97-4",
        "unit",
        {"staff_affected_share": "0.05", "headcount": 40},
        "ordinary",
        "10000",
        "20000",
        None,
    ),
    # Same, first offence with slight harm corrected in time, 5 people: list item 1 → 不予处罚.
    (
        "AQSCF2021-97-4",
        "unit",
        {
            "first_offence": True,
            "harm": "slight",
            "corrected_in_time": True,
            "people_affected": 5,
            "staff_affected_share": "0.05",
        },
        "no_penalty",
        "0",
        "0",
        "1",
    ),
    # Same but 12 people: outside item 1's scope → 从轻 (first offence corrected) in tier 1: 0–10,000.
    (
        "AQSCF2021-97-4",
        "unit",
        {
            "first_offence": True,
            "harm": "slight",
            "corrected_in_time": True,
            "people_affected": 12,
            "staff_affected_share": "0.05",
        },
        "lighter",
        "0",
        "10000",
        None,
    ),
    # 94, the main person: 二万元以上五万元以下, no tier → thirds of the legal range.
    ("AQSCF2021-94", "person", {}, "ordinary", "30000", "40000", None),
    # 94 overdue: 五万元以上十万元以下.
    ("AQSCF2021-94", "person", {"overdue_uncorrected": True}, "ordinary", "66667", "83333", None),
    # 94 with two statutory mitigations and no aggravation: 减轻, below the minimum of 20,000.
    (
        "AQSCF2021-94",
        "person",
        {"mitigations": ["confessed", "actively_reduced_harm"]},
        "mitigated",
        "0",
        "19999",
        None,
    ),
    # 102, unit: 五万元以下; refusing the inspection is an aggravation → upper third.
    (
        "AQSCF2021-102",
        "unit",
        {"aggravations": ["refused_inspection"]},
        "heavier",
        "33333",
        "50000",
        None,
    ),
    # No fault proven: 第三十三条第二款 → 不予处罚 regardless of the list.
    ("AQSCF2021-99-3", "unit", {"no_fault": True}, "no_penalty", "0", "0", None),
    # Minor, corrected, no harm: 第三十三条第一款 → 不予处罚.
    (
        "AQSCF2021-99-1",
        "unit",
        {"minor": True, "corrected_in_time": True, "harm": "none"},
        "no_penalty",
        "0",
        "0",
        None,
    ),
]


@pytest.mark.parametrize(("code", "party", "facts", "grade", "lo", "hi", "item"), WORKED)
def test_r7_2_worked_cases_give_the_grade_and_range_the_law_gives(
    client, city_officer, api_token, npl, code, party, facts, grade, lo, hi, item
):
    r = client.post(
        URL,
        {"violation_code": code, "party": party, "facts": facts},
        content_type="application/json",
        **api_token(city_officer),
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert (body["grade"], body["fine_min"], body["fine_max"]) == (grade, lo, hi)
    assert body["no_penalty_item"] == item
    assert body["reasons"] and all(x["message"] for x in body["reasons"])
    if grade not in ("no_penalty",):
        assert any("《安全生产法》" in x["message"] for x in body["reasons"])


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        (
            {"violation_code": "AQSCF2021-999", "party": "unit", "facts": {}},
            "violation_code",
            "unknown_violation",
        ),
        ({"violation_code": "AQSCF2021-94", "party": "company", "facts": {}}, "party", "invalid"),
        (
            {"violation_code": "AQSCF2021-94", "party": "person", "facts": {"harm": "bad"}},
            "facts.harm",
            "invalid",
        ),
        (
            {
                "violation_code": "AQSCF2021-94",
                "party": "person",
                "facts": {"staff_affected_share": 2},
            },
            "facts.staff_affected_share",
            "invalid",
        ),
        (
            {
                "violation_code": "AQSCF2021-94",
                "party": "person",
                "facts": {"aggravations": ["bribery"]},
            },
            "facts.aggravations",
            "unknown_aggravation",
        ),
        (
            {"violation_code": "AQSCF2021-112", "party": "unit", "facts": {}},
            "violation_code",
            "not_discretionary",
        ),
        (
            {"violation_code": "AQSCF2021-109", "party": "person", "facts": {}},
            "violation_code",
            "no_sanction",
        ),
    ],
)
def test_r7_2_bad_input_is_422_with_code_message_and_field(
    client, city_officer, api_token, body, field, code
):
    r = client.post(URL, body, content_type="application/json", **api_token(city_officer))
    assert r.status_code == 422
    out = r.json()
    assert (out["field"], out["code"]) == (field, code) and out["message"]


def test_r7_2_the_discretion_endpoint_is_for_staff_only(client, enterprise_user, api_token):
    r = client.post(
        URL,
        {"violation_code": "AQSCF2021-94", "party": "person", "facts": {}},
        content_type="application/json",
        **api_token(enterprise_user),
    )
    assert r.status_code == 403
    assert client.post(URL, {}, content_type="application/json").status_code == 401


def test_r7_1_the_catalogue_filters_by_law_and_article_and_keys_on_the_version(client, db):
    r = client.get("/api/v1/violations", {"law": "安全生产法", "article": 97})
    assert r.status_code == 200
    rows = r.json()
    assert [x["code"] for x in rows] == [f"AQSCF2021-97-{i}" for i in range(1, 8)]
    assert {(x["law"], x["version"], x["article"], x["clause"]) for x in rows} == {
        ("安全生产法", "2021", 97, 1)
    }
    assert rows[3]["unit_penalty"].startswith("责令限期改正")
    articles = {x["article"] for x in client.get("/api/v1/violations").json()}
    assert {94, 96, 97, 99, 101, 102, 105, 108, 109, 112, 114} <= articles
    assert client.get("/api/v1/violations", {"law": "刑法"}).json() == []
