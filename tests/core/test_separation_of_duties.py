"""R1.5 separation of duties, as one table: every approving, reviewing or deciding action ×
(author, submitter, team member, another bureau's approver, own bureau's approver).

Every persona holds the approver (and legal reviewer) role, so a refusal here is the duties
rule (`rules.duties`), never a missing role: holding two roles is fine, using both on one
object is not. A refusal is a 403 with the code `separation_of_duties`, names why, and saves
nothing (the object's state and the audit trail are unchanged). Where a persona took no part
in an object (a special inspection has no team) the table says allowed, and the test proves it.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from fairinspect.core.duties import DutyRefused
from fairinspect.core.errors import DomainError
from fairinspect.core.roles import Role

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 18)
FILED = dt.date(2025, 6, 2)
STAFF_ROLES = (Role.OFFICER, Role.APPROVER, Role.LEGAL_REVIEWER)
PERSONAS = ("author", "submitter", "member", "other_bureau", "own_bureau")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2025, 6, 18, 4, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def world(make_user, make_officer, make_enterprise, admin_user):
    from fairinspect.cases import services as cases
    from fairinspect.catalog.services import load_default_list

    load_default_list()
    people = {}
    for name in ("author", "submitter", "member", "helper"):
        roles = (Role.OFFICER,) if name == "helper" else STAFF_ROLES
        user = make_user(f"sod_{name}", *roles, department="650100-WH")
        make_officer(f"员{name}", department="650100-WH", user=user)
        people[name] = user
    people["other_bureau"] = make_user(
        "sod_other", Role.APPROVER, Role.LEGAL_REVIEWER, department="650102"
    )
    people["own_bureau"] = make_user(
        "sod_own", Role.APPROVER, Role.LEGAL_REVIEWER, department="650100-ZH"
    )
    # The people who take the other steps of an object (never one of the personas).
    people["w_approver"] = make_user("sod_w_approver", Role.APPROVER, department="650100-WH")
    people["w_legal"] = make_user("sod_w_legal", Role.LEGAL_REVIEWER, department="650100-FZ")
    ent = make_enterprise(
        name="职责分离示例化工有限公司",
        supervising_level="city",
        standardization_grade=1,
        main_person="王刚",
    )
    people["enterprise"] = make_user("sod_ent", Role.ENTERPRISE, enterprise=ent)
    version = cases.load_no_penalty_list(actor=admin_user)
    cases.publish_no_penalty_list(actor=admin_user, version=version, on=dt.date(2025, 1, 2))
    return {"people": people, "enterprise": ent}


# ---- builders: each makes the object as the personas would, returns (act, state) --------------


def _visit(world):
    from fairinspect.catalog.models import InspectionItem
    from fairinspect.visits import services

    p = world["people"]
    codes = list(
        InspectionItem.objects.filter(
            version__status="published", domain="hazchem", offsite_capable=False
        )
        .order_by("code")
        .values_list("code", flat=True)[:2]
    )
    v = services.create_visit(
        actor=p["author"],
        enterprise=world["enterprise"],
        kind="on_site",
        trigger="annual_plan",
        planned_date=TODAY,
        item_codes=codes,
        officer_ids=[p["member"].officer.pk, p["helper"].officer.pk],
        today=TODAY,
    )
    return v


def visit_plan_approve(world):
    from fairinspect.visits import services
    from fairinspect.visits.models import Visit

    v = _visit(world)
    services.submit_plan(actor=world["people"]["submitter"], visit=v)
    return (
        lambda u: services.approve_plan(actor=u, visit=v, today=TODAY),
        lambda: Visit.objects.get(pk=v.pk).status,
    )


def visit_plan_reject(world):
    from fairinspect.visits import services
    from fairinspect.visits.models import Visit

    v = _visit(world)
    services.submit_plan(actor=world["people"]["submitter"], visit=v)
    return (
        lambda u: services.reject_plan(actor=u, visit=v, reason="请补充检查重点。"),
        lambda: Visit.objects.get(pk=v.pk).status,
    )


def merge_visits(world):
    from fairinspect.planning import joint
    from fairinspect.visits.models import Visit

    a, b = _visit(world), _visit(world)
    data = {"visit_ids": [a.pk, b.pk], "planned_date": "2025-06-20", "reason": "综合查一次"}
    return (
        lambda u: joint.merge(actor=u, data=data, today=TODAY),
        lambda: list(Visit.objects.filter(pk__in=[a.pk, b.pk]).values_list("merge_group")),
    )


def _annual_plan(world):
    from fairinspect.planning import services

    p = world["people"]
    plan = services.create_plan(actor=p["author"], data={"year": "2025"}, today=TODAY)
    return services.submit_plan(actor=p["submitter"], plan=plan)


def annual_plan_approve(world):
    from fairinspect.planning import services
    from fairinspect.planning.models import AnnualPlan

    plan = _annual_plan(world)
    data = {"approval_doc_no": "乌政函〔2025〕12号", "approval_date": "2025-06-18"}
    return (
        lambda u: services.approve_plan(actor=u, plan=plan, data=data),
        lambda: AnnualPlan.objects.get(pk=plan.pk).status,
    )


def annual_plan_return(world):
    from fairinspect.planning import services
    from fairinspect.planning.models import AnnualPlan

    plan = _annual_plan(world)
    return (
        lambda u: services.return_plan(actor=u, plan=plan, reason="请补充重点企业。"),
        lambda: AnnualPlan.objects.get(pk=plan.pk).status,
    )


def special_decide(world):
    from fairinspect.planning import services
    from fairinspect.planning.models import SpecialInspection
    from fairinspect.registry.models import Department

    p = world["people"]
    services.set_special_quota(
        actor=p["w_approver"],
        department=Department.objects.get(code="650100"),
        data={"year": "2025", "quota": "3", "source": "市局党委会议纪要"},
    )
    special = services.create_special(
        actor=p["author"],
        data={
            "kind": "key_period",
            "title": "国庆节前危险化学品重点时段检查",
            "targets": "全市危险化学品经营（带储存）企业",
            "content": "储存场所、重大危险源包保责任落实",
            "reason": "节日期间危险化学品运输和储存量增大",
            "start_date": "2025-09-20",
            "end_date": "2025-09-30",
        },
    )
    services.submit_special(actor=p["submitter"], special=special)
    return (
        lambda u: services.decide_special(actor=u, special=special, approve=True, note="同意"),
        lambda: SpecialInspection.objects.get(pk=special.pk).status,
    )


def redraw_decide(world, make_enterprise):
    from fairinspect.planning import draws
    from fairinspect.planning.models import Draw

    p = world["people"]
    for _ in range(3):
        make_enterprise(supervising_level="city")
    task = draws.create_task(
        actor=p["author"],
        data={
            "title": "2025年危险化学品储存安全“双随机”抽查",
            "items": ["YJ-WH-004"],
            "window_start": "2025-07-01",
            "window_end": "2025-07-31",
            "count": "1",
        },
    )
    task = draws.publish_pools(actor=p["author"], task=task)
    draw = draws.live_draw(task)
    draw = draws.record_seed(
        actor=p["author"], draw=draw, seed="20250701123456", entered_by="群众代表"
    )
    draws.run(actor=p["author"], draw=draw)
    pending = draws.request_redraw(actor=p["submitter"], task=task, reason="公证人员未到场")
    return (
        lambda u: draws.decide_redraw(actor=u, draw=pending, approve=True),
        lambda: Draw.objects.get(pk=pending.pk).status,
    )


def _case(world, until: str, *, major: bool = False):
    """A case opened by the author, investigated by the submitter (who proposes the penalty),
    notified and its statement recorded by the member; filed, reviewed and discussed by the
    fixed approver and legal reviewer."""
    from fairinspect.cases import services

    p = world["people"]
    case = services.open_case(
        actor=p["author"],
        enterprise=world["enterprise"],
        party="unit",
        violation_code="AQSCF2021-97-4",
        on=dt.date(2025, 6, 1),
    )
    facts = (
        {"harm": "serious", "staff_affected_share": "0.5"}
        if major
        else {"first_offence": False, "harm": "slight", "staff_affected_share": "0.05"}
    )
    plan = [
        ("approve_filing", "w_approver", 0, {}),
        (
            "investigate",
            "submitter",
            3,
            {
                "facts": facts,
                "facts_text": "检查发现未如实记录安全生产教育和培训情况。",
                "evidence": "现场检查记录\n询问笔录",
                "proposed_fine": "80000" if major else "10000",
            },
        ),
        ("notify", "member", 4, {}),
        (
            "record_statement",
            "member",
            6,
            {"statement": "已整改。", "statement_answer": "整改属实，不属于从轻情形。"},
        ),
        ("legal_review", "w_legal", 10, {"opinion": "事实清楚。", "approve": True}),
        ("discuss", "w_approver", 11, {"minutes": "同意。"}),
        ("decide", "w_approver", 12, {}),
        ("serve", "member", 13, {}),
    ]
    for action, who, offset, data in plan:
        if action == until:
            return case
        if action == "discuss" and not case.is_major:
            continue
        case = services.transition(
            actor=p[who], case=case, action=action, data=data, today=FILED + dt.timedelta(offset)
        )
    return case


def _case_step(action: str, data: dict, *, major: bool = False, offset: int = 12):
    def build(world):
        from fairinspect.cases import services
        from fairinspect.cases.models import Case

        case = _case(world, action, major=major)
        return (
            lambda u: services.transition(
                actor=u, case=case, action=action, data=data, today=FILED + dt.timedelta(offset)
            ),
            lambda: Case.objects.get(pk=case.pk).status,
        )

    return build


def _listing(world, *, listed: bool):
    from fairinspect.cases import services

    p = world["people"]
    case = _case(world, "none")  # decided and served
    listing = services.propose_listing_by_approver(
        actor=p["submitter"],
        case=case,
        ground="unlicensed_operation",
        reason="安全生产许可证暂扣期间仍组织生产（现场检查记录、询问笔录）。",
        on=case.decided_on,
    )
    listing = services.notify_listing(actor=p["member"], listing=listing, on=case.decided_on)
    if listed:
        listing = services.list_dishonest(
            actor=p["w_approver"], listing=listing, on=dt.date(2025, 7, 1)
        )
    return listing


def listing_decide(world):
    from fairinspect.cases import services
    from fairinspect.cases.models import DishonestyListing

    listing = _listing(world, listed=False)
    return (
        lambda u: services.list_dishonest(actor=u, listing=listing, on=dt.date(2025, 7, 1)),
        lambda: DishonestyListing.objects.get(pk=listing.pk).status,
    )


def listing_remove(world):
    from fairinspect.cases import services
    from fairinspect.cases.models import DishonestyListing

    listing = _listing(world, listed=True)
    return (
        lambda u: services.remove_dishonest(
            actor=u,
            listing=listing,
            on=listing.expires_on,
            reason=services.EXPIRY_REASON,
            early=False,
        ),
        lambda: DishonestyListing.objects.get(pk=listing.pk).status,
    )


def early_removal_decide(world):
    from fairinspect.cases import services
    from fairinspect.cases.models import RemovalApplication

    listing = _listing(world, listed=True)
    app = services.apply_early_removal(
        actor=world["people"]["enterprise"],
        listing=listing,
        statement="罚款已缴纳，整改完成，作出信用承诺。",
        on=dt.date(2026, 7, 2),
    )
    return (
        lambda u: services.decide_early_removal(
            actor=u, application=app, approve=True, note="符合条件。", on=dt.date(2026, 7, 3)
        ),
        lambda: RemovalApplication.objects.get(pk=app.pk).status,
    )


def credit_repair_decide(world):
    """R10.3: the enterprise applies to end the publication of a paid, published penalty;
    the case's handlers (author, submitter, member) and another bureau never decide it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fairinspect.cases import services
    from fairinspect.cases.models import CreditRepairApplication

    case = _case(world, "none")  # decided and served
    case = services.transition(
        actor=world["people"]["member"], case=case, action="execute", data={},
        today=FILED + dt.timedelta(20),
    )  # fmt: skip
    services.publish_disclosure(
        actor=world["people"]["member"], disclosure=case.disclosure, on=FILED + dt.timedelta(14)
    )
    pdf = b"%PDF-1.4\n"
    app = services.apply_credit_repair(
        actor=world["people"]["enterprise"],
        case=case,
        statement="罚款已缴清，违法行为已纠正。",
        commitment="本单位承诺遵守安全生产法律法规。",
        documents=[
            (k, SimpleUploadedFile(f"{k}.pdf", pdf, "application/pdf"))
            for k in ("commitment", "licence", "performance")
        ],
        on=dt.date(2025, 10, 8),
    )
    return (
        lambda u: services.decide_credit_repair(
            actor=u, application=app, grant=True, reason="符合条件。", on=dt.date(2025, 10, 9)
        ),
        lambda: CreditRepairApplication.objects.get(pk=app.pk).status,
    )


