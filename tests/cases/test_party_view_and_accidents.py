"""The enterprise's own cases (the party's view: state, its deadlines, the documents served on
it, never another enterprise's cases or internal documents), and accidents recorded by staff
that feed the credit record and the no-penalty check (R10.1, R7.3)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fairinspect.audit.models import AuditEvent
from fairinspect.cases import services
from fairinspect.cases.models import CreditRecord
from fairinspect.rules.accidents import level_problem, minimum_level

PERSONAS = [
    "anonymous",
    "city_officer",
    "tianshan_officer",
    "approver",
    "legal_reviewer",
    "supervisor",
    "admin_user",
    "enterprise_user",
    "other_enterprise_user",
    "expert_user",
]
URUMQI = ZoneInfo("Asia/Urumqi")


def _user(request, name):
    return None if name == "anonymous" else request.getfixturevalue(name)


@pytest.fixture
def own(npl, walk, new_case, tianshan_enterprise, shayibake_enterprise):
    """The enterprise user's company: a served penalty case with a hearing, a case only
    notified, one pending filing, a case against its main person; and another company's case."""
    served = walk(
        new_case(enterprise=tianshan_enterprise),
        "serve",
        facts={"harm": "serious", "staff_affected_share": "0.5"},
        proposed_fine="80000",
    )
    notified = walk(new_case(enterprise=tianshan_enterprise), "notify")
    pending = new_case(enterprise=tianshan_enterprise, cause="待批准立案的内部案件")
    person = new_case(
        violation="AQSCF2021-94",
        party="person",
        person_name="赵主任",
        enterprise=tianshan_enterprise,
        cause="赵主任未履行安全生产管理职责",
    )
    walk(person, "approve_filing")
    other = walk(new_case(enterprise=shayibake_enterprise, cause="沙区企业的案件"), "serve")
    return {
        "served": served,
        "notified": notified,
        "pending": pending,
        "person": person,
        "other": other,
    }


PARTY_URLS = [
    # (url, who gets 200)
    ("/cases/mine/", {"enterprise_user", "other_enterprise_user"}),
    ("/cases/mine/{served}/documents/decision.docx", {"enterprise_user"}),
    ("/cases/mine/{served}/documents/notice.docx", {"enterprise_user"}),
    ("/cases/mine/{served}/documents/hearing.docx", {"enterprise_user"}),
    ("/cases/mine/{served}/documents/filing.docx", set()),  # internal: nobody here
    ("/cases/mine/{notified}/documents/decision.docx", set()),  # not decided, not served
    ("/cases/mine/{other}/documents/decision.docx", {"other_enterprise_user"}),
    ("/cases/mine/{person}/documents/notice.docx", set()),
    (
        "/cases/{served}/",
        {
            "city_officer",
            "tianshan_officer",
            "approver",
            "legal_reviewer",
            "supervisor",
            "admin_user",
        },
    ),
    (
        "/cases/{served}/documents/filing.docx",
        {
            "city_officer",
            "tianshan_officer",
            "approver",
            "legal_reviewer",
            "supervisor",
            "admin_user",
        },
    ),
]


@pytest.mark.parametrize(("url", "allowed"), PARTY_URLS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_r13_1_access_table_for_the_party_pages(client, request, own, url, allowed, persona):
    user = _user(request, persona)
    if user is not None:
        client.force_login(user)
    r = client.get(url.format(**{k: c.pk for k, c in own.items()}))
    if persona in allowed:
        assert r.status_code == 200, (persona, url, r.status_code)
    else:
        assert r.status_code in (302, 403, 404), (persona, url, r.status_code)


def test_r8_2_the_enterprise_sees_its_own_filed_cases_deadlines_and_served_documents_only(
    client, own, enterprise_user
):
    client.force_login(enterprise_user)
    with time_machine.travel(dt.datetime(2025, 6, 16, 10, tzinfo=URUMQI), tick=False):
        page = client.get("/cases/mine/").content.decode()
    served, notified = own["served"], own["notified"]
    assert served.cause in page and served.decision_number in page
    assert "沙区企业的案件" not in page  # another enterprise's case
    assert "待批准立案的内部案件" not in page  # not filed yet: internal
    assert "赵主任" not in page  # the person's case is served on the person
    assert "立案审批表" not in page
    for doc in ("行政处罚决定书", "行政处罚告知书", "听证告知书"):
        assert doc in page
    assert f"/cases/mine/{served.pk}/documents/decision.docx" in page
    assert f"/cases/mine/{notified.pk}/documents/notice.docx" in page
    assert f"/cases/mine/{notified.pk}/documents/decision.docx" not in page
    deadlines = services.deadlines(served)
    for name in ("statement", "hearing_request", "payment"):
        due = deadlines[name].due
        assert f"{due.year}年{due.month}月{due.day}日" in page, name
    assert "缴纳罚款" in page and "陈述、申辩" in page and "要求听证" in page


def test_r8_2_the_decision_document_downloaded_by_the_party_is_the_served_decision(
    client, own, enterprise_user
):
    client.force_login(enterprise_user)
    r = client.get(f"/cases/mine/{own['served'].pk}/documents/decision.docx")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert len(r.content) > 1000


def test_r8_2_enterprise_home_links_to_its_cases(client, enterprise_user):
    client.force_login(enterprise_user)
    page = client.get("/").content.decode()
    assert 'href="/cases/mine/"' in page


# ---- accidents ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deaths", "injuries", "least"),
    [
        (0, 0, "general"),
        (2, 9, "general"),
        (3, 0, "larger"),
        (0, 10, "larger"),
        (9, 49, "larger"),
        (10, 0, "major"),
        (0, 50, "major"),
        (29, 99, "major"),
        (30, 0, "especially_major"),
        (0, 100, "especially_major"),
    ],
)
def test_r10_1_accident_grade_follows_the_casualty_thresholds(deaths, injuries, least):
    assert minimum_level(deaths, injuries) == least
    assert level_problem(least, deaths, injuries) == ""
    assert level_problem("especially_major", deaths, injuries) == ""  # loss may raise it


