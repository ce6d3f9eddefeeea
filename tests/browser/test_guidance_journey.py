"""谁执法谁普法 tried as people would (issue 16): the public reads the compliance guidance
list on a phone; an officer at the gate sees what to explain and records it; the enterprise
finds what it was told."""

import pytest
from django.utils import timezone

from fairinspect.core.roles import Role
from tests.browser.conftest import assert_fits
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def started(make_user, make_officer, make_enterprise):
    from fairinspect.catalog import guidance
    from fairinspect.catalog.services import load_default_list
    from fairinspect.visits import services

    load_default_list()
    guidance.load_default_list()
    ent = make_enterprise(name="乌鲁木齐示例化工有限公司", supervising_level="city")
    u1 = make_user("li_ming", Role.OFFICER, department="650100-WH", first_name="李明")
    u2 = make_user("zhang_hua", Role.OFFICER, department="650100-WH", first_name="张华")
    o1 = make_officer("李明", department="650100-WH", user=u1)
    o2 = make_officer("张华", department="650100-WH", user=u2)
    boss = make_user("zhao_kz", Role.APPROVER, department="650100-WH")
    make_user("qiye", Role.ENTERPRISE, enterprise=ent)
    today = timezone.localdate()
    v = services.create_visit(
        actor=u1,
        enterprise=ent,
        kind="on_site",
        trigger="annual_plan",
        planned_date=today,
        item_codes=["YJ-WH-004", "YJ-WH-007"],
        officer_ids=[o1.pk, o2.pk],
        entry_kind="督导",
        today=today,
    )
    services.submit_plan(actor=u1, visit=v)
    services.approve_plan(actor=boss, visit=v, today=today)
    services.confirm_check_in(actor=u1, visit_id=v.pk, nonce="nonce-guidance-1")
    services.confirm_check_in(actor=u2, visit_id=v.pk, nonce="nonce-guidance-2")
    return v


def test_r2_4_the_public_searches_the_guidance_list_on_a_phone(phone, live_server, shot):
    from fairinspect.catalog import guidance

    guidance.load_default_list()
    phone.goto(f"{live_server.url}/")
    phone.get_by_role("link", name="企业行政合规指导清单").first.click()
    phone.get_by_label("关键词").fill("有限空间")
    phone.get_by_role("button", name="查询").click()
    phone.get_by_role("heading", name="GL-018 有限空间作业安全管理").wait_for()
    assert_fits(phone)
    shot(phone, "guidance-list-phone")
    phone.get_by_role("link", name="GL-018 有限空间作业安全管理").click()
    phone.get_by_role("heading", name="自查要点").wait_for()
    assert_fits(phone)


def test_r2_4_the_officer_records_guidance_and_the_enterprise_finds_it(
    phone, live_server, log_in, shot, started
):
    log_in(phone, "li_ming", PASSWORD)
    phone.goto(f"{live_server.url}/visits/{started.pk}/")
    section = phone.locator("#guidance")
    section.get_by_text("GL-019 危险化学品储存安全管理").first.wait_for()
    assert section.get_by_label("GL-019 危险化学品储存安全管理").is_checked()  # proposed
    section.get_by_label("关键岗位人员").check()
    section.scroll_into_view_if_needed()
    shot(phone, "visit-guidance-phone", full_page=False)
    section.get_by_role("button", name="记录普法指导").click()
    phone.get_by_text("普法指导内容已记录。").wait_for()
    assert started.guidance_given.filter(entry__code="GL-019").exists()
    assert_fits(phone)

    phone.context.clear_cookies()
    log_in(phone, "qiye", PASSWORD)
    phone.get_by_role("link", name="普法指导").first.click()
    phone.get_by_role("link", name="GL-019 危险化学品储存安全管理").wait_for()
    with phone.expect_download() as d:
        phone.get_by_role("link", name="下载合规指导告知书").click()
    assert d.value.suggested_filename.endswith(".docx")
    shot(phone, "enterprise-guidance-phone")
