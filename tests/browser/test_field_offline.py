"""The officer's phone without signal (issue 12 items 1-2), in Chromium at 390 px: the day
page → the visit → 本人确认入企 with the browser offline → 待同步 → back online → counted
once (and once again after a forced resend); a queued check-in the server refuses shows its
reason. No horizontal overflow, tap targets at least 44 px."""

import pytest
from django.utils import timezone

from fairinspect.core.roles import Role
from tests.browser.conftest import assert_fits
from tests.conftest import PASSWORD

# flush() reloads the page once something was sent: until the new page has loaded outbox.js
# the outbox is undefined, which is not "still queued".
OUTBOX_EMPTY = (
    "window.fairinspectOutbox && window.fairinspectOutbox.all().then(a => a.length === 0)"
)

pytestmark = pytest.mark.django_db(transaction=True)

TAP = """() => [...document.querySelectorAll(
  'main button, main .button, main input:not([type=hidden]), main select, .day-visit h3 a'
)].filter(e => e.offsetParent !== null).map(e => {
  // a checkbox is tapped through its label (label.check is 44 px high)
  const t = (e.type === 'checkbox' || e.type === 'radio') && e.closest('label') ? e.closest('label') : e;
  const r = t.getBoundingClientRect();
  return [e.outerHTML.slice(0, 80), Math.round(r.width), Math.round(r.height)];
}).filter(([_h, w, h]) => h < 44 || w < 44)"""


def _fits(page):
    assert_fits(page)
    small = page.evaluate(TAP)
    assert small == [], small


@pytest.fixture
def scene(make_user, make_officer, make_enterprise):
    from fairinspect.catalog.models import InspectionItem
    from fairinspect.catalog.services import load_default_list
    from fairinspect.visits import services

    load_default_list()
    u1 = make_user("li_ming", Role.OFFICER, department="650100-WH", first_name="李明")
    u2 = make_user("zhang_hua", Role.OFFICER, department="650100-WH", first_name="张华")
    o1 = make_officer("李明", department="650100-WH", user=u1)
    o2 = make_officer("张华", department="650100-WH", user=u2)
    boss = make_user("zhao_kz", Role.APPROVER, department="650100-WH", first_name="赵科长")
    item = (
        InspectionItem.objects.filter(
            version__status="published", domain="hazchem", offsite_capable=False
        )
        .order_by("code")
        .first()
    )
    today = timezone.localdate()
    visits = []
    for name in ("乌鲁木齐示例化工有限公司", "天山区示例加油站"):
        ent = make_enterprise(
            name=name, supervising_level="city", high_risk=True, standardization_grade=2
        )
        v = services.create_visit(
            actor=u1,
            enterprise=ent,
            kind="on_site",
            trigger="annual_plan",
            planned_date=today,
            item_codes=[item.code],
            officer_ids=[o1.pk, o2.pk],
            today=today,
        )
        services.submit_plan(actor=u1, visit=v)
        services.approve_plan(actor=boss, visit=v, today=today)
        visits.append(v)
    # The colleague has confirmed on their own phone already.
    services.confirm_check_in(actor=u2, visit_id=visits[0].pk, nonce="colleague-0001")
    return {"visits": visits, "u1": u1, "u2": u2}


def _controlled(page):
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()
        page.wait_for_function("!!navigator.serviceWorker.controller")


