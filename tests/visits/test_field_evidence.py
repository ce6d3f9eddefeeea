"""Proof of presence and evidence (issue 12 items 3-4, R6.1, R6.4): the check-in compared with
the enterprise's registered location (set once, audited), flagged beyond the supervision
rule's threshold and never blocked; photos per finding and hazard hashed on the server,
resized with the original kept, capture time and place kept; the chain finding ↔ item ↔
clause ↔ hazard ↔ order ↔ follow-up on the page; check-out refused while a major hazard has no
order."""

from __future__ import annotations

import hashlib
import io

import pytest

from fairinspect.core.errors import Conflict, DomainError
from fairinspect.core.roles import Role
from fairinspect.rules.breaches import DEFAULT_THRESHOLDS
from fairinspect.rules.evidence import HazardState, checkout_refusals
from fairinspect.rules.presence import judge_presence
from fairinspect.visits import presence, services

from .conftest import nonce

pytestmark = pytest.mark.django_db

GATE = (43.825592, 87.616848)


def test_r6_1_presence_is_the_supervision_rules_distance_and_threshold():
    near = judge_presence((43.8260, 87.6170), 25.0, GATE)
    assert near.known and not near.flagged and near.distance_m < 100
    assert near.threshold_m == DEFAULT_THRESHOLDS.far_km * 1000
    far = judge_presence((43.8600, 87.6170), 30.0, GATE)  # ~3.8 km north
    assert far.flagged and far.reason.code == "checkin_far" and 3500 < far.distance_m < 4200
    assert not judge_presence(None, None, GATE).known
    assert judge_presence(GATE, 10.0, None).reason.code == "no_registered_location"
    assert judge_presence((43.8260, 87.6170), 2500.0, GATE).reason.code == "accuracy_poor"


def test_r6_1_an_officer_registers_the_location_once_and_it_is_audited(
    team, city_enterprise, admin_user
):
    from fairinspect.audit.models import AuditEvent

    u1 = team[0][0]
    loc = presence.set_location(
        actor=u1, enterprise=city_enterprise, lat=GATE[0], lng=GATE[1], accuracy=15
    )
    assert "李明" in loc.source
    assert AuditEvent.objects.filter(action="set_enterprise_location", actor_id=u1.pk).exists()
    with pytest.raises(Conflict):
        presence.set_location(actor=team[1][0], enterprise=city_enterprise, lat=1, lng=1)
    with pytest.raises(DomainError):
        presence.set_location(actor=admin_user, enterprise=city_enterprise, lat=95, lng=1)
    presence.set_location(actor=admin_user, enterprise=city_enterprise, lat=43.8, lng=87.6)


def test_r6_1_a_far_check_in_is_flagged_on_the_visit_page_not_refused(
    client, approved_visit, team, city_enterprise
):
    presence.set_location(actor=team[0][0], enterprise=city_enterprise, lat=GATE[0], lng=GATE[1])
    v = approved_visit()
    services.confirm_check_in(
        actor=team[0][0],
        visit_id=v.pk,
        nonce=nonce(),
        lat="43.860000",
        lng="87.617000",
        accuracy="35",
    )
    out = services.confirm_check_in(actor=team[1][0], visit_id=v.pk, nonce=nonce())
    assert out.started  # flagged, never blocked
    client.force_login(team[0][0])
    body = client.get(f"/visits/{v.pk}/").content.decode()
    part = body.split('id="presence"', 1)[1].split("</section>", 1)[0]
    assert "超过1000米" in part and "已标记供执法监督核查" in part and "±35" in part


