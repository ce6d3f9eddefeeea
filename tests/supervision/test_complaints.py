"""Complaints and reports (R8.1): public form and lookup, staff steps, deadlines, imports,
duplicates, and the complainant's identity withheld from the unit complained about."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fairinspect.core.errors import Conflict, ValidationFailed
from fairinspect.core.roles import Role
from fairinspect.rules.caps import JustificationKind
from fairinspect.supervision.models import Complaint, ConductCase
from fairinspect.supervision.services import complaints as services
from fairinspect.supervision.services import imports
from fairinspect.visits import justifications

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def test_r8_1_the_public_form_returns_a_tracking_number_and_code_that_open_the_lookup(
    client, tianshan_enterprise
):
    r = client.post(
        reverse("supervision:complaint_new"),
        {
            "subject": "enterprise",
            "category": "hazard",
            "content": "仓库消防通道被堵。",
            "subject_text": tianshan_enterprise.credit_code,
            "anonymous": "1",
            "attachments": [SimpleUploadedFile("p.png", PNG, content_type="image/png")],
        },
    )
    assert r.status_code == 200
    c = Complaint.objects.get()
    assert c.anonymous and c.complainant_phone == "" and c.enterprise == tianshan_enterprise
    assert c.attachments.count() == 1 and c.next_due is not None
    code = r.context["code"]
    assert c.number in r.content.decode() and code in r.content.decode()
    ok = client.post(reverse("supervision:complaint_lookup"), {"number": c.number, "code": code})
    assert ok.status_code == 200 and "已接收待受理" in ok.content.decode()
    bad = client.post(
        reverse("supervision:complaint_lookup"), {"number": c.number, "code": "AAAAAAAA"}
    )
    assert bad.status_code == 404 and "已接收待受理" not in bad.content.decode()


def test_r8_1_an_attachment_whose_bytes_are_not_an_image_or_pdf_saves_nothing(client):
    r = client.post(
        reverse("supervision:complaint_new"),
        {
            "subject": "service",
            "category": "service",
            "content": "窗口办事慢。",
            "anonymous": "1",
            "attachments": [
                SimpleUploadedFile("a.png", b"<html>x</html>", content_type="image/png")
            ],
        },
    )
    assert r.status_code == 422 and Complaint.objects.count() == 0
    assert "只接受PDF、JPEG、PNG" in r.content.decode()


def test_r8_1_a_named_complaint_needs_a_valid_phone_to_be_answered():
    with pytest.raises(ValidationFailed) as e:
        services.receive(
            channel="public_form",
            subject="service",
            category="service",
            content="态度差",
            name="李四",
            phone="12ab",
        )
    assert e.value.field == "complainant_phone"
    assert Complaint.objects.count() == 0


def test_r8_1_a_complaint_goes_from_receipt_to_reply_and_the_complainants_satisfaction(
    public_complaint, supervisor, make_user, tianshan_enterprise
):
    handler = make_user("ts_handler", Role.OFFICER, department="650102")
    c, code = public_complaint()
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)):
        today = dt.date(2026, 3, 2)
        c = services.transition(actor=supervisor, complaint=c, action="accept", today=today)
        assert c.state == "accepted" and c.next_due_step == "assign"
        c = services.transition(
            actor=supervisor,
            complaint=c,
            action="assign",
            today=today,
            data={"unit_code": "650102", "handler": "ts_handler"},
        )
        c = services.transition(
            actor=handler,
            complaint=c,
            action="verify",
            today=today,
            data={"verification": "现场核查属实", "substantiated": "1"},
        )
        c = services.transition(
            actor=handler,
            complaint=c,
            action="handle",
            today=today,
            data={"result": "已责令企业限期整改"},
        )
        c = services.transition(
            actor=supervisor,
            complaint=c,
            action="reply",
            today=today,
            data={"reply": "经核查属实，已责令整改。"},
        )
    assert c.state == "replied" and c.next_due is None
    c = services.rate_by_complainant(number=c.number, code=code, satisfaction="satisfied")
    assert c.state == "closed" and c.satisfaction == "satisfied"
    assert [s.action for s in c.steps.all()] == [
        "receive",
        "accept",
        "assign",
        "verify",
        "handle",
        "reply",
        "record_satisfaction",
    ]


def test_r8_1_a_step_out_of_order_or_by_the_wrong_role_is_refused(
    public_complaint, supervisor, city_officer
):
    c, _ = public_complaint()
    with pytest.raises(Conflict):
        services.transition(actor=supervisor, complaint=c, action="reply", data={"reply": "x"})
    with pytest.raises(Exception) as e:
        services.transition(actor=city_officer, complaint=c, action="accept")
    assert getattr(e.value, "status", None) == 403


def test_r8_1_an_unanswered_complaint_is_flagged_overdue(public_complaint, supervisor, login):
    with time_machine.travel(dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC)):
        c, _ = public_complaint()
    assert c.next_due == dt.date(2026, 3, 4)
    with time_machine.travel(dt.datetime(2026, 3, 9, 2, tzinfo=dt.UTC)):
        page = login(supervisor).get(reverse("supervision:complaint_list") + "?overdue=1")
    assert c.number in page.content.decode()
    with time_machine.travel(dt.datetime(2026, 3, 3, 2, tzinfo=dt.UTC)):
        page = login(supervisor).get(reverse("supervision:complaint_list") + "?overdue=1")
    assert c.number not in page.content.decode()


def test_r8_1_a_duplicate_is_merged_and_its_lookup_follows_the_main_complaint(
    public_complaint, supervisor, client
):
    a, _ = public_complaint()
    b, code_b = public_complaint(content="同一个储罐区报警器的问题")
    b = services.transition(actor=supervisor, complaint=b, action="merge", data={"into": a.number})
    assert b.state == "merged" and b.merged_into == a and b.next_due is None
    r = client.post(reverse("supervision:complaint_lookup"), {"number": b.number, "code": code_b})
    assert a.number in r.content.decode()
    with pytest.raises(Conflict):
        services.transition(actor=supervisor, complaint=a, action="merge", data={"into": b.number})


def test_r3_3_an_accepted_complaint_about_an_enterprise_justifies_an_exempt_visit(
    public_complaint, supervisor, tianshan_enterprise
):
    c, _ = public_complaint()
    assert justifications.resolve(JustificationKind.COMPLAINT_RECORD, c.number) is None
    c = services.transition(
        actor=supervisor, complaint=c, action="accept", today=dt.date(2026, 3, 2)
    )
    rec = justifications.resolve(JustificationKind.COMPLAINT_RECORD, f" {c.number} ")
    assert rec is not None and rec.enterprise_id == tianshan_enterprise.pk
    assert rec.dated == dt.date(2026, 3, 2) and rec.reference == c.number
    refused, _ = public_complaint()
    services.transition(
        actor=supervisor, complaint=refused, action="refuse", data={"reason": "重复"}
    )
    assert justifications.resolve("complaint_record", refused.number) is None
    service, _ = public_complaint(subject="service", category="service")
    services.transition(actor=supervisor, complaint=service, action="accept")
    assert justifications.resolve("complaint_record", service.number) is None


def test_r8_1_an_officer_complaint_opens_a_conduct_case_handed_to_the_discipline_body(
    supervisor, make_officer
):
    off = make_officer("被投诉人", department="650102")
    c, _ = services.receive(
        channel="hotline_12345",
        work_order_number="WO-1",
        subject="officer",
        category="officer_conduct",
        content="检查时索要好处",
        officer=off,
        anonymous=True,
    )
    services.transition(actor=supervisor, complaint=c, action="accept")
    case = ConductCase.objects.get(complaint=c)
    assert case.officer == off and case.department == off.department
    case = services.transfer_conduct_case(
        actor=supervisor,
        case=case,
        to="驻局纪检监察组",
        document="乌应急监移〔2026〕1号",
        findings="初步核实",
        on=dt.date(2026, 3, 5),
    )
    assert case.status == "transferred" and case.transfer_document == "乌应急监移〔2026〕1号"


def _xlsx(rows):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(imports.WORK_ORDER_COLUMNS.values()))
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_r8_1_the_hotline_export_imports_all_or_nothing_with_row_errors(supervisor):
    good = [
        "WO-100",
        "2026-03-02 09:30",
        "企业",
        "事故隐患",
        "某化工厂",
        "夜间违规动火",
        "米东区",
        "王五",
        "13900139000",
        "否",
    ]
    bad = ["WO-101", "2026-03-02", "企业", "不存在的类别", "", "内容", "", "", "", "是"]
    with pytest.raises(ValidationFailed) as e:
        imports.import_work_orders(actor=supervisor, name="x.xlsx", data=_xlsx([good, bad]))
    assert [r["row"] for r in e.value.extra["errors"]] == [3]
    assert e.value.extra["errors"][0]["field"] == "category"
    assert Complaint.objects.count() == 0
    assert imports.import_work_orders(actor=supervisor, name="x.xlsx", data=_xlsx([good])) == 1
    c = Complaint.objects.get()
    assert c.channel == "hotline_12345" and c.work_order_number == "WO-100"
    with pytest.raises(ValidationFailed) as e:
        imports.import_work_orders(actor=supervisor, name="x.xlsx", data=_xlsx([good]))
    assert e.value.extra["errors"][0]["code"] == "work_order_exists"


# --- who sees the complainant: role × viewer → identity shown / page refused ----------------


@pytest.fixture
def officer_case(make_user, make_officer):
    """A complaint about an officer of 天山区's bureau, assigned to 沙依巴克区 to handle."""
    from fairinspect.supervision.services import complaints as s

    target_user = make_user("complained", Role.OFFICER, department="650102")
    off = make_officer("被投诉甲", department="650102", user=target_user)
    colleague = make_user("colleague", Role.APPROVER, department="650102")
    handler = make_user("handler", Role.OFFICER, department="650103")
    other_in_handling_unit = make_user("other_handler", Role.OFFICER, department="650103")
    sup = make_user("sup", Role.SUPERVISOR, department="650100-ZH")
    dsup = make_user("dsup", Role.SUPERVISOR, department="650102")
    c, _ = s.receive(
        channel="public_form",
        subject="officer",
        category="officer_conduct",
        content="检查中态度粗暴",
        officer=off,
        name="赵六",
        phone="13700137000",
    )
    s.transition(actor=sup, complaint=c, action="accept")
    s.transition(
        actor=sup, complaint=c, action="assign", data={"unit_code": "650103", "handler": "handler"}
    )
    return c, {
        "supervisor": sup,
        "handler": handler,
        "other_in_handling_unit": other_in_handling_unit,
        "complained_officer": target_user,
        "colleague_of_complained_unit": colleague,
        "supervisor_of_complained_unit": dsup,
    }


