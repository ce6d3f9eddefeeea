"""R3.3: the records exempt visits rest on are made where people work: the enterprise applies
for an inspection (page and API) and staff accept it; staff register referrals with their
document. Their numbers then justify one visit."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fairinspect.audit.models import AuditEvent
from fairinspect.core.roles import Role
from fairinspect.visits.records import InspectionApplication, Referral

from .conftest import PDF, TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def ent_user(make_user, city_enterprise):
    return make_user("shihua_user", Role.ENTERPRISE, enterprise=city_enterprise)


def test_r3_3_the_enterprise_applies_on_its_page_and_staff_accept_it(
    client, ent_user, approver_user, new_visit, city_enterprise
):
    client.force_login(ent_user)
    r = client.post("/visits/applications/", {"reason": "新装置试生产前申请检查"})
    assert r.status_code == 302
    app = InspectionApplication.objects.get()
    assert app.enterprise == city_enterprise and app.number.startswith("乌应急检申〔2025〕")
    assert app.status == "submitted"
    page = client.get("/visits/applications/").content.decode()
    assert app.number in page and "待受理" in page
    client.force_login(approver_user)
    r = client.post(f"/visits/applications/{app.pk}/decide/", {"accept": "1"})
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.status == "accepted" and app.decided_by == approver_user
    assert AuditEvent.objects.filter(action="accept_application").exists()
    v = new_visit(
        trigger="application",
        justification={"kind": "enterprise_application", "reference": app.number},
    )
    assert v.justification_reference == app.number


def test_r3_3_a_blank_reason_is_refused_and_saves_nothing(client, ent_user):
    client.force_login(ent_user)
    r = client.post("/visits/applications/", {"reason": "  "})
    assert r.status_code == 422 and "申请理由" in r.content.decode()
    assert not InspectionApplication.objects.exists()


def test_r3_3_the_api_takes_an_application_and_its_decision_typed(
    client, api_token, ent_user, approver_user, other_enterprise_user
):
    r = client.post(
        "/api/v1/inspection-applications",
        {"reason": "申请检查", "preferred_date": "2025-07-01"},
        content_type="application/json",
        **api_token(ent_user),
    )
    assert r.status_code == 201, r.content
    app_id = r.json()["id"]
    assert r.json()["status"] == "submitted"
    # Other enterprises neither see it nor decide it; a wrong type is a 422 naming the field.
    listed = client.get("/api/v1/inspection-applications", **api_token(other_enterprise_user))
    assert listed.status_code == 200 and listed.json() == []
    url = f"/api/v1/inspection-applications/{app_id}/decision"
    h = api_token(approver_user)
    bad = client.post(url, {"accept": "yes"}, content_type="application/json", **h)
    assert bad.status_code == 422
    no_note = client.post(url, {"accept": False}, content_type="application/json", **h)
    assert no_note.status_code == 422 and no_note.json()["field"] == "note"
    ok = client.post(url, {"accept": True}, content_type="application/json", **h)
    assert ok.status_code == 200 and ok.json()["status"] == "accepted"
    again = client.post(url, {"accept": True}, content_type="application/json", **h)
    assert again.status_code == 409


def test_r3_3_staff_register_a_referral_with_its_document_and_it_justifies_a_visit(
    client, api_token, team, city_enterprise, new_visit
):
    u1 = team[0][0]
    r = client.post(
        "/api/v1/referrals",
        {
            "enterprise": city_enterprise.credit_code,
            "issuing_body": "乌鲁木齐市人民政府办公厅",
            "document_number": "乌政办转〔2025〕7号",
            "document_date": "2025-06-10",
            "received_on": "2025-06-11",
            "summary": "转办12345热线反映的储罐区问题",
            "file": SimpleUploadedFile("交办函.pdf", PDF),
        },
        **api_token(u1),
    )
    assert r.status_code == 201, r.content
    ref = Referral.objects.get()
    assert (ref.issuing_body, ref.document_number) == (
        "乌鲁木齐市人民政府办公厅",
        "乌政办转〔2025〕7号",
    )
    assert len(ref.file_sha256) == 64
    f = client.get(f"/api/v1/referrals/{ref.pk}/file", **api_token(u1))
    assert f.status_code == 200 and f["Content-Disposition"].startswith("attachment")
    assert f["X-Content-Type-Options"] == "nosniff"
    v = new_visit(
        trigger="referral",
        justification={"kind": "referral_document", "reference": "乌政办转〔2025〕7号"},
    )
    assert v.justification_date.isoformat() == "2025-06-10"


def test_r3_3_a_referral_without_its_file_or_with_a_future_date_is_refused(
    client, team, city_enterprise
):
    client.force_login(team[0][0])
    data = {
        "enterprise": city_enterprise.credit_code,
        "issuing_body": "市安委办",
        "document_number": "乌安委办〔2025〕3号",
        "document_date": "2025-06-10",
        "received_on": "2025-06-10",
        "summary": "交办",
    }
    r = client.post("/visits/referrals/", data)
    assert r.status_code == 422 and "转办交办文件" in r.content.decode()
    data.update(document_date="2025-07-01", file=SimpleUploadedFile("a.pdf", PDF))
    r = client.post("/visits/referrals/", data)
    assert r.status_code == 422
    assert not Referral.objects.exists()
    assert TODAY.isoformat() == "2025-06-18"


@pytest.mark.parametrize(
    ("who", "expected"), [("officer", 200), ("enterprise", 403), ("anonymous", 302)]
)
def test_r3_3_access_table_for_the_referral_page(who, expected, client, team, ent_user):
    user = {"officer": team[0][0], "enterprise": ent_user, "anonymous": None}[who]
    if user:
        client.force_login(user)
    assert client.get("/visits/referrals/").status_code == expected
