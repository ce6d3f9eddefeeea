"""回避 (R9.2): officers declare their conflicts of interest for themselves, the administrator
for anyone; approvers see the list. Page and API, with the access table."""

from __future__ import annotations

import pytest

from fairinspect.core.roles import Role
from fairinspect.planning import conflicts as cf
from fairinspect.planning.models import OfficerConflict

pytestmark = pytest.mark.django_db

URL = "/planning/conflicts/"
API = "/api/v1/conflicts"


@pytest.fixture
def people(make_user, make_officer, make_enterprise, supervisor, admin_user, expert_user):
    wh = make_user("wh_decl", Role.OFFICER, department="650100-WH", first_name="申报人")
    wh_off = make_officer("申报人", department="650100-WH", user=wh)
    ts = make_user("ts_decl", Role.OFFICER, department="650102", first_name="天山人")
    ts_off = make_officer("天山人", department="650102", user=ts)
    return {
        "officer": wh,
        "officer_rec": wh_off,
        "ts_officer": ts,
        "ts_officer_rec": ts_off,
        "city_approver": make_user("appr_c", Role.APPROVER, department="650100-WH"),
        "ts_approver": make_user("appr_t", Role.APPROVER, department="650102"),
        "supervisor": supervisor,
        "admin": admin_user,
        "expert": expert_user,
        "enterprise": make_user(
            "ent_c", Role.ENTERPRISE, enterprise=make_enterprise(name="某企业")
        ),
        "anonymous": None,
        "ent": make_enterprise(name="前东家化工有限公司", supervising_level="city"),
    }


def test_r9_2_an_officer_declares_a_conflict_for_themself(people):
    c = cf.declare(
        actor=people["officer"],
        data={"enterprise": people["ent"].credit_code, "kind": "former_employer"},
    )
    assert c.officer == people["officer_rec"] and c.enterprise == people["ent"]


def test_r9_2_an_officer_cannot_declare_for_a_colleague_but_the_admin_can(people):
    from fairinspect.core.errors import Forbidden

    data = {
        "enterprise": people["ent"].credit_code,
        "kind": "relative",
        "officer_id": people["ts_officer_rec"].pk,
    }
    with pytest.raises(Forbidden):
        cf.declare(actor=people["officer"], data=data)
    c = cf.declare(actor=people["admin"], data=data)
    assert c.officer == people["ts_officer_rec"]


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ({"kind": "relative"}, "enterprise_missing", "enterprise"),
        (
            {"enterprise": "91650100XXXXXXXXXX", "kind": "relative"},
            "enterprise_not_found",
            "enterprise",
        ),
        ({"enterprise": "ENT", "kind": "friend"}, "kind_invalid", "kind"),
        ({"enterprise": "ENT", "kind": "declared_conflict"}, "note_required", "note"),
        ({"enterprise": "ENT", "kind": "relative", "note": "长" * 301}, "note_too_long", "note"),
    ],
)
def test_r9_2_bad_declarations_name_the_field_and_save_nothing(people, data, code, field):
    from fairinspect.core.errors import ValidationFailed

    if data.get("enterprise") == "ENT":
        data = {**data, "enterprise": people["ent"].credit_code}
    with pytest.raises(ValidationFailed) as e:
        cf.declare(actor=people["officer"], data=data)
    assert (e.value.code, e.value.field) == (code, field)
    assert not OfficerConflict.objects.exists()


def test_r9_2_the_same_conflict_twice_is_409(people):
    from fairinspect.core.errors import Conflict

    data = {"enterprise": people["ent"].credit_code, "kind": "former_employer"}
    cf.declare(actor=people["officer"], data=data)
    with pytest.raises(Conflict) as e:
        cf.declare(actor=people["officer"], data=data)
    assert e.value.code == "conflict_already_declared"
    assert OfficerConflict.objects.count() == 1


def test_r9_2_approvers_see_their_bureaus_declarations_officers_their_own(people):
    cf.declare(
        actor=people["officer"], data={"enterprise": people["ent"].credit_code, "kind": "relative"}
    )
    cf.declare(
        actor=people["ts_officer"],
        data={"enterprise": people["ent"].credit_code, "kind": "relative"},
    )
    seen = lambda who: sorted(c.officer.name for c in cf.conflicts_visible_to(people[who]))  # noqa: E731
    assert seen("city_approver") == ["天山人", "申报人"]
    assert seen("ts_approver") == ["天山人"]
    assert seen("officer") == ["申报人"]
    assert seen("admin") == ["天山人", "申报人"]
    assert seen("enterprise") == []