REFUSED, ALLOWED = False, True
# Who took part in each object: author drafted/registered/created it, submitter submitted
# (or proposed, investigated, requested), member is on its team (or notified the party).
TABLE = {
    "visit_plan_approve": (visit_plan_approve, (REFUSED, REFUSED, REFUSED, REFUSED, ALLOWED)),
    "visit_plan_reject": (visit_plan_reject, (REFUSED, REFUSED, REFUSED, REFUSED, ALLOWED)),
    "merge_visits": (merge_visits, (REFUSED, ALLOWED, REFUSED, REFUSED, ALLOWED)),
    "annual_plan_approve": (annual_plan_approve, (REFUSED, REFUSED, ALLOWED, REFUSED, ALLOWED)),
    "annual_plan_return": (annual_plan_return, (REFUSED, REFUSED, ALLOWED, REFUSED, ALLOWED)),
    "special_decide": (special_decide, (REFUSED, REFUSED, ALLOWED, REFUSED, ALLOWED)),
    "redraw_decide": (redraw_decide, (REFUSED, REFUSED, ALLOWED, REFUSED, ALLOWED)),
    # At filing only the author has taken part yet.
    "case_approve_filing": (
        _case_step("approve_filing", {}, offset=0),
        (REFUSED, ALLOWED, ALLOWED, REFUSED, ALLOWED),
    ),
    "case_legal_review": (
        _case_step("legal_review", {"opinion": "事实清楚。", "approve": True}, offset=10),
        (REFUSED, REFUSED, REFUSED, REFUSED, ALLOWED),
    ),
    "case_discuss": (
        _case_step("discuss", {"minutes": "同意。"}, major=True, offset=11),
        (REFUSED, REFUSED, REFUSED, REFUSED, ALLOWED),
    ),
    "case_decide": (
        _case_step("decide", {}, offset=12),
        (REFUSED, REFUSED, REFUSED, REFUSED, ALLOWED),
    ),
    "listing_decide": (listing_decide, (REFUSED, REFUSED, REFUSED, REFUSED, ALLOWED)),
    "listing_remove": (listing_remove, (REFUSED, REFUSED, REFUSED, REFUSED, ALLOWED)),
    "early_removal_decide": (
        early_removal_decide,
        (REFUSED, REFUSED, REFUSED, REFUSED, ALLOWED),
    ),
    "credit_repair_decide": (
        credit_repair_decide,
        (REFUSED, REFUSED, REFUSED, REFUSED, ALLOWED),
    ),
}

