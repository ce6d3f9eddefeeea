"""R7.1 the violation catalogue covers every article of 安全生产法 (2021) chapter VI that punishes
a production unit or its people (第九十三条至第一百一十二条), with the fine ranges the law gives
for the unit and for the persons. The table below is read from the law's text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fairinspect.rules.discretion import Party, Stage, load_catalogue

U, P = Party.UNIT, Party.PERSON
INI, OVD, ACC = Stage.INITIAL, Stage.OVERDUE, Stage.ACCIDENT
W = 10000  # 万元

# code → {(party, stage): (basis, min, max)}: every fine the article sets for that violation.
LAW = {
    "AQSCF2021-93": {(P, ACC): ("amount", 2 * W, 20 * W)},
    "AQSCF2021-94": {(P, INI): ("amount", 2 * W, 5 * W), (P, OVD): ("amount", 5 * W, 10 * W)},
    "AQSCF2021-95-1": {(P, ACC): ("income_percent", 40, 40)},
    "AQSCF2021-95-4": {(P, ACC): ("income_percent", 100, 100)},
    "AQSCF2021-96": {(P, INI): ("amount", 1 * W, 3 * W), (P, ACC): ("income_percent", 20, 50)},
    **{
        f"AQSCF2021-97-{i}": {
            (U, INI): ("amount", 0, 10 * W),
            (U, OVD): ("amount", 10 * W, 20 * W),
            (P, OVD): ("amount", 2 * W, 5 * W),
        }
        for i in range(1, 8)
    },
    **{
        f"AQSCF2021-98-{i}": {
            (U, INI): ("amount", 10 * W, 50 * W),
            (U, OVD): ("amount", 50 * W, 100 * W),
            (P, INI): ("amount", 2 * W, 5 * W),
            (P, OVD): ("amount", 5 * W, 10 * W),
        }
        for i in range(1, 5)
    },
    **{
        f"AQSCF2021-99-{i}": {
            (U, INI): ("amount", 0, 5 * W),
            (U, OVD): ("amount", 5 * W, 20 * W),
            (P, OVD): ("amount", 1 * W, 2 * W),
        }
        for i in range(1, 9)
    },
    "AQSCF2021-100": {},  # 依照有关危险物品安全管理的法律、行政法规处罚: no range in this law
    **{
        f"AQSCF2021-101-{i}": {
            (U, INI): ("amount", 0, 10 * W),
            (U, OVD): ("amount", 10 * W, 20 * W),
            (P, OVD): ("amount", 2 * W, 5 * W),
        }
        for i in range(1, 6)
    },
    "AQSCF2021-102": {(U, INI): ("amount", 0, 5 * W), (P, OVD): ("amount", 5 * W, 10 * W)},
    "AQSCF2021-103-1": {(U, INI): ("amount", 10 * W, 20 * W), (P, INI): ("amount", 1 * W, 2 * W)},
    "AQSCF2021-103-2": {(U, INI): ("amount", 0, 5 * W), (P, INI): ("amount", 0, 1 * W)},
    "AQSCF2021-103-3": {(U, INI): ("amount", 0, 10 * W), (P, INI): ("amount", 0, 2 * W)},
    "AQSCF2021-103-4": {(U, INI): ("amount", 10 * W, 20 * W), (P, INI): ("amount", 5 * W, 10 * W)},
    "AQSCF2021-104": {(U, INI): ("amount", 0, 5 * W), (P, INI): ("amount", 0, 1 * W)},
    "AQSCF2021-105-1": {(U, INI): ("amount", 0, 5 * W), (P, INI): ("amount", 0, 1 * W)},
    "AQSCF2021-105-2": {(U, INI): ("amount", 0, 5 * W), (P, INI): ("amount", 0, 1 * W)},
    "AQSCF2021-106": {(P, INI): ("amount", 2 * W, 10 * W)},
    "AQSCF2021-108": {(U, OVD): ("amount", 2 * W, 20 * W), (P, OVD): ("amount", 1 * W, 2 * W)},
    "AQSCF2021-109": {(U, INI): ("amount", 5 * W, 10 * W), (U, OVD): ("amount", 10 * W, 20 * W)},
    "AQSCF2021-110-1": {(P, ACC): ("income_percent", 60, 100)},
    "AQSCF2021-110-2": {(P, ACC): ("income_percent", 60, 100)},
    "AQSCF2021-112": {},  # 按日连续处罚: computed from the original fine, not a range
}

# Articles of 第九十三条至第一百一十二条 that do not punish a production unit or its people:
# 第一百零七条 (the unit disciplines its own staff) and 第一百一十一条 (local governments).
NOT_PUNISHING_A_UNIT = {107, 111}


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_r7_1_every_article_93_to_112_that_punishes_a_unit_or_its_people_is_in_the_catalogue(
    catalogue,
):
    articles = {v.article for v in catalogue.violations}
    assert set(range(93, 113)) - NOT_PUNISHING_A_UNIT <= articles
    assert {103, 106, 110} <= articles
    assert not NOT_PUNISHING_A_UNIT & articles


@pytest.mark.parametrize("code", sorted(LAW))
def test_r7_1_each_violation_has_exactly_the_fine_ranges_of_the_law(catalogue, code):
    v = catalogue.get(code)
    fines = {
        (party, stage): (s.fine.basis, s.fine.min, s.fine.max)
        for party, stage, s in v.sanctions
        if s.fine is not None
    }
    expected = {k: (b, Decimal(lo), Decimal(hi)) for k, (b, lo, hi) in LAW[code].items()}
    assert fines == expected
    parties = {p for p, _s in LAW[code]}
    if {U, P} <= parties:  # where the law gives both, both are there
        assert {p for p, _s in fines} == {U, P}
    assert v.penalty_text and v.legal_basis.startswith("《安全生产法》")
    assert v.penalty_basis.startswith("《安全生产法》第")


def test_r7_1_the_daily_fine_of_article_112_stays_not_computed(catalogue):
    v = catalogue.get("AQSCF2021-112")
    assert v.kind == "daily" and all(s.fine is None for _p, _s, s in v.sanctions)


def test_r7_1_illegal_gain_multiples_are_noted_not_computed(catalogue):
    for code in ("AQSCF2021-103-1", "AQSCF2021-103-4"):
        assert "违法所得二倍以上五倍以下" in catalogue.get(code).notes
