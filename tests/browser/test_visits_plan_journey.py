"""Arranging a visit at the desk (issue 3, R6.2): the officer picks the items and a colleague,
gets a drafted plan, explains why an off-site-capable item needs a visit, submits; the
approver approves; the QR poster prints."""

import pytest

from fairinspect.core.roles import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_r6_2_r4_2_officer_drafts_submits_and_the_approver_approves(
    desk, browser, live_server, log_in, shot, make_user, make_officer, make_enterprise
):
    from fairinspect.catalog.models import InspectionItem
    from fairinspect.catalog.services import load_default_list
    from fairinspect.visits.models import Visit

    load_default_list()
    ent = make_enterprise(name="红山示例燃气有限公司", supervising_level="city")
    u1 = make_user("wang_wh", Role.OFFICER, department="650100-WH", first_name="王伟")
    make_officer("王伟", department="650100-WH", user=u1)
    make_officer("刘洋", department="650100-WH")
    make_user("kezhang", Role.APPROVER, department="650100-WH", first_name="科长")
    hz = InspectionItem.objects.filter(version__status="published", domain="hazchem")
    onsite = hz.filter(offsite_capable=False).order_by("code").first()
    offsite = hz.filter(offsite_capable=True).order_by("code").first()

    log_in(desk, "wang_wh", PASSWORD)
    desk.goto(f"{live_server.url}/visits/new/?enterprise={ent.credit_code}")
    desk.get_by_label(f"{onsite.code} {onsite.name}").check()
    desk.get_by_label(f"{offsite.code} {offsite.name}").check()
    desk.get_by_label("刘洋").check()
    desk.get_by_role("button", name="起草检查方案").click()
    desk.get_by_text("现场检查方案已按事项和企业情况起草").wait_for()
    desk.get_by_role("button", name="保存并提交审批").click()
    alert = desk.locator(".msg-error")
    alert.wait_for()
    assert "非现场检查不足以查清的理由" in alert.inner_text()
    desk.get_by_label("非现场检查不足以查清的理由（必填）").fill("须现场核验储罐液位计和报警联锁")
    desk.get_by_role("button", name="保存并提交审批").click()
    desk.get_by_text("方案已提交审批").wait_for()
    shot(desk, "visits-plan-submitted-desk")

    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    boss = ctx.new_page()
    log_in(boss, "kezhang", PASSWORD)
    boss.goto(f"{live_server.url}/visits/?scope=approve")
    boss.get_by_role("link", name=ent.name).click()
    boss.get_by_role("button", name="批准方案").click()
    boss.locator(".msg-success").filter(has_text="方案已批准").wait_for()
    ctx.close()
    assert Visit.objects.get(enterprise=ent).status == "approved"

    desk.goto(f"{live_server.url}/visits/enterprise/{ent.credit_code}/poster/")
    img = desk.locator("img.poster-qr")
    img.wait_for()
    assert desk.evaluate("document.querySelector('img.poster-qr').naturalWidth") > 0
    shot(desk, "visits-qr-poster")