CASES = [
    pytest.param(action, persona, expected[i], id=f"{action}-{persona}")
    for action, (_build, expected) in TABLE.items()
    for i, persona in enumerate(PERSONAS)
]


@pytest.mark.parametrize(("action", "persona", "allowed"), CASES)
def test_r1_5_separation_of_duties_table(world, make_enterprise, action, persona, allowed):
    from fairinspect.audit.models import AuditEvent

    build = TABLE[action][0]
    act, state = build(world, make_enterprise) if build is redraw_decide else build(world)
    before, events = state(), AuditEvent.objects.count()
    user = world["people"][persona]
    if allowed:
        act(user)
        assert state() != before
        return
    with pytest.raises(DomainError) as exc:
        act(user)
    assert exc.value.message
    if persona == "other_bureau" and not isinstance(exc.value, DutyRefused):
        # Another bureau's approver may already be stopped by the app's own bureau check
        # (planning's access.require_approver) or not see the object at all.
        assert exc.value.status in (403, 404, 422)
    else:
        assert exc.value.status == 403 and exc.value.code == "separation_of_duties"
        assert exc.value.extra["reasons"]
    assert (state(), AuditEvent.objects.count()) == (before, events)  # nothing saved


def test_r1_5_a_city_sections_approver_does_not_approve_a_district_bureaus_plan(
    world, make_user, make_officer, make_enterprise
):
    from fairinspect.catalog.models import InspectionItem
    from fairinspect.visits import services

    officers = []
    for n in (1, 2):
        u = make_user(f"ts{n}", Role.OFFICER, department="650102")
        officers.append(make_officer(f"天山{n}", department="650102", user=u, scopes=("hazchem",)))
    ent = make_enterprise(district_code="650102", supervising_level="district")
    code = InspectionItem.objects.filter(
        version__status="published", domain="hazchem", offsite_capable=False
    ).values_list("code", flat=True)[0]
    v = services.create_visit(
        actor=officers[0].user,
        enterprise=ent,
        kind="on_site",
        trigger="annual_plan",
        planned_date=TODAY,
        item_codes=[code],
        officer_ids=[o.pk for o in officers],
        today=TODAY,
    )
    services.submit_plan(actor=officers[0].user, visit=v)
    city = world["people"]["own_bureau"]
    with pytest.raises(DutyRefused) as exc:
        services.approve_plan(actor=city, visit=v, today=TODAY)
    assert exc.value.extra["reasons"][0]["code"] == "other_bureau"
    assert "天山区应急管理局" in exc.value.message
    district = make_user("ts_approver", Role.APPROVER, department="650102")
    assert services.approve_plan(actor=district, visit=v, today=TODAY).status == "approved"