@pytest.mark.parametrize(
    "viewer,status,identity",
    [
        ("supervisor", 200, True),
        ("handler", 200, True),
        ("other_in_handling_unit", 200, False),
        ("complained_officer", 404, False),
        ("colleague_of_complained_unit", 404, False),
        ("supervisor_of_complained_unit", 404, False),
    ],
)
def test_r8_1_the_complainants_identity_is_refused_to_the_unit_complained_about(
    officer_case, login, viewer, status, identity
):
    c, people = officer_case
    r = login(people[viewer]).get(reverse("supervision:complaint_detail", args=[c.pk]))
    assert r.status_code == status
    body = r.content.decode()
    assert ("13700137000" in body) is identity and ("赵六" in body) is identity


def test_r8_1_the_unit_complained_about_cannot_be_made_its_handler(officer_case):
    c, people = officer_case
    c = Complaint.objects.get(pk=c.pk)
    c.state = "accepted"
    with pytest.raises(ValidationFailed) as e:
        services.transition(
            actor=people["supervisor"], complaint=c, action="assign", data={"unit_code": "650102"}
        )
    assert e.value.code == "unit_complained_about"


def test_r8_1_the_footer_links_the_complaint_form(client):
    body = client.get(reverse("catalog:public_list")).content.decode()
    assert reverse("supervision:complaint_new") in body