def _jpeg(size=(1600, 1200), exif_time="2025:06:18 09:41:07"):
    from PIL import Image

    im = Image.new("RGB", size, (200, 80, 40))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = exif_time
    out = io.BytesIO()
    im.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_r6_4_a_hazard_photo_is_hashed_resized_and_kept_with_time_and_place(
    client, started_visit, team, settings, tmp_path, make_user
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    v = started_visit()
    h = services.record_hazard(actor=team[0][0], visit=v, level="general", description="护栏缺失")
    raw = _jpeg()
    client.force_login(team[0][0])
    r = client.post(
        f"/visits/{v.pk}/sync/",
        {
            "kind": "photo",
            "client_nonce": "photo-00000001",
            "hazard": str(h.pk),
            "lat": "43.825600",
            "lng": "87.616900",
            "accuracy": "12",
            "file": SimpleUploadedFile("IMG_0001.jpg", raw, content_type="image/jpeg"),
        },
    )
    assert r.json()["status"] == "done", r.content
    m = h.photos.get()
    assert m.sha256 == hashlib.sha256(raw).hexdigest()
    assert m.file.open("rb").read() == raw  # the original, as uploaded
    thumb = Image.open(m.thumbnail.open("rb"))
    assert max(thumb.size) <= 640 and thumb.size[0] == 640
    from django.utils import timezone

    assert m.captured_at is not None
    assert timezone.localtime(m.captured_at).strftime("%H:%M:%S") == "09:41:07"  # EXIF, local
    assert float(m.capture_lat) == pytest.approx(43.8256) and m.capture_accuracy == 12
    page = client.get(f"/visits/{v.pk}/").content.decode()
    assert f"/visits/{v.pk}/media/{m.pk}/thumb/" in page
    got = client.get(f"/visits/{v.pk}/media/{m.pk}/thumb/")
    assert got.status_code == 200 and got["Content-Type"] == "image/jpeg"
    original = client.get(f"/visits/{v.pk}/media/{m.pk}/original/")
    assert b"".join(original.streaming_content) == raw
    other = make_user("sy_other", Role.OFFICER, department="650103")
    client.force_login(other)
    assert client.get(f"/visits/{v.pk}/media/{m.pk}/thumb/").status_code in (403, 404)


def test_r6_4_the_chain_finding_item_clause_hazard_order_is_linked_and_shown(
    client, started_visit, team
):
    import datetime as dt

    v = started_visit()
    u1 = team[0][0]
    item = v.items.order_by("code").first()
    f = services.record_finding(
        actor=u1,
        visit=v,
        item_code=item.code,
        result="non_compliant",
        notes="未建立双重预防机制台账",
    )
    h = services.record_hazard(
        actor=u1, visit=v, level="general", description="台账缺失", item_code=item.code
    )
    assert h.item_id == item.pk and h.finding_id == f.pk
    o = services.issue_order(
        actor=u1,
        visit=v,
        hazard_ids=[h.pk],
        deadline=dt.date(2025, 7, 18),
        today=dt.date(2025, 6, 18),
    )
    client.force_login(u1)
    body = client.get(f"/visits/{v.pk}/").content.decode()
    part = body.split(f'id="hazard-{h.pk}"', 1)[1].split("</li>", 1)[0]
    law = item.legal_basis[0]
    assert item.code in part and f"《{law['law']}》第{law['article']}条" in part
    assert "未建立双重预防机制台账" in part and o.number in part
    with pytest.raises(DomainError):
        services.record_hazard(
            actor=u1, visit=v, level="general", description="x", item_code="NOT-IN-PLAN"
        )


def test_r6_4_check_out_with_a_major_hazard_needs_its_order_first(client, started_visit, team):
    import datetime as dt

    assert checkout_refusals([HazardState("1", "x", True, False, True)]) == ()
    v = started_visit()
    u1 = team[0][0]
    h = services.record_hazard(actor=u1, visit=v, level="major", description="储罐区违规动火")
    client.force_login(u1)
    page = client.get(f"/visits/{v.pk}/").content.decode()
    assert 'id="checkout-refusal"' in page and "储罐区违规动火" in page
    r = client.post(f"/visits/{v.pk}/check-out/", {"summary": "检查完毕"})
    assert r.status_code == 422 and "检查完毕" in r.content.decode()  # typed text kept
    with pytest.raises(Conflict) as exc:
        services.check_out(actor=u1, visit=v)
    assert exc.value.code == "major_hazard_without_order"
    services.issue_order(
        actor=u1,
        visit=v,
        hazard_ids=[h.pk],
        deadline=dt.date(2025, 6, 25),
        today=dt.date(2025, 6, 18),
    )
    assert services.check_out(actor=u1, visit=v).status == "done"