def test_r1_5_the_reviewer_of_a_case_does_not_also_decide_it(world, make_user):
    """Holding two roles is allowed; using both on one object is not."""
    from fairinspect.cases import services

    both = make_user("sod_both", Role.APPROVER, Role.LEGAL_REVIEWER, department="650100-FZ")
    case = _case(world, "legal_review")
    case = services.transition(
        actor=both,
        case=case,
        action="legal_review",
        data={"opinion": "事实清楚。", "approve": True},
        today=FILED + dt.timedelta(10),
    )
    with pytest.raises(DutyRefused) as exc:
        services.transition(actor=both, case=case, action="decide", data={}, today=FILED)
    assert exc.value.extra["reasons"][0]["code"] == "other_role_used"
    services.transition(
        actor=world["people"]["own_bureau"], case=case, action="decide", data={}, today=FILED
    )


# ---- the same decision through the API and on the pages --------------------------------------


def test_r1_5_the_api_refuses_the_author_approving_their_own_plan_with_the_code(
    world, client, api_token
):
    visit_plan_approve(world)
    from fairinspect.visits.models import Visit

    v = Visit.objects.get(status="plan_submitted")
    author = world["people"]["author"]
    r = client.post(f"/api/v1/visits/{v.pk}/plan/approve", **api_token(author))
    assert r.status_code == 403
    body = r.json()
    assert body["code"] == "separation_of_duties" and "起草" in body["message"]
    assert Visit.objects.get(pk=v.pk).status == "plan_submitted"
    r = client.post(
        f"/api/v1/visits/{v.pk}/plan/approve", **api_token(world["people"]["own_bureau"])
    )
    assert r.status_code == 200


