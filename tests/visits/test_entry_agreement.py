"""R3.4, R6.1: what the 扫码入企 pre-check predicts is what check-in decides.

Both call `rules.entry.decide_entry` over facts built by `visits.queries.entry_facts`; this
property test generates states of the world (cap and history, grade and its validity, the
enforcement level, a city visit before a district one, each officer's certificate on the
day, the plan's state, the record behind an exempt trigger) and asserts that the page's
verdict and the service's decision agree, refusal code included.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fairinspect.core.errors import DomainError
from fairinspect.core.roles import Role
from fairinspect.registry.models import Certificate, Department, Officer
from fairinspect.visits import queries, services
from fairinspect.visits.models import Visit

from .conftest import TODAY, nonce
from .test_services import fill

pytestmark = pytest.mark.django_db(transaction=False)

CERT = st.sampled_from(["valid", "valid", "valid", "valid", "expired", "suspended", "off_duty"])
# (enterprise's enforcement level, inspecting team, district partner, city visit before)
LEVELS = {
    "city": ("city", "city", False, False),
    "district": ("district", "district", False, False),
    "district_after_city": ("district", "district", False, True),
    "city_joint": ("district", "city", True, False),
    "city_no_partner": ("district", "city", False, False),
    "district_on_city_enterprise": ("city", "district", False, False),
}
STATE = st.fixed_dictionaries(
    {
        "high_risk": st.booleans(),
        "grade": st.sampled_from([1, 2, 3, None]),
        "grade_validity": st.sampled_from(["open", "lapsed", "not_yet"]),
        "done_before": st.integers(0, 6),
        "level": st.sampled_from(sorted(LEVELS)),
        "trigger": st.sampled_from(
            [
                "annual_plan",
                "annual_plan",
                "annual_plan",
                "application",
                "application_declined",
                "application_legacy_use",
                "follow_up",
                "follow_up_rectified",
            ]
        ),
        "status": st.sampled_from(
            [
                "approved",
                "approved",
                "approved",
                "approved",
                "plan_submitted",
                "in_progress",
                "done",
            ]
        ),
        "cert1": CERT,
        "cert2": CERT,
        "other_year": st.sampled_from([False, False, False, False, True]),
    }
)
BASE = {
    "high_risk": False,
    "grade": 1,
    "grade_validity": "open",
    "done_before": 0,
    "level": "city",
    "trigger": "annual_plan",
    "status": "approved",
    "cert1": "valid",
    "cert2": "valid",
    "other_year": False,
}
# The cases the issue names, always run besides the generated ones.
EXAMPLES = [
    BASE,
    {**BASE, "done_before": 1},  # non-high-risk grade 1: cap 1, used up
    {**BASE, "done_before": 1, "grade_validity": "lapsed"},  # lapsed: 未定级, cap 5
    {**BASE, "done_before": 1, "grade": None, "grade_validity": "not_yet"},
    {**BASE, "done_before": 4, "grade": 3, "grade_validity": "not_yet"},  # grade not in force
    {**BASE, "level": "district_after_city"},
    {**BASE, "level": "city_no_partner"},
    {**BASE, "done_before": 1, "trigger": "application"},
    {**BASE, "done_before": 1, "trigger": "application_declined"},
    {**BASE, "trigger": "application_legacy_use"},
    {**BASE, "trigger": "follow_up_rectified", "level": "district_after_city"},
    {**BASE, "cert1": "expired"},
    {**BASE, "cert2": "off_duty"},
    {**BASE, "status": "plan_submitted"},
    {**BASE, "other_year": True},
]


def _examples(test):
    for e in reversed(EXAMPLES):
        test = example(state=e)(test)
    return test


def _officers(make_user, make_officer, dept: str, tag: str):
    out = []
    for i in (1, 2):
        u = make_user(f"{tag}{i}", Role.OFFICER, department=dept, first_name=f"{tag}{i}")
        out.append((u, make_officer(f"{tag}{i}", department=dept, user=u)))
    return out


def _spoil(officer: Officer, how: str) -> None:
    if how == "expired":
        Certificate.objects.filter(officer=officer).update(valid_to=TODAY - dt.timedelta(days=1))
    elif how == "suspended":
        Certificate.objects.filter(officer=officer).update(status="suspended")
    elif how == "off_duty":
        Officer.objects.filter(pk=officer.pk).update(status="left")


def _decide_by_service(users, visit_id) -> tuple[bool, str]:
    try:
        for u in users:
            out = services.confirm_check_in(actor=u, visit_id=visit_id, nonce=nonce())
            if out.started or out.visit.status == "in_progress":
                return True, ""
    except DomainError as exc:
        return False, exc.code
    return True, ""


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@_examples
@given(state=STATE)
def test_r3_4_r6_1_the_pre_check_predicts_exactly_what_check_in_decides(
    state, make_user, make_officer, make_enterprise, items, records
):
    with transaction.atomic():
        _run(state, make_user, make_officer, make_enterprise, items, records)
        transaction.set_rollback(True)


def _run(s, make_user, make_officer, make_enterprise, items, records):
    validity = {
        "open": {},
        "lapsed": {"grade_valid_to": dt.date(2025, 1, 31)},
        "not_yet": {"grade_valid_from": dt.date(2025, 9, 1)},
    }[s["grade_validity"]]
    supervising, team_level, partner, city_before = LEVELS[s["level"]]
    ent = make_enterprise(
        high_risk=s["high_risk"],
        standardization_grade=s["grade"],
        supervising_level=supervising,
        **validity,
    )
    dept = "650100-WH" if team_level == "city" else "650102"
    tag = f"p{ent.pk}"
    team = _officers(make_user, make_officer, dept, tag)
    approver = make_user(f"{tag}a", Role.APPROVER, department=dept)
    fill(ent, s["done_before"])
    trigger, justification = "annual_plan", None
    if s["trigger"].startswith("application"):
        app, justification = records.application(ent)
        trigger = "application"
    elif s["trigger"].startswith("follow_up"):
        order, justification = records.order(ent)
        trigger = "follow_up"
    joint = [Department.objects.get(code="650102").pk] if partner else []
    v = services.create_visit(
        actor=team[0][0],
        enterprise=ent,
        kind="on_site",
        trigger=trigger,
        planned_date=TODAY,
        item_codes=[i.code for i in items["onsite"][:2]],
        officer_ids=[o.pk for _u, o in team],
        justification=justification,
        joint_department_ids=joint,
        today=TODAY,
    )
    # The state after approval, however it came about (the world moves between approval
    # and the gate): status, the record, the city's visit, certificates, the plan's year.
    at = dt.datetime(2025, 6, 18, 8, tzinfo=dt.UTC)
    Visit.objects.filter(pk=v.pk).update(
        status=s["status"],
        checked_in_at=at if s["status"] in ("in_progress", "done") else None,
        checked_out_at=at if s["status"] == "done" else None,
        planned_date=dt.date(2026, 1, 5) if s["other_year"] else TODAY,
    )
    if s["trigger"] == "application_declined":
        type(app).objects.filter(pk=app.pk).update(status="declined", decision_note="不予受理")
    if s["trigger"] == "application_legacy_use":
        fill(
            ent,
            1,
            trigger="application",
            justification_kind="enterprise_application",
            justification_reference=app.number,
            justification_date=app.submitted_on,
            justification_summary="旧检查",
        )
    if s["trigger"] == "follow_up_rectified":
        type(order).objects.filter(pk=order.pk).update(status="rectified")
    if city_before:
        city = Visit.objects.create(
            enterprise=ent,
            kind="on_site",
            trigger="random_draw",
            status="done",
            planned_date=dt.date(2025, 3, 1),
            department=Department.objects.get(code="650100-WH"),
            inspecting_level="city",
            checked_in_at=dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC),
            checked_out_at=dt.datetime(2025, 3, 1, 11, tzinfo=dt.UTC),
        )
        city.items.set(items["onsite"][:1])
    _spoil(team[0][1], s["cert1"])
    _spoil(team[1][1], s["cert2"])
    assert approver is not None

    # What the page predicts, built as the QR page builds it.
    officer = Officer.objects.get(pk=team[0][1].pk)
    pc = queries.precheck(ent, officer=officer, today=TODAY)
    mine = [m for m in pc.mine if m.pk == v.pk]
    if s["other_year"] or s["status"] == "done":
        # Not among this year's open visits on the page: the visit page predicts it.
        page = queries.verdict_for(
            Visit.objects.select_related("enterprise").get(pk=v.pk),
            facts=queries.visit_facts(ent.pk, TODAY.year),
            today=TODAY,
            officer=officer,
        )
    else:
        assert len(mine) == 1
        page = queries.verdict_for(
            mine[0], facts=pc.facts, today=TODAY, officer=officer, city_items=pc.city_items
        )
    # What the service decides: the two officers confirm on their own phones.
    allowed, code = _decide_by_service([team[0][0], team[1][0]], v.pk)
    assert (page.ok, page.code) == (allowed, code), (s, page.reasons)


APPROVAL_CASES = [
    {"done_before": 0},
    {"done_before": 1},  # non-high-risk grade 1: cap 1 used up
    {"level": "city_no_partner"},
    {"level": "district_after_city"},
    {"trigger": "application_declined"},
    {"trigger": "follow_up_rectified", "level": "district_after_city"},
]


@pytest.mark.parametrize("case", APPROVAL_CASES, ids=lambda c: "-".join(map(str, c.values())))
def test_r6_2_the_visit_page_predicts_what_approving_the_plan_answers(
    case, make_user, make_officer, make_enterprise, items, records, client
):
    s = {**BASE, **case}
    supervising, team_level, _partner, city_before = LEVELS[s["level"]]
    ent = make_enterprise(high_risk=False, standardization_grade=1, supervising_level=supervising)
    dept = "650100-WH" if team_level == "city" else "650102"
    team = _officers(make_user, make_officer, dept, "ap")
    approver = make_user("ap_approver", Role.APPROVER, department=dept)
    fill(ent, s["done_before"])
    trigger, justification = "annual_plan", None
    if s["trigger"].startswith("application"):
        app, justification = records.application(ent)
        trigger = "application"
    elif s["trigger"].startswith("follow_up"):
        order, justification = records.order(ent)
        trigger = "follow_up"
    v = services.create_visit(
        actor=team[0][0],
        enterprise=ent,
        kind="on_site",
        trigger=trigger,
        planned_date=TODAY,
        item_codes=[i.code for i in items["onsite"][:2]],
        officer_ids=[o.pk for _u, o in team],
        justification=justification,
        today=TODAY,
    )
    services.submit_plan(actor=team[0][0], visit=v)
    if s["trigger"] == "application_declined":
        type(app).objects.filter(pk=app.pk).update(status="declined", decision_note="不予受理")
    if s["trigger"] == "follow_up_rectified":
        type(order).objects.filter(pk=order.pk).update(status="rectified")
    if city_before:
        city = Visit.objects.create(
            enterprise=ent,
            kind="on_site",
            trigger="random_draw",
            status="done",
            planned_date=dt.date(2025, 3, 1),
            department=Department.objects.get(code="650100-WH"),
            inspecting_level="city",
            checked_in_at=dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC),
            checked_out_at=dt.datetime(2025, 3, 1, 11, tzinfo=dt.UTC),
        )
        city.items.set(items["onsite"][:1])
    client.force_login(approver)
    page = client.get(f"/visits/{v.pk}/").context["approval_verdict"]
    try:
        services.approve_plan(actor=approver, visit=Visit.objects.get(pk=v.pk), today=TODAY)
        decided = (True, "")
    except DomainError as exc:
        decided = (False, exc.code)
    assert (page.ok, page.code if not page.ok else "") == decided
