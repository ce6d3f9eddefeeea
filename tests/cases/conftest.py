"""Fixtures for penalty cases: the published no-penalty list, an enterprise with a main
person, and a helper that walks a case through the procedure as the right people."""

from __future__ import annotations

import datetime as dt

import pytest

from fairinspect.cases import services
from fairinspect.cases.procedure import STEPS

FILED = dt.date(2025, 6, 2)  # a Monday


@pytest.fixture
def npl(db, admin_user):
    version = services.load_no_penalty_list(actor=admin_user)
    return services.publish_no_penalty_list(
        actor=admin_user, version=version, on=dt.date(2025, 1, 2)
    )


@pytest.fixture
def ent(make_enterprise):
    return make_enterprise(
        name="天山示例化工有限公司",
        district_code="650102",
        main_person="张建国",
        main_person_phone="13912345678",
    )


@pytest.fixture
def low_risk_ent(make_enterprise):
    return make_enterprise(
        name="天山示例商贸有限公司",
        district_code="650102",
        industry_id="5212",
        high_risk=False,
        main_person="李明",
    )


FACTS_ORDINARY = {
    "first_offence": False,
    "harm": "slight",
    "staff_affected_share": "0.05",
    "headcount": 50,
}


@pytest.fixture
def walk(city_officer, approver, legal_reviewer):
    """walk(case, until) takes every step up to and including `until`, as the right role."""
    people = {"officer": city_officer, "approver": approver, "legal": legal_reviewer}

    def step(case, action, who, today, **data):
        return services.transition(
            actor=people[who], case=case, action=action, data=data, today=today
        )

    def run(case, until: str, *, facts=None, proposed_fine=None, reason="", start=FILED):
        plan = [
            ("approve_filing", "approver", 0, {}),
            (
                "investigate",
                "officer",
                3,
                {
                    "facts": facts if facts is not None else FACTS_ORDINARY,
                    "facts_text": "2025年6月2日检查发现未如实记录培训情况。",
                    "evidence": "现场检查记录\n询问笔录\n培训档案复印件",
                    **({"proposed_fine": proposed_fine} if proposed_fine is not None else {}),
                    **({"outside_range_reason": reason} if reason else {}),
                },
            ),
            ("notify", "officer", 4, {}),
            (
                "record_statement",
                "officer",
                6,
                {
                    "statement": "已整改，请求从轻。",
                    "statement_answer": "已整改属实，但不属于法定从轻情形，不予采纳。",
                },
            ),
            (
                "legal_review",
                "legal",
                10,
                {
                    "opinion": "事实清楚，证据确凿，适用依据正确。",
                    "approve": True,
                    "accept_outside_range": bool(reason),
                },
            ),
            ("discuss", "approver", 11, {"minutes": "同意。"}),
            ("decide", "approver", 12, {}),
            ("serve", "officer", 13, {}),
            ("execute", "officer", 20, {}),
            ("close", "approver", 21, {}),
        ]
        for action, who, offset, data in plan:
            if case.status not in STEPS[action].sources or (
                action == "discuss" and not case.is_major
            ):
                if action == until:
                    break
                continue
            if action == "investigate" and "proposed_fine" not in data:
                # The officer states the proposal (an empty one is refused): the floor.
                data["proposed_fine"] = str(
                    services.assess(
                        enterprise=case.enterprise,
                        violation_code=case.violation_code,
                        party=case.party,
                        facts=data["facts"],
                        on=start + dt.timedelta(days=offset),
                        exclude=case,
                    )[0].fine_min
                )
            case = step(case, action, who, start + dt.timedelta(days=offset), **data)
            if action == until:
                break
        return case

    run.step = step
    run.people = people
    return run


@pytest.fixture
def new_case(city_officer, ent):
    def make(violation="AQSCF2021-97-4", party="unit", enterprise=None, **kw):
        return services.open_case(
            actor=city_officer,
            enterprise=enterprise or ent,
            party=party,
            violation_code=violation,
            on=kw.pop("on", dt.date(2025, 6, 1)),
            **kw,
        )

    return make


@pytest.fixture
def second_approver(make_user):
    """Another approver of the city bureau: proposes listings the first one decides."""
    from fairinspect.core.roles import Role

    return make_user("approver2", Role.APPROVER, department="650100-WH", first_name="钱科长")


@pytest.fixture
def listed(second_approver, approver, city_officer):
    """listed(case, on=…) takes a decided case through the listing procedure of 令第11号: the
    second approver proposes (a ground with a written basis), the officer serves the notice,
    the statement period runs out, and the approver decides on `on`."""

    def run(case, *, on, decider=None, reason="现场核实：安全生产许可证已被暂扣，仍组织生产。"):
        proposed = services.propose_listing_by_approver(
            actor=second_approver,
            case=case,
            ground="unlicensed_operation",
            reason=reason,
            on=case.decided_on,
        )
        services.notify_listing(actor=city_officer, listing=proposed, on=case.decided_on)
        return services.list_dishonest(actor=decider or approver, listing=proposed, on=on)

    return run
