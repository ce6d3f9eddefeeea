"""The visits API during and after the visit (R6.3, R6.4, R8): recordings, media upload
(server-side SHA-256, sniffed type, size limit), the follow-up from an order and its result,
and the enterprise's rating, hidden from the inspecting unit."""

from __future__ import annotations

import hashlib

import pytest

from fairinspect.core.roles import Role
from fairinspect.visits import services
from fairinspect.visits.models import MediaFile, RectificationOrder, Visit

from .conftest import TODAY, nonce

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"x" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


def upload(client, v, headers, name, data, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"/api/v1/visits/{v.pk}/media",
        {"file": SimpleUploadedFile(name, data, "application/octet-stream"), **fields},
        **headers,
    )


def test_r6_3_recording_start_end_and_a_file_with_its_server_computed_sha256(
    client, api_token, team, started_visit
):
    (u1, _), _ = team
    v = started_visit()
    h = api_token(u1)
    r = post(client, f"/api/v1/visits/{v.pk}/recordings", {"device": "DSJ-0042"}, h)
    assert r.status_code == 201, r.content
    rec = r.json()
    assert rec["device"] == "DSJ-0042" and rec["ended_at"] is None
    r = upload(client, v, h, "clip.jpg", JPEG, recording_id=rec["id"])
    assert r.status_code == 201, r.content
    m = r.json()
    assert m["sha256"] == hashlib.sha256(JPEG).hexdigest()
    assert m["content_type"] == "image/jpeg" and m["size"] == len(JPEG)
    assert m["recording_id"] == rec["id"]
    r = post(client, f"/api/v1/visits/{v.pk}/recordings/{rec['id']}/end", {}, h)
    assert r.status_code == 200 and r.json()["ended_at"] is not None
    listed = client.get(f"/api/v1/visits/{v.pk}/recordings", **h).json()
    assert [f["sha256"] for f in listed[0]["files"]] == [m["sha256"]]
    r = post(client, f"/api/v1/visits/{v.pk}/check-out", {}, h)
    assert r.json()["missing_recording"] is False


def test_r6_3_the_upload_type_is_read_from_the_bytes_not_the_name(
    client, api_token, team, started_visit
):
    (u1, _), _ = team
    v = started_visit()
    h = api_token(u1)
    for name, data in [
        ("photo.jpg", PNG),
        ("notes.jpg", b"plain text, not a photo"),
        ("x.exe", JPEG),
    ]:
        r = upload(client, v, h, name, data)
        assert r.status_code == 422, (name, r.content)
        assert r.json()["code"] == "file_type_not_allowed" and r.json()["field"] == "file"
    assert upload(client, v, h, "ok.png", PNG).json()["content_type"] == "image/png"
    assert MediaFile.objects.filter(visit=v).count() == 1


def test_r6_3_an_upload_beyond_the_size_limit_or_empty_is_refused(
    client, api_token, team, started_visit, monkeypatch
):
    (u1, _), _ = team
    v = started_visit()
    monkeypatch.setattr(services.onsite, "MAX_MEDIA_BYTES", 100)
    r = upload(client, v, api_token(u1), "big.jpg", JPEG)
    assert r.status_code == 422 and r.json()["code"] == "file_too_large"
    r = upload(client, v, api_token(u1), "empty.jpg", b"")
    assert r.status_code == 422 and r.json()["code"] == "file_empty"
    assert not MediaFile.objects.exists()


def test_r6_3_a_file_cannot_be_attached_to_another_visits_recording(
    client, api_token, team, started_visit, make_enterprise
):
    (u1, _), _ = team
    v = started_visit()
    other = started_visit(make_enterprise(supervising_level="city"))
    rec = services.start_recording(actor=u1, visit=other, device="DSJ-1")
    r = upload(client, v, api_token(u1), "a.jpg", JPEG, recording_id=rec.pk)
    assert r.status_code == 422 and r.json()["field"] == "recording_id"


def test_r6_3_only_the_team_records_and_uploads(
    client, api_token, started_visit, make_user, make_officer
):
    v = started_visit()
    stranger = make_user("wh_other", Role.OFFICER, department="650100-WH")
    make_officer("旁人", department="650100-WH", user=stranger)
    h = api_token(stranger)
    assert post(client, f"/api/v1/visits/{v.pk}/recordings", {"device": "D"}, h).status_code == 403
    assert upload(client, v, h, "a.jpg", JPEG).status_code == 403