def test_r9_2_only_the_admin_withdraws_with_a_reason(people):
    from fairinspect.core.errors import Forbidden, ValidationFailed

    c = cf.declare(
        actor=people["officer"], data={"enterprise": people["ent"].credit_code, "kind": "relative"}
    )
    with pytest.raises(Forbidden):
        cf.withdraw(actor=people["officer"], conflict_id=c.pk, reason="填错")
    with pytest.raises(ValidationFailed):
        cf.withdraw(actor=people["admin"], conflict_id=c.pk, reason="")
    cf.withdraw(actor=people["admin"], conflict_id=c.pk, reason="填错企业")
    assert not OfficerConflict.objects.exists()


def test_r9_2_the_page_declares_and_lists(client, people):
    client.force_login(people["officer"])
    r = client.post(URL, {"enterprise": people["ent"].credit_code, "kind": "former_employer"})
    assert r.status_code == 302
    body = client.get(URL).content.decode()
    assert "前东家化工有限公司" in body and "曾在该企业任职" in body
    r = client.post(URL, {"enterprise": people["ent"].credit_code, "kind": "declared_conflict"})
    assert r.status_code == 422 and "须说明具体情况" in r.content.decode()
    client.force_login(people["city_approver"])
    body = client.get(URL).content.decode()
    assert "申报人" in body and "本人申报回避" not in body


def test_r9_2_a_declared_conflict_reaches_the_next_officer_pool(people, items, city_bureau):
    from fairinspect.planning.draws import officer_candidates
    from fairinspect.planning.models import SamplingTask

    cf.declare(
        actor=people["officer"],
        data={"enterprise": people["ent"].credit_code, "kind": "relative"},
    )
    task = SamplingTask(department=city_bureau, items=[])
    rows = {r.officer_pk: r.candidate for r in officer_candidates(task)}
    conflicts = rows[people["officer_rec"].pk].conflicts
    assert {(c.enterprise_id, c.kind.value) for c in conflicts} == {
        (people["ent"].credit_code, "relative")
    }


@pytest.mark.parametrize(
    ("who", "page", "api_get", "api_post"),
    [
        ("officer", 200, 200, 201),
        ("city_approver", 200, 200, 403),
        ("ts_approver", 200, 200, 403),
        ("supervisor", 200, 200, 403),
        ("admin", 200, 200, 201),
        ("enterprise", 403, 403, 403),
        ("expert", 403, 403, 403),
        ("anonymous", 302, 401, 401),
    ],
)
def test_r9_2_conflicts_access_table(who, page, api_get, api_post, client, api_token, people):
    user = people[who]
    if user:
        client.force_login(user)
    assert client.get(URL).status_code == page
    headers = api_token(user) if user else {}
    assert client.get(API, **headers).status_code == api_get
    body = {"enterprise": people["ent"].credit_code, "kind": "former_employer"}
    if who == "admin":
        body["officer_id"] = people["officer_rec"].pk
    r = client.post(API, body, content_type="application/json", **headers)
    assert r.status_code == api_post, r.content


def test_r9_2_the_api_declares_lists_and_the_admin_withdraws(client, api_token, people):
    h = api_token(people["officer"])
    r = client.post(
        API,
        {"enterprise": people["ent"].credit_code, "kind": "relative", "note": "配偶在该企业"},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    listed = client.get(API, **api_token(people["city_approver"])).json()
    assert [c["officer_name"] for c in listed] == ["申报人"] and listed[0]["kind"] == "relative"
    r = client.post(f"{API}/{cid}/withdraw", {"reason": "x"}, content_type="application/json", **h)
    assert r.status_code == 403
    r = client.post(
        f"{API}/{cid}/withdraw",
        {"reason": "重复登记"},
        content_type="application/json",
        **api_token(people["admin"]),
    )
    assert r.status_code == 204 and not OfficerConflict.objects.exists()