def test_r6_1_r3_4_check_in_without_signal_waits_then_counts_once(
    phone, live_server, log_in, shot, scene
):
    from fairinspect.visits import queries, services
    from fairinspect.visits.models import CheckIn, FieldAction, Visit

    v = scene["visits"][0]
    log_in(phone, "li_ming", PASSWORD)
    phone.goto(f"{live_server.url}/visits/day/")
    _controlled(phone)
    assert "乌鲁木齐示例化工有限公司" in phone.locator("#day-today").locator("..").inner_text()
    _fits(phone)
    shot(phone, "field-day-phone")
    # The day's pages are kept for later: the visit page is in the cache.
    phone.wait_for_function(
        f"caches.open('fi-pages-v1').then(c => c.match('/visits/{v.pk}/')).then(r => !!r)"
    )

    phone.locator(f'article[data-visit="{v.pk}"]').get_by_role("link", name="确认入企").click()
    phone.get_by_role("button", name="本人确认入企").wait_for()
    phone.context.set_offline(True)
    # Without signal the officer's pages still open (from the kept copy).
    phone.goto(f"{live_server.url}/visits/day/")
    phone.goto(f"{live_server.url}/visits/{v.pk}/#checkin")
    phone.get_by_role("button", name="本人确认入企").click()
    box = phone.locator("[data-outbox-list]")
    box.locator(".outbox-pending .badge", has_text="待同步").wait_for()
    assert "确认入企" in box.inner_text()
    _fits(phone)
    shot(phone, "field-offline-queued-phone")
    assert not CheckIn.objects.filter(visit=v, user=scene["u1"]).exists()
    queued = phone.evaluate("window.fairinspectOutbox.all()")
    assert len(queued) == 1 and queued[0]["state"] == "pending"

    phone.context.set_offline(False)
    phone.get_by_text("两名执法人员已确认，检查开始").wait_for()
    v.refresh_from_db()
    assert v.status == "in_progress"
    assert CheckIn.objects.filter(visit=v).count() == 2
    assert FieldAction.objects.filter(visit=v, kind="check_in").count() == 1
    assert phone.evaluate("window.fairinspectOutbox.all()") == []
    # The phone sends it once more (a lost answer): still one confirmation, one slot.
    phone.evaluate(
        """(e) => new Promise((ok, no) => { const r = indexedDB.open('fairinspect-outbox', 1);
        r.onsuccess = () => { const t = r.result.transaction('actions', 'readwrite');
          t.objectStore('actions').put(e); t.oncomplete = ok; t.onerror = no; }; })""",
        queued[0],
    )
    phone.evaluate("window.fairinspectOutbox.flush()")
    phone.wait_for_function(OUTBOX_EMPTY)
    assert CheckIn.objects.filter(visit=v).count() == 2
    assert FieldAction.objects.filter(visit=v).count() == 1
    q = queries.quota_for(v.enterprise, year=v.planned_date.year, today=v.planned_date)
    assert q.used == 1
    assert Visit.objects.get(pk=v.pk).checked_in_at is not None
    _fits(phone)
    shot(phone, "field-synced-phone")

    # A photo of a major hazard as evidence, from the camera input; check-out waits for its order.
    import io

    from PIL import Image

    from fairinspect.visits.models import MediaFile

    h = services.record_hazard(
        actor=scene["u1"],
        visit=v,
        level="major",
        description="可燃气体报警仪失效",
        place="储罐区",
        item_code=v.items.first().code,
    )
    phone.reload()
    buf = io.BytesIO()
    Image.new("RGB", (1200, 900), (180, 60, 30)).save(buf, "JPEG")
    phone.locator(f"#hz-photo-{h.pk}").set_input_files(
        files=[{"name": "IMG_2001.jpg", "mimeType": "image/jpeg", "buffer": buf.getvalue()}]
    )
    phone.locator(f"#hazard-{h.pk}").get_by_role("button", name="上传照片").click()
    phone.locator(f"#hazard-{h.pk} .evidence img").wait_for()
    assert MediaFile.objects.filter(hazard=h).count() == 1
    assert "暂不能离企" in phone.locator("#checkout").inner_text()
    _fits(phone)
    shot(phone, "field-evidence-phone")


def test_r6_1_a_queued_check_in_the_server_refuses_shows_its_reason(
    phone, live_server, log_in, shot, scene
):
    from fairinspect.visits import services
    from fairinspect.visits.models import CheckIn

    v = scene["visits"][1]
    log_in(phone, "li_ming", PASSWORD)
    phone.goto(f"{live_server.url}/visits/{v.pk}/")
    _controlled(phone)
    phone.context.set_offline(True)
    phone.get_by_role("button", name="本人确认入企").click()
    phone.locator(".outbox-pending .badge", has_text="待同步").wait_for()
    # Meanwhile the visit is cancelled at the bureau.
    services.cancel_visit(actor=scene["u2"], visit=v, reason="企业停产")
    phone.context.set_offline(False)
    refused = phone.locator(".outbox-refused")
    refused.wait_for()
    text = refused.inner_text()
    assert "未被接受" in text and "该检查已结束或已取消" in text
    assert not CheckIn.objects.filter(visit=v).exists()
    _fits(phone)
    shot(phone, "field-refused-phone")
    refused.get_by_role("button", name="知道了，删除").click()
    phone.wait_for_function(OUTBOX_EMPTY)