def test_r6_4_follow_up_from_an_order_and_its_result_over_the_api(
    client, api_token, team, started_visit, approver_user
):
    (u1, _o1), (u2, _o2) = team
    v = started_visit()
    h = api_token(u1)
    hz = post(
        client, f"/api/v1/visits/{v.pk}/hazards", {"level": "general", "description": "无台账"}, h
    ).json()
    order = post(
        client,
        f"/api/v1/visits/{v.pk}/orders",
        {"hazard_ids": [hz["id"]], "deadline": "2025-07-18"},
        h,
    ).json()
    post(client, f"/api/v1/visits/{v.pk}/check-out", {}, h)
    r = post(client, f"/api/v1/orders/{order['id']}/follow-up", {"planned_date": "2025-06-18"}, h)
    assert r.status_code == 201, r.content
    fu = r.json()
    assert fu["trigger"] == "follow_up" and fu["parent_visit_id"] == v.pk
    assert fu["follow_up_order"] == order["number"]
    assert fu["justification_reference"] == order["number"]
    assert {m["officer_id"] for m in fu["team"]} == {_o1.pk, _o2.pk}  # the original team
    f = Visit.objects.get(pk=fu["id"])
    services.submit_plan(actor=u1, visit=f)
    services.approve_plan(actor=approver_user, visit=f, today=TODAY)
    services.confirm_check_in(actor=u1, visit_id=f.pk, nonce=nonce())
    services.confirm_check_in(actor=u2, visit_id=f.pk, nonce=nonce())
    r = post(
        client,
        f"/api/v1/visits/{f.pk}/follow-up-result",
        {"result": "rectified", "notes": "已建立台账"},
        h,
    )
    assert r.status_code == 200, r.content
    assert r.json()["follow_up_result"] == "rectified"
    assert RectificationOrder.objects.get(pk=order["id"]).status == "rectified"


def test_r6_4_a_follow_up_result_on_an_ordinary_visit_is_409(
    client, api_token, team, started_visit
):
    (u1, _), _ = team
    v = started_visit()
    r = post(
        client, f"/api/v1/visits/{v.pk}/follow-up-result", {"result": "rectified"}, api_token(u1)
    )
    assert r.status_code == 409 and r.json()["code"] == "not_a_follow_up"


def test_r8_the_enterprise_rates_a_finished_visit_and_only_supervisors_read_it(
    client, api_token, team, started_visit, make_user, city_enterprise, supervisor
):
    (u1, _), _ = team
    v = started_visit()
    ent = make_user("ent_rater", Role.ENTERPRISE, enterprise=city_enterprise)
    url = f"/api/v1/visits/{v.pk}/rating"
    r = post(client, url, {"score": 4}, api_token(ent))
    assert r.status_code == 409 and r.json()["code"] == "visit_not_done"
    services.check_out(actor=u1, visit=v)
    assert post(client, url, {"score": 9}, api_token(ent)).status_code == 422
    r = post(client, url, {"score": 4, "comment": "规范"}, api_token(ent))
    assert r.status_code == 201, r.content
    assert post(client, url, {"score": 5}, api_token(ent)).json()["code"] == "already_rated"
    assert post(client, url, {"score": 1}, api_token(u1)).status_code == 403
    assert client.get(url, **api_token(u1)).status_code == 403  # the inspecting unit
    assert "规范" not in client.get(f"/api/v1/visits/{v.pk}", **api_token(u1)).content.decode()
    r = client.get(url, **api_token(supervisor))
    assert r.status_code == 200 and r.json()["score"] == 4


def test_r8_another_enterprise_cannot_rate_the_visit(
    client, api_token, team, started_visit, other_enterprise_user
):
    (u1, _), _ = team
    v = started_visit()
    services.check_out(actor=u1, visit=v)
    r = post(
        client, f"/api/v1/visits/{v.pk}/rating", {"score": 1}, api_token(other_enterprise_user)
    )
    assert r.status_code == 404
