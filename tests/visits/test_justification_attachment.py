"""R3.3: the scan of the record that justifies an exempt visit — uploaded on the create page
or over the API, PDF/JPEG/PNG up to 10 MB checked by content, and only ever served as a
download through a view that checks access."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fairinspect.core.roles import Role
from fairinspect.visits import services
from fairinspect.visits.models import Visit

from .conftest import TODAY, complaint

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n" + b"1 0 obj << >> endobj\n" * 20 + b"%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64
HTML = b"<html><script>alert(1)</script></html>"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def form(items, team, enterprise, **extra):
    (_u1, o1), (_u2, o2) = team
    j = complaint(enterprise)
    return {
        "kind": "on_site",
        "trigger": "complaint",
        "planned_date": TODAY.isoformat(),
        "item_codes": [items["onsite"][0].code],
        "officer_ids": [o1.pk, o2.pk],
        "justification_kind": j["kind"],
        "justification_reference": j["reference"],
        "justification_date": j["date"],
        "justification_summary": j["summary"],
        **extra,
    }


def test_r3_3_the_create_page_stores_the_attachment_and_serves_it_as_a_download(
    client, team, items, city_enterprise
):
    client.force_login(team[0][0])
    r = client.post(
        f"/visits/new/?enterprise={city_enterprise.credit_code}",
        form(
            items,
            team,
            city_enterprise,
            justification_attachment=SimpleUploadedFile("举报.pdf", PDF),
        ),
    )
    assert r.status_code == 302, r.content.decode()[:500]
    v = Visit.objects.get()
    assert v.justification_attachment.name.endswith(".pdf")
    page = client.get(f"/visits/{v.pk}/").content.decode()
    assert "下载依据附件" in page
    r = client.get(f"/visits/{v.pk}/justification/")
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith("attachment")
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content) == PDF


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("page.html", HTML, "file_type_not_allowed"),
        ("page.pdf", HTML, "file_type_not_allowed"),  # the name lies
        ("scan.pdf", PNG, "file_type_not_allowed"),  # PNG bytes named .pdf
        ("empty.pdf", b"", "file_empty"),
    ],
)
def test_r3_3_a_bad_attachment_on_the_create_page_saves_nothing(
    name, data, code, client, team, items, city_enterprise
):
    client.force_login(team[0][0])
    r = client.post(
        f"/visits/new/?enterprise={city_enterprise.credit_code}",
        form(items, team, city_enterprise, justification_attachment=SimpleUploadedFile(name, data)),
    )
    assert r.status_code == 422
    message = {"file_type_not_allowed": "只接受PDF、JPEG、PNG", "file_empty": "为空文件"}[code]
    assert message in r.content.decode()
    assert not Visit.objects.exists()


def test_r3_3_an_attachment_over_10_mb_is_refused(new_visit, team, monkeypatch, city_enterprise):
    v = new_visit(trigger="complaint", justification=complaint(city_enterprise))
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024))
    from fairinspect.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as e:
        services.attach_justification(actor=team[0][0], visit=v, upload=big)
    assert e.value.code == "file_too_large" and "10MB" in e.value.message
    v.refresh_from_db()
    assert not v.justification_attachment


def test_r3_3_the_api_uploads_the_attachment_and_serves_it_with_safe_headers(
    client, api_token, team, new_visit, city_enterprise
):
    v = new_visit(trigger="complaint", justification=complaint(city_enterprise))
    h = api_token(team[0][0])
    url = f"/api/v1/visits/{v.pk}/justification-attachment"
    r = client.post(url, {"file": SimpleUploadedFile("scan.png", PNG)}, **h)
    assert r.status_code == 200, r.content
    assert r.json()["has_justification_attachment"] is True
    r = client.get(url, **h)
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert r["Content-Disposition"].startswith("attachment")
    assert r["X-Content-Type-Options"] == "nosniff"


def test_r3_3_the_api_refuses_a_wrong_type_and_a_visit_without_justification(
    client, api_token, team, new_visit, city_enterprise
):
    h = api_token(team[0][0])
    v = new_visit(trigger="complaint", justification=complaint(city_enterprise))
    r = client.post(
        f"/api/v1/visits/{v.pk}/justification-attachment",
        {"file": SimpleUploadedFile("x.pdf", HTML)},
        **h,
    )
    assert r.status_code == 422 and r.json()["field"] == "justification_attachment"
    plain = new_visit()
    r = client.post(
        f"/api/v1/visits/{plain.pk}/justification-attachment",
        {"file": SimpleUploadedFile("x.pdf", PDF)},
        **h,
    )
    assert r.status_code == 409 and r.json()["code"] == "no_justification"


def test_r3_3_after_check_in_the_attachment_can_no_longer_be_replaced(
    started_visit, team, city_enterprise
):
    from fairinspect.core.errors import Conflict

    v = started_visit(trigger="complaint", justification=complaint(city_enterprise))
    with pytest.raises(Conflict) as e:
        services.attach_justification(
            actor=team[0][0], visit=v, upload=SimpleUploadedFile("a.pdf", PDF)
        )
    assert e.value.code == "visit_started"


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("officer", 200),
        ("supervisor", 200),
        ("other_district", 404),
        ("enterprise", 403),
        ("expert", 403),
        ("anonymous", 302),
    ],
)
def test_r3_3_access_table_for_the_attachment_download(
    who, expected, client, team, new_visit, make_user, city_enterprise, supervisor, expert_user
):
    v = new_visit(trigger="complaint", justification=complaint(city_enterprise))
    services.attach_justification(
        actor=team[0][0], visit=v, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    users = {
        "officer": team[0][0],
        "supervisor": supervisor,
        "other_district": make_user("sy_off", Role.OFFICER, department="650103"),
        "enterprise": make_user("ent_j", Role.ENTERPRISE, enterprise=city_enterprise),
        "expert": expert_user,
        "anonymous": None,
    }
    if users[who]:
        client.force_login(users[who])
    assert client.get(f"/visits/{v.pk}/justification/").status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("enterprise", 403), ("expert", 403), ("other_district", 404), ("anonymous", 401)],
)
def test_r3_3_api_access_table_for_the_attachment_upload(
    who, expected, client, api_token, new_visit, make_user, city_enterprise, expert_user
):
    v = new_visit(trigger="complaint", justification=complaint(city_enterprise))
    users = {
        "other_district": make_user("sy_off", Role.OFFICER, department="650103"),
        "enterprise": make_user("ent_j", Role.ENTERPRISE, enterprise=city_enterprise),
        "expert": expert_user,
        "anonymous": None,
    }
    headers = api_token(users[who]) if users[who] else {}
    url = f"/api/v1/visits/{v.pk}/justification-attachment"
    r = client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF)}, **headers)
    assert r.status_code == expected
    assert client.get(url, **headers).status_code == expected
