"""The phone's outbox and the server (issue 12 item 2, R1.3, R3.4, R6.1): an action sent with
a nonce is decided once; a resend is answered with the first outcome and counted once; a
refused one stores nothing and says why; the service worker is served from /visits/ and
loads only the vendored Workbox."""

from __future__ import annotations

import pytest

from fairinspect.visits.models import CheckIn, FieldAction, Hazard

pytestmark = pytest.mark.django_db


def _sync(client, v, **data):
    return client.post(f"/visits/{v.pk}/sync/", data)


def test_r6_1_a_resent_check_in_is_counted_once(client, approved_visit, team):
    from fairinspect.visits import queries

    v = approved_visit()
    (u1, _), (u2, _) = team
    client.force_login(u2)
    assert (
        _sync(client, v, kind="check_in", client_nonce="phone2-aaaaaaaa").json()["status"] == "done"
    )
    client.force_login(u1)
    first = _sync(
        client,
        v,
        kind="check_in",
        client_nonce="phone1-bbbbbbbb",
        client_time="2025-06-18T09:01:00+08:00",
    )
    assert first.status_code == 200 and first.json()["status"] == "done"
    again = _sync(client, v, kind="check_in", client_nonce="phone1-bbbbbbbb")
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    v.refresh_from_db()
    assert v.status == "in_progress"
    assert CheckIn.objects.filter(visit=v).count() == 2
    assert FieldAction.objects.filter(visit=v).count() == 2
    q = queries.quota_for(v.enterprise, year=v.planned_date.year, today=v.planned_date)
    assert q.used == 1  # one slot, however often the phone resent
    fa = FieldAction.objects.get(nonce="phone1-bbbbbbbb")
    # The time the system decided on is the server's; the phone's claim is kept apart.
    assert (
        fa.client_time is not None
        and v.checked_in_at == CheckIn.objects.get(nonce="phone1-bbbbbbbb").confirmed_at
    )


def test_r6_1_a_resent_hazard_is_recorded_once(client, started_visit, team):
    v = started_visit()
    client.force_login(team[0][0])
    data = dict(
        kind="hazard", client_nonce="hz-0000000001", level="general", description="配电箱未上锁"
    )
    assert _sync(client, v, **data).json()["status"] == "done"
    assert _sync(client, v, **data).json()["status"] == "duplicate"
    assert Hazard.objects.filter(visit=v).count() == 1


def test_r3_4_a_queued_check_in_the_server_refuses_says_why_and_stores_nothing(
    client, approved_visit, team
):
    from fairinspect.visits import services

    v = approved_visit()
    services.cancel_visit(actor=team[0][0], visit=v, reason="企业停产")
    client.force_login(team[0][0])
    r = _sync(client, v, kind="check_in", client_nonce="late-00000001")
    body = r.json()
    assert r.status_code == 409 and body["status"] == "refused"
    assert body["code"] == "visit_closed" and body["message"]
    assert not FieldAction.objects.exists() and not CheckIn.objects.exists()


def test_r6_1_a_nonce_is_one_officers_and_well_formed(client, started_visit, team):
    v = started_visit()
    client.force_login(team[0][0])
    ok = dict(kind="hazard", client_nonce="shared-00000001", level="general", description="x")
    assert _sync(client, v, **ok).json()["status"] == "done"
    client.force_login(team[1][0])
    r = _sync(client, v, **ok)
    assert r.status_code == 409 and r.json()["code"] == "nonce_reused"
    r = _sync(client, v, kind="hazard", client_nonce="bad nonce!", level="general", description="x")
    assert r.status_code == 422 and r.json()["field"] == "nonce"
    r = _sync(client, v, kind="delete_everything", client_nonce="kind-00000001")
    assert r.status_code == 422 and r.json()["field"] == "kind"


def test_r6_1_an_expired_session_keeps_the_action_on_the_phone(client, started_visit):
    v = started_visit()
    r = _sync(client, v, kind="hazard", client_nonce="anon-00000001")
    assert r.status_code == 401 and r.json()["status"] == "unauthenticated"


def test_the_service_worker_is_served_for_the_officers_pages_from_vendored_workbox(client):
    r = client.get("/visits/sw.js")
    assert r.status_code == 200 and r["Service-Worker-Allowed"] == "/visits/"
    body = r.content.decode()
    assert "vendor/workbox-7.4.1/workbox-sw.js" in body and "modulePathCb" in body
    assert "googleapis" not in body and "cdn" not in body.lower()
    from pathlib import Path

    import fairinspect.visits as pkg

    folder = Path(pkg.__file__).parent / "static" / "vendor" / "workbox-7.4.1"
    for name in ("core", "routing", "strategies", "expiration", "cacheable-response"):
        assert (folder / f"workbox-{name}.prod.js").stat().st_size > 500
        assert f"workbox-{name}.prod.js" in body


def test_the_officers_pages_are_an_installable_web_app(client, started_visit, team):
    import json
    from pathlib import Path

    import fairinspect.visits as pkg

    v = started_visit()
    client.force_login(team[0][0])
    for url in ("/visits/day/", f"/visits/{v.pk}/"):
        body = client.get(url).content.decode()
        assert 'rel="manifest"' in body and 'name="fi-sw"' in body and "outbox.js" in body
    m = json.loads((Path(pkg.__file__).parent / "static/visits/manifest.webmanifest").read_text())
    assert m["start_url"] == "/visits/day/" and m["display"] == "standalone"
    assert {i["sizes"] for i in m["icons"]} == {"192x192", "512x512"}


def test_r6_1_the_api_takes_a_field_action_once_per_nonce(client, started_visit, team, api_token):
    v = started_visit()
    h = api_token(team[0][0])
    body = {"kind": "hazard", "nonce": "api-hz-000001", "level": "general", "description": "漏电"}
    r1 = client.post(
        f"/api/v1/visits/{v.pk}/field-actions", body, content_type="application/json", **h
    )
    assert r1.status_code == 200 and r1.json()["status"] == "done", r1.content
    r2 = client.post(
        f"/api/v1/visits/{v.pk}/field-actions", body, content_type="application/json", **h
    )
    assert r2.json()["status"] == "duplicate" and Hazard.objects.filter(visit=v).count() == 1
    bad = client.post(
        f"/api/v1/visits/{v.pk}/field-actions",
        {**body, "nonce": "api-hz-000002", "lat": "43.8"},
        content_type="application/json",
        **h,
    )
    assert bad.status_code == 422 and bad.json()["field"] == "lat"
    p = client.get(f"/api/v1/visits/{v.pk}/presence", **h).json()
    assert p["code"] in ("no_checkin_location", "no_registered_location") and not p["flagged"]
    code = v.enterprise.credit_code
    r = client.post(
        f"/api/v1/enterprises/{code}/location",
        {"lat": 43.8256, "lng": 87.6168, "accuracy": 12.0},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 201 and "李明" in r.json()["source"]
    r = client.post(
        f"/api/v1/enterprises/{code}/location",
        {"lat": 43.8, "lng": 87.6},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 409 and r.json()["code"] == "location_already_set"
