"""Issue 8, item 11: one shape of `reasons` across apps. Every `reasons` an API answer can
carry is a list of `{code, message}` objects, declared once (`core.schemas.ReasonOut`), and
the rules and services build them with `rules.results.reason_dicts`."""

from __future__ import annotations

from typing import Any

import pytest

from fairinspect.rules.results import Reason, reason_dicts

ONE_SHAPE = {"$ref": "#/components/schemas/ReasonOut"}


def _reasons_properties(node: Any, path: str = "") -> list[tuple[str, dict]]:
    out: list[tuple[str, dict]] = []
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict) and "reasons" in props:
            out.append((path, props["reasons"]))
        for k, v in node.items():
            out.extend(_reasons_properties(v, f"{path}/{k}"))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_reasons_properties(v, f"{path}/{i}"))
    return out


def test_r13_1_every_reasons_property_of_the_openapi_document_is_a_list_of_reason_out(client):
    doc = client.get("/api/v1/openapi.json").json()
    found = _reasons_properties(doc)
    # Refusals (ApiError, Refusal, CaseError) and answers (discretion, cases, check-in,
    # joint checks, draw pools' exclusions) all carry reasons: the walk must see them.
    assert len(found) >= 8, found
    for path, prop in found:
        assert prop.get("type") == "array", path
        assert prop.get("items") == ONE_SHAPE, (path, prop)
    reason = doc["components"]["schemas"]["ReasonOut"]
    assert set(reason["properties"]) == {"code", "message"}
    assert set(reason["required"]) == {"code", "message"}


def test_r13_1_reason_dicts_is_the_one_conversion():
    assert reason_dicts([Reason("a", "甲"), Reason("b", "乙")]) == [
        {"code": "a", "message": "甲"},
        {"code": "b", "message": "乙"},
    ]


@pytest.mark.django_db
def test_r13_1_a_case_step_refused_for_its_state_carries_code_and_message_reasons(
    make_enterprise, city_officer
):
    import datetime as dt

    from fairinspect.cases import services
    from fairinspect.core.errors import Conflict

    ent = make_enterprise(district_code="650102")
    case = services.open_case(
        actor=city_officer,
        enterprise=ent,
        party="unit",
        violation_code="AQSCF2021-97-4",
        on=dt.date(2025, 6, 2),
    )
    with pytest.raises(Conflict) as exc:
        services.transition(
            actor=city_officer, case=case, action="serve", data={}, today=dt.date(2025, 6, 2)
        )
    reasons = exc.value.extra["reasons"]
    assert reasons and all(set(r) == {"code", "message"} for r in reasons), reasons


def test_r13_1_monitoring_rules_give_reason_objects():
    from fairinspect.rules import monitoring as m

    check = m.may_review(
        reviewer_is_staff=False, reviewer_id=1, reported_by_id=1, stage=m.Stage.OPEN
    )
    assert [r.code for r in check.reasons] == ["not_staff", "own_report", "not_reported"]
    assert all(isinstance(r, Reason) for r in check.reasons)
