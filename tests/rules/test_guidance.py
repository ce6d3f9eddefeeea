"""R2.4 (谁执法谁普法: which guidance a visit gives) and R8.6 (every entry is an inspection)."""

from __future__ import annotations

import pytest

from fairinspect.rules.guidance import (
    EntryKind,
    GuidanceEntryFacts,
    clean_entry_kind,
    propose_guidance,
)

ENTRIES = [
    GuidanceEntryFacts("GL-A", "主要负责人职责", (), ("ZH-001",), ("V-94",)),
    GuidanceEntryFacts("GL-B", "重大危险源", ("26", "5162"), ("WH-005",), ("V-101-2",)),
    GuidanceEntryFacts("GL-C", "餐饮燃气报警", ("62",), ("ZH-008",), ("V-99-8",)),
    GuidanceEntryFacts("GL-D", "全行业通识", (), (), ()),
]


def codes(proposals):
    return [p.code for p in proposals]


def test_r2_4_guidance_follows_the_visits_items_within_the_enterprises_industry():
    p = propose_guidance(ENTRIES, industry_code="2614", item_codes=["WH-005", "ZH-001"])
    assert codes(p) == ["GL-A", "GL-B"]
    assert p[1].reasons[0].code == "visit_item"
    assert "WH-005" in p[1].reasons[0].message


def test_r2_4_an_entry_for_another_industry_is_not_proposed_even_for_a_matching_item():
    p = propose_guidance(ENTRIES, industry_code="6210", item_codes=["WH-005", "ZH-008"])
    assert codes(p) == ["GL-C"]


def test_r2_4_an_industry_match_alone_proposes_nothing():
    assert propose_guidance(ENTRIES, industry_code="2614", item_codes=["X-1"]) == ()


def test_r2_4_past_findings_and_violations_add_entries_with_their_reason():
    p = propose_guidance(
        ENTRIES,
        industry_code="2614",
        item_codes=[],
        past_item_codes=["ZH-001"],
        past_violation_codes=["V-101-2"],
    )
    assert codes(p) == ["GL-A", "GL-B"]
    assert [r.code for r in p[0].reasons] == ["past_finding"]
    assert [r.code for r in p[1].reasons] == ["past_violation"]


KINDS = {
    "inspection": EntryKind("inspection", "执法检查", premises=False),
    "supervision": EntryKind("supervision", "督导", premises=True),
    "observation": EntryKind("observation", "观摩", premises=True),
}


@pytest.mark.parametrize("value", ["supervision", "督导", " 观摩 "])
def test_r8_6_an_entry_under_another_name_is_an_on_site_inspection(value):
    kind, err = clean_entry_kind(value, KINDS, visit_kind="on_site")
    assert err is None and kind is not None and kind.premises


@pytest.mark.parametrize("value", ["督导", "observation"])
def test_r8_6_a_named_entry_cannot_be_filed_as_off_site(value):
    kind, err = clean_entry_kind(value, KINDS, visit_kind="off_site")
    assert kind is None and err is not None
    assert (err.field, err.code) == ("entry_kind", "entry_is_on_site")
    assert "严禁变相检查" in err.message


def test_r8_6_a_plain_inspection_may_be_off_site():
    kind, err = clean_entry_kind("inspection", KINDS, visit_kind="off_site")
    assert err is None and kind.code == "inspection"


@pytest.mark.parametrize(("value", "code"), [("", "required"), ("参观", "entry_kind_unknown")])
def test_r8_6_an_unknown_or_empty_name_is_refused_naming_the_field(value, code):
    kind, err = clean_entry_kind(value, KINDS, visit_kind="on_site")
    assert kind is None and (err.field, err.code) == ("entry_kind", code)