def test_r10_1_a_grade_below_the_casualties_is_refused():
    assert "至少为较大事故" in level_problem("general", 3, 0)
    assert level_problem("bogus", 0, 0)


ACCIDENT_ALLOWED = {"city_officer", "tianshan_officer", "approver"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_r13_1_access_table_for_the_accident_page(db, client, request, persona):
    user = _user(request, persona)
    if user is not None:
        client.force_login(user)
    r = client.get("/cases/accidents/new/")
    if persona in ACCIDENT_ALLOWED:
        assert r.status_code == 200
    else:
        assert r.status_code in (302, 403)
    if user is not None and persona not in ACCIDENT_ALLOWED:
        r = client.post("/cases/accidents/new/", {"credit_code": "x", "on": "2025-01-01"})
        assert r.status_code == 403
        assert not CreditRecord.objects.exists()


GOOD = {
    "on": "2025-03-01",
    "level": "general",
    "fatalities": "1",
    "injuries": "2",
    "summary": "机械伤害事故，死亡1人，重伤2人。",
}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"level": "general", "fatalities": "3"}, "level", "至少为较大事故"),
        ({"fatalities": "-1"}, "fatalities", "死亡人数"),
        ({"injuries": "两"}, "injuries", "重伤人数"),
        ({"on": "2025-13-01"}, "on", "YYYY-MM-DD"),
        ({"on": "2025-06-20"}, "on", "不得晚于今天"),
        ({"summary": "  "}, "summary", "事故概况"),
        ({"level": "huge"}, "level", "事故等级"),
        ({"credit_code": "91650102MA0000000X"}, "credit_code", "未找到该企业"),
    ],
)
def test_r10_1_bad_accident_input_names_the_field_and_saves_nothing(
    client, city_officer, ent, change, field, words
):
    client.force_login(city_officer)
    data = {**GOOD, "credit_code": ent.credit_code, **change}
    with time_machine.travel(dt.datetime(2025, 6, 10, 10, tzinfo=URUMQI), tick=False):
        r = client.post("/cases/accidents/new/", data)
    assert r.status_code == 422
    body = r.content.decode()
    assert words in body and field in body
    assert not CreditRecord.objects.filter(kind="accident").exists()


def test_r10_1_a_district_officer_cannot_record_an_accident_for_another_district(
    client, tianshan_officer, shayibake_enterprise
):
    client.force_login(tianshan_officer)
    r = client.post(
        "/cases/accidents/new/", {**GOOD, "credit_code": shayibake_enterprise.credit_code}
    )
    assert r.status_code == 422
    assert not CreditRecord.objects.exists()


NO_PENALTY_FACTS = {
    "first_offence": True,
    "harm": "slight",
    "corrected_in_time": True,
    "people_affected": 4,
}


def test_r10_1_r7_3_a_fatal_accident_recorded_on_the_page_takes_the_case_off_the_no_penalty_list(
    client, approver, ent, npl, walk, new_case
):
    before = walk(new_case(), "investigate", facts=NO_PENALTY_FACTS)
    assert before.outcome == "no_penalty"  # the same facts qualify without the accident
    client.force_login(approver)
    with time_machine.travel(dt.datetime(2025, 6, 1, 10, tzinfo=URUMQI), tick=False):
        r = client.post("/cases/accidents/new/", {**GOOD, "credit_code": ent.credit_code})
    assert r.status_code == 302 and r["Location"] == f"/cases/credit/{ent.credit_code}/"
    rec = CreditRecord.objects.get(kind="accident")
    assert (rec.accident_level, rec.fatalities, rec.injuries) == ("general", 1, 2)
    assert rec.recorded_by == approver
    assert AuditEvent.objects.filter(action="credit.accident").exists()
    page = client.get(f"/cases/credit/{ent.credit_code}/").content.decode()
    assert "一般事故" in page and "机械伤害事故" in page
    after = walk(new_case(), "investigate", facts=NO_PENALTY_FACTS)
    assert after.outcome == "penalty"
    assert any(
        r["code"] == "history_fatal_accident_within_3_years" and "有造成人员死亡" in r["message"]
        for r in after.reasons
    )


def test_r7_3_a_fatal_accident_more_than_three_years_ago_does_not_count(
    approver, ent, npl, walk, new_case
):
    services.record_accident(
        actor=approver,
        enterprise=ent,
        on=dt.date(2022, 6, 1),
        fatalities=2,
        level="general",
        summary="三年前的事故",
    )
    case = walk(new_case(), "investigate", facts=NO_PENALTY_FACTS)
    assert case.outcome == "no_penalty"