def test_r1_5_the_visit_page_shows_the_reason_instead_of_the_approve_button(world, client):
    visit_plan_approve(world)
    from fairinspect.visits.models import Visit

    v = Visit.objects.get(status="plan_submitted")
    client.force_login(world["people"]["member"])
    page = client.get(f"/visits/{v.pk}/").content.decode()
    assert 'data-testid="duty-refusal"' in page and "检查组成员" in page
    assert f'action="/visits/{v.pk}/approve/"' not in page
    client.force_login(world["people"]["own_bureau"])
    page = client.get(f"/visits/{v.pk}/").content.decode()
    assert 'data-testid="duty-refusal"' not in page and "批准方案" in page


def test_r1_5_the_case_api_and_page_offer_no_decision_to_the_cases_handler(
    world, client, api_token
):
    from fairinspect.cases.models import Case

    _case(world, "decide")
    case = Case.objects.get(status="reviewed")
    submitter = world["people"]["submitter"]
    r = client.get(f"/api/v1/cases/{case.pk}", **api_token(submitter))
    assert "decide" not in r.json()["allowed_actions"]
    r = client.post(
        f"/api/v1/cases/{case.pk}/transitions",
        data={"action": "decide", "data": {}},
        content_type="application/json",
        **api_token(submitter),
    )
    assert r.status_code == 403 and r.json()["code"] == "separation_of_duties"
    client.force_login(submitter)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="duty-refusal"' in page and "作出决定" in page
    own = world["people"]["own_bureau"]
    r = client.get(f"/api/v1/cases/{case.pk}", **api_token(own))
    assert "decide" in r.json()["allowed_actions"]


def test_r1_5_r10_2_the_listing_api_refuses_the_proposer(world, client, api_token):
    listing = _listing(world, listed=False)
    url = f"/api/v1/dishonesty-listings/{listing.pk}/decision"
    later = time_machine.travel(dt.datetime(2025, 7, 1, 4, 0, tzinfo=dt.UTC), tick=False)
    later.start()
    body = {"approve": True, "note": ""}
    r = client.post(
        url, data=body, content_type="application/json", **api_token(world["people"]["submitter"])
    )
    assert r.status_code == 403 and r.json()["code"] == "separation_of_duties"
    r = client.post(
        url, data=body, content_type="application/json", **api_token(world["people"]["own_bureau"])
    )
    assert r.status_code == 200 and r.json()["status"] == "listed"
    later.stop()


def test_r1_5_the_special_inspection_page_shows_why_its_author_cannot_approve(world, client):
    special_decide(world)
    from fairinspect.planning.models import SpecialInspection

    s = SpecialInspection.objects.get(status="submitted")
    client.force_login(world["people"]["author"])
    page = client.get(f"/planning/special/{s.pk}/").content.decode()
    assert 'data-testid="duty-refusal"' in page and "起草" in page
