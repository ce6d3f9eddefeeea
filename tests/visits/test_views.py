"""Pages of visits: who may open what (access table), the QR token, the pre-check's query
count, documents, and ratings hidden from the inspecting unit (R6.1-R6.4)."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fairinspect.core.roles import Role
from fairinspect.visits import qr, services

from .conftest import TODAY, complaint
from .test_services import fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(started_visit, team, make_user, city_enterprise, supervisor, expert_user):
    v = started_visit()
    ent_user = make_user("ent_card", Role.ENTERPRISE, enterprise=city_enterprise)
    other = make_user("sy_officer", Role.OFFICER, department="650103")
    return {
        "visit": v,
        "officer": team[0][0],
        "enterprise": ent_user,
        "other_district": other,
        "supervisor": supervisor,
        "expert": expert_user,
        "anonymous": None,
    }


PAGES = {
    "qr": lambda w: f"/visits/q/{qr.token_for(w['visit'].enterprise)}/",
    "mine": lambda w: "/visits/",
    "new": lambda w: "/visits/new/",
    "detail": lambda w: f"/visits/{w['visit'].pk}/",
    "plan_docx": lambda w: f"/visits/{w['visit'].pk}/doc/plan.docx",
    "poster": lambda w: f"/visits/enterprise/{w['visit'].enterprise.credit_code}/poster/",
    "qr_svg": lambda w: f"/visits/enterprise/{w['visit'].enterprise.credit_code}/qr.svg",
    "card": lambda w: "/visits/card/",
    "quota_api": lambda w: f"/api/v1/enterprises/{w['visit'].enterprise.credit_code}/quota",
    "visit_api": lambda w: f"/api/v1/visits/{w['visit'].pk}",
    "ratings": lambda w: "/visits/ratings/",
}
# role -> page -> expected status (302: sent to the login page)
TABLE = {
    "officer": dict(
        qr=200,
        mine=200,
        new=200,
        detail=200,
        plan_docx=200,
        poster=200,
        qr_svg=200,
        card=403,
        quota_api=200,
        visit_api=200,
        ratings=403,
    ),
    "other_district": dict(
        qr=200,
        mine=200,
        new=200,
        detail=404,
        plan_docx=404,
        poster=404,
        qr_svg=404,
        card=403,
        quota_api=404,
        visit_api=404,
        ratings=403,
    ),
    "supervisor": dict(
        qr=200,
        mine=200,
        new=403,
        detail=200,
        plan_docx=200,
        poster=200,
        qr_svg=200,
        card=403,
        quota_api=200,
        visit_api=200,
        ratings=200,
    ),
    "enterprise": dict(
        qr=200,
        mine=403,
        new=403,
        detail=403,
        plan_docx=403,
        poster=200,  # its own poster to print (issue 10)
        qr_svg=200,
        card=200,
        quota_api=200,
        visit_api=403,
        ratings=403,
    ),
    "expert": dict(
        qr=200,
        mine=403,
        new=403,
        detail=403,
        plan_docx=403,
        poster=403,
        qr_svg=403,
        card=403,
        quota_api=404,
        visit_api=403,
        ratings=403,
    ),
    "anonymous": dict(
        qr=200,
        mine=302,
        new=302,
        detail=302,
        plan_docx=302,
        poster=302,
        qr_svg=302,
        card=302,
        quota_api=401,
        visit_api=401,
        ratings=302,
    ),
}
CASES = [(role, page, code) for role, row in TABLE.items() for page, code in row.items()]


@pytest.mark.parametrize(("role", "page", "expected"), CASES)
def test_r6_1_access_table(role, page, expected, world, client, api_token):
    user = world[role]
    url = PAGES[page](world)
    headers = {}
    if url.startswith("/api/"):
        if user is not None:
            headers = api_token(user)
    elif user is not None:
        client.force_login(user)
    r = client.get(url, **headers)
    assert r.status_code == expected, (role, page, r.status_code)


def test_r6_1_the_officer_sees_the_pre_check_and_anyone_else_the_card(world, client):
    url = PAGES["qr"](world)
    client.force_login(world["officer"])
    body = client.get(url).content.decode()
    assert "年度现场执法检查频次" in body and "今年的检查" in body
    client.logout()
    body = client.get(url).content.decode()
    assert "核验执法人员" in body and "李明" in body and "年度上限" not in body


def test_r6_1_staff_of_another_district_get_the_public_card_not_the_pre_check(world, client):
    client.force_login(world["other_district"])
    body = client.get(PAGES["qr"](world)).content.decode()
    assert "核验执法人员" in body and "年度上限" not in body


def test_r6_4_follow_up_review_document_and_finding_photo(world, client, team, approver_user):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from docx import Document

    (u1, o1), (u2, o2) = team
    v = world["visit"]
    code = v.items.first().code
    f = services.record_finding(
        actor=u1, visit=v, item_code=code, result="non_compliant", notes="无台账"
    )
    client.force_login(u1)
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    client.post(
        f"/visits/{v.pk}/upload/",
        {"finding": f.pk, "file": SimpleUploadedFile("p.png", png, "image/png")},
    )
    assert f.photos.count() == 1
    h = services.record_hazard(actor=u1, visit=v, level="general", description="台账缺失")
    o = services.issue_order(
        actor=u1, visit=v, hazard_ids=[h.pk], deadline=TODAY.replace(month=7), today=TODAY
    )
    services.check_out(actor=u1, visit=v)
    fu = services.create_follow_up(
        actor=u1, order=o, planned_date=TODAY, officer_ids=[o1.pk, o2.pk], today=TODAY
    )
    services.submit_plan(actor=u1, visit=fu)
    services.approve_plan(actor=approver_user, visit=fu, today=TODAY)
    services.confirm_check_in(actor=u1, visit_id=fu.pk, nonce="fu-nonce-0001")
    services.confirm_check_in(actor=u2, visit_id=fu.pk, nonce="fu-nonce-0002")
    services.record_follow_up_result(
        actor=u1, visit=fu, result="not_rectified", notes="仍未建立台账"
    )
    r = client.get(f"/visits/{fu.pk}/doc/review.docx")
    assert r.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert "整改复查意见书" in text and o.number in text and "未按期整改" in text


def test_r6_1_a_revoked_or_forged_qr_code_is_refused(world, client, admin_user):
    from fairinspect.registry.services import revoke_qr

    ent = world["visit"].enterprise
    old = qr.token_for(ent)
    assert str(ent.pk) not in old.split(":")[0] or len(old) > 10
    revoke_qr(actor=admin_user, enterprise=ent)
    r = client.get(f"/visits/q/{old}/")
    assert r.status_code == 404 and "已作废" in r.content.decode()
    assert client.get("/visits/q/1/").status_code == 404
    assert client.get(f"/visits/q/{qr.token_for(ent)}/").status_code == 200


def test_r6_1_the_card_verifies_an_officer_by_certificate_number(world, client, team):
    cert = team[0][1].certificates.first().number
    url = PAGES["qr"](world)
    body = client.get(url, {"cert": cert}).content.decode()
    assert "证件有效" in body and "列入本企业今年的检查" in body
    body = client.get(url, {"cert": "NOPE"}).content.decode()
    assert "查无此证" in body


def test_r6_1_the_rating_is_hidden_from_the_inspecting_unit(world, client, team):
    v = world["visit"]
    services.check_out(actor=team[0][0], visit=v)
    client.force_login(world["enterprise"])
    r = client.post(f"/visits/{v.pk}/rate/", {"score": "2", "comment": "态度生硬XYZ"})
    assert r.status_code == 302
    client.force_login(world["officer"])
    assert "态度生硬XYZ" not in client.get(f"/visits/{v.pk}/").content.decode()
    client.force_login(world["supervisor"])
    assert "态度生硬XYZ" in client.get(f"/visits/{v.pk}/").content.decode()


def _precheck_queries(client, ent) -> int:
    url = f"/visits/q/{qr.token_for(ent)}/"
    client.get(url)  # warm caches (session, roles)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_r6_1_pre_check_queries_do_not_grow_with_history(
    world, client, make_enterprise, approved_visit, django_assert_max_num_queries
):
    client.force_login(world["officer"])
    small = make_enterprise(supervising_level="city", high_risk=True, standardization_grade=None)
    big = make_enterprise(supervising_level="city", high_risk=True, standardization_grade=None)
    fill(small, 5)
    fill(big, 10)
    fill(
        big,
        40,
        trigger="complaint",
        justification_kind="complaint_record",
        justification_reference="C-9",
        justification_date=TODAY.replace(month=1),
        justification_summary="举报",
    )
    approved_visit(small)
    approved_visit(big)
    n_small = _precheck_queries(client, small)
    n_big = _precheck_queries(client, big)
    assert n_small == n_big
    with django_assert_max_num_queries(n_small):
        client.get(f"/visits/q/{qr.token_for(big)}/")


def test_r6_4_documents_open_with_python_docx_and_carry_the_standard_text(world, client, team):
    from docx import Document

    v = world["visit"]
    u1 = team[0][0]
    h = services.record_hazard(actor=u1, visit=v, level="major", description="液氨储罐无报警")
    o = services.issue_order(
        actor=u1, visit=v, hazard_ids=[h.pk], deadline=TODAY.replace(month=7), today=TODAY
    )
    services.check_out(actor=u1, visit=v)
    client.force_login(u1)

    def text(url):
        r = client.get(url)
        assert r.status_code == 200, url
        assert r["Content-Type"].startswith("application/vnd.openxmlformats")
        d = Document(io.BytesIO(r.content))
        sec = d.sections[0]
        assert abs(sec.page_width.cm - 21.0) < 0.1 and abs(sec.page_height.cm - 29.7) < 0.1
        return "\n".join(p.text for p in d.paragraphs)

    plan = text(f"/visits/{v.pk}/doc/plan.docx")
    assert "现场检查方案" in plan and "乌应急检方〔2025〕" in plan and v.enterprise.name in plan
    record = text(f"/visits/{v.pk}/doc/record.docx")
    assert (
        "现场检查记录" in record and "乌应急现记〔2025〕" in record and "液氨储罐无报警" in record
    )
    order = text(f"/visits/order/{o.pk}.docx")
    assert "责令限期整改指令书" in order and o.number in order and "2025年7月18日" in order
    assert "签名" in order


def test_r6_2_the_visit_form_creates_a_visit_and_names_the_bad_field(
    client, team, items, city_enterprise
):
    (u1, o1), (_u2, o2) = team
    client.force_login(u1)
    data = {
        "enterprise": city_enterprise.credit_code,
        "kind": "on_site",
        "trigger": "complaint",
        "planned_date": TODAY.isoformat(),
        "item_codes": [items["onsite"][0].code],
        "officer_ids": [str(o1.pk), str(o2.pk)],
    }
    r = client.post("/visits/new/", data)
    assert r.status_code == 422 and "投诉举报记录" in r.content.decode()
    complaint(city_enterprise, "TS-1")
    data.update(
        justification_kind="complaint_record",
        justification_reference="TS-1",
        justification_date="2025-06-01",
        justification_summary="举报",
    )
    r = client.post("/visits/new/", data)
    assert r.status_code == 302


def test_r6_3_check_in_through_the_page_with_location(client, approved_visit, team):
    (u1, _), (u2, _) = team
    v = approved_visit()
    client.force_login(u1)
    assert "可以入企" in client.get(f"/visits/{v.pk}/").content.decode()
    client.post(
        f"/visits/{v.pk}/check-in/", {"nonce": "page-nonce-0001", "lat": "43.8", "lng": "87.6"}
    )
    client.force_login(u2)
    client.post(f"/visits/{v.pk}/check-in/", {"nonce": "page-nonce-0002"})
    v.refresh_from_db()
    assert v.status == "in_progress" and float(v.checkin_lat) == 43.8


def test_r5_4_the_pre_check_warns_of_another_unit_planning_the_same_items(
    world, client, make_user, make_officer, items, approver_user
):
    from fairinspect.visits.models import Visit

    v = world["visit"]
    ent = v.enterprise
    other_user = make_user("zd_officer", Role.OFFICER, department="650100-ZD")
    a = make_officer("综合甲", department="650100-ZD", user=other_user, scopes=("general",))
    b = make_officer("综合乙", department="650100-ZD", scopes=("general",))
    mine = services.create_visit(
        actor=other_user,
        enterprise=ent,
        kind="on_site",
        trigger="annual_plan",
        planned_date=TODAY.replace(month=8),
        item_codes=[i.code for i in v.items.all()],
        officer_ids=[a.pk, b.pk],
        today=TODAY,
    )
    Visit.objects.filter(pk=v.pk).update(status="approved", checked_in_at=None)
    client.force_login(other_user)
    body = client.get(PAGES["qr"](world)).content.decode()
    assert "其他单位已安排相同事项的检查" in body and mine.department.name != v.department.name


def test_r4_1_an_off_site_visit_needs_no_check_in_and_never_counts(
    new_visit, team, city_enterprise
):
    from fairinspect.core.errors import Conflict
    from fairinspect.visits import queries

    v = new_visit(kind="off_site")
    services.submit_plan(actor=team[0][0], visit=v)
    with pytest.raises(Conflict):
        services.confirm_check_in(actor=team[0][0], visit_id=v.pk, nonce="offsite-0001")
    assert queries.quota_for(city_enterprise, year=2025, today=TODAY).used == 0


@pytest.mark.parametrize(
    ("who", "method", "path", "expected"),
    [
        ("enterprise", "post", "/api/v1/visits", 403),
        ("enterprise", "post", "/api/v1/visits/{id}/check-in", 403),
        ("expert", "post", "/api/v1/visits/{id}/check-in", 403),
        ("officer", "post", "/api/v1/visits/{id}/plan/approve", 403),
        ("other_district", "post", "/api/v1/visits/{id}/check-out", 404),
        ("enterprise", "post", "/api/v1/visits/{id}/hazards", 403),
        ("anonymous", "post", "/api/v1/visits/{id}/check-in", 401),
        ("officer", "post", "/api/v1/visits/{id}/recordings", 201),
        ("other_district", "post", "/api/v1/visits/{id}/recordings", 404),
        ("enterprise", "post", "/api/v1/visits/{id}/recordings", 403),
        ("expert", "post", "/api/v1/visits/{id}/recordings", 403),
        ("anonymous", "post", "/api/v1/visits/{id}/recordings", 401),
        ("officer", "get", "/api/v1/visits/{id}/recordings", 200),
        ("enterprise", "get", "/api/v1/visits/{id}/recordings", 403),
        ("other_district", "get", "/api/v1/visits/{id}/recordings", 404),
        ("enterprise", "post", "/api/v1/visits/{id}/recordings/1/end", 403),
        ("other_district", "post", "/api/v1/visits/{id}/recordings/1/end", 404),
        ("enterprise", "post", "/api/v1/visits/{id}/media", 403),
        ("expert", "post", "/api/v1/visits/{id}/media", 403),
        ("other_district", "post", "/api/v1/visits/{id}/media", 404),
        ("anonymous", "post", "/api/v1/visits/{id}/media", 401),
        ("enterprise", "post", "/api/v1/orders/{order}/follow-up", 403),
        ("other_district", "post", "/api/v1/orders/{order}/follow-up", 404),
        ("supervisor", "post", "/api/v1/orders/{order}/follow-up", 403),
        ("anonymous", "post", "/api/v1/orders/{order}/follow-up", 401),
        ("enterprise", "post", "/api/v1/visits/{id}/follow-up-result", 403),
        ("other_district", "post", "/api/v1/visits/{id}/follow-up-result", 404),
        ("officer", "post", "/api/v1/visits/{id}/follow-up-result", 409),
        ("officer", "post", "/api/v1/visits/{id}/rating", 403),
        ("supervisor", "post", "/api/v1/visits/{id}/rating", 403),
        ("other_district", "post", "/api/v1/visits/{id}/rating", 403),
        ("enterprise", "post", "/api/v1/visits/{id}/rating", 409),  # not finished yet
        ("anonymous", "post", "/api/v1/visits/{id}/rating", 401),
        ("officer", "get", "/api/v1/visits/{id}/rating", 403),
        ("enterprise", "get", "/api/v1/visits/{id}/rating", 403),
        ("supervisor", "get", "/api/v1/visits/{id}/rating", 404),  # allowed; not rated yet
        ("anonymous", "get", "/api/v1/visits/{id}/rating", 401),
    ],
)
def test_r6_api_access_table(who, method, path, expected, world, client, api_token):
    user = world[who]
    headers = api_token(user) if user else {}
    body = {
        "nonce": "access-0001",
        "level": "general",
        "description": "x",
        "device": "DSJ-1",
        "planned_date": "2025-06-20",
        "result": "rectified",
        "score": 3,
    }
    v = world["visit"]
    url = path.format(id=v.pk, order=_an_order(v, world["officer"]).pk)
    if method == "get":
        r = client.get(url, **headers)
    elif url.endswith("/media"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        photo = SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64)
        r = client.post(url, {"file": photo}, **headers)
    else:
        r = client.post(url, body, content_type="application/json", **headers)
    assert r.status_code == expected, (who, path, r.status_code, r.content[:200])


def _an_order(v, officer):
    from fairinspect.visits.models import RectificationOrder

    o = RectificationOrder.objects.filter(visit=v).first()
    if o is None:
        h = services.record_hazard(actor=officer, visit=v, level="general", description="台账")
        o = services.issue_order(
            actor=officer, visit=v, hazard_ids=[h.pk], deadline=TODAY.replace(month=7), today=TODAY
        )
    return o


def test_r13_1_the_visit_page_refuses_a_wrong_deadline_and_follow_up_date_keeping_them(
    world, client, team
):
    """Issue 8 item 5: the visit page's order and follow-up forms (not reached by the form
    sweep's crawl) re-render 422 with the message naming the field and what was typed."""
    from fairinspect.visits.models import RectificationOrder, Visit

    (u1, _o1), _ = team
    v = world["visit"]
    h = services.record_hazard(actor=u1, visit=v, level="general", description="台账缺失")
    client.force_login(u1)
    r = client.post(
        f"/visits/{v.pk}/order/", {"hazard_ids": [h.pk], "deadline": "abc", "requirements": "改"}
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert "deadline" in body.split('class="msg-error"', 1)[1].split("</li>", 1)[0]
    assert 'name="deadline" type="date" value="abc"' in body
    assert not RectificationOrder.objects.filter(visit=v).exists()
    o = services.issue_order(
        actor=u1, visit=v, hazard_ids=[h.pk], deadline=TODAY.replace(month=7), today=TODAY
    )
    visits = Visit.objects.count()
    r = client.post(f"/visits/{v.pk}/follow-up/{o.pk}/", {"planned_date": "abc"})
    assert r.status_code == 422
    body = r.content.decode()
    assert "planned_date" in body.split('class="msg-error"', 1)[1].split("</li>", 1)[0]
    assert 'value="abc"' in body
    assert Visit.objects.count() == visits
