"""Issue 5 journey, tried as new users would: from a major hazard recorded during a visit the
officer (on a phone) opens the case, sees the grade, range and reasons; the legal reviewer (at
a desk) sees the case and approves; the approver decides; the decision is downloaded as .docx
and read back."""

from __future__ import annotations

import pytest
from django.utils import timezone
from docx import Document

from fairinspect.cases import services
from fairinspect.cases.models import Case
from tests.browser.conftest import DESK
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hazard(make_enterprise, admin_user):
    from fairinspect.registry.models import Department
    from fairinspect.visits.models import Hazard, Visit

    version = services.load_no_penalty_list(actor=admin_user)
    services.publish_no_penalty_list(actor=admin_user, version=version, on=timezone.localdate())
    ent = make_enterprise(name="天山示例化工有限公司", district_code="650102", main_person="张建国")
    visit = Visit.objects.create(
        enterprise=ent,
        kind="on_site",
        trigger="annual_plan",
        status="in_progress",
        planned_date=timezone.localdate(),
        department=Department.objects.get(code="650100-WH"),
        inspecting_level="city",
        checked_in_at=timezone.now(),
    )
    return Hazard.objects.create(
        visit=visit,
        enterprise=ent,
        level="major",
        place="液氨储罐区",
        description="可燃气体报警装置失效，未自查上报",
    )


def test_r7_6_r7_2_r7_5_officer_opens_a_case_from_a_hazard_reviewer_approves_decision_downloaded(
    phone, browser, live_server, log_in, shot, hazard, city_officer, approver, legal_reviewer
):
    # The officer, on a phone at the gate, opens the case from the hazard just recorded.
    log_in(phone, "city_officer", PASSWORD)
    phone.goto(f"{live_server.url}/cases/from-hazard/{hazard.pk}/")
    plan = phone.get_by_test_id("hazard-plan")
    assert "一案双罚" in plan.inner_text() and "附件九" in plan.inner_text()
    shot(phone, "cases-from-hazard-phone")
    phone.get_by_role("button", name="登记立案").click()
    phone.get_by_test_id("status").wait_for()
    assert "待立案审批" in phone.get_by_test_id("status").inner_text()
    unit = Case.objects.get(hazard=hazard, party="unit")
    person = Case.objects.get(hazard=hazard, party="person")
    assert unit.pair_id == person.pk and "张建国" in phone.content()

    # The discretion calculator shows the grade, the range and the reasons.
    phone.goto(f"{live_server.url}/cases/discretion/?violation=AQSCF2021-101-5")
    phone.get_by_label("危害后果", exact=True).select_option("slight")
    phone.get_by_role("button", name="计算裁量").click()
    verdict = phone.get_by_test_id("grade")
    verdict.wait_for()
    assert "一般处罚" in verdict.inner_text() and "建议罚款" in verdict.inner_text()
    assert "第一百零一条" in phone.locator("ol.reasons").inner_text()
    shot(phone, "cases-discretion-phone")

    # The approver approves the filing; the officer investigates, notifies, records the defence.
    today = timezone.localdate()
    services.transition(actor=approver, case=unit, action="approve_filing", today=today)
    phone.goto(f"{live_server.url}/cases/{unit.pk}/")
    phone.get_by_label("违法事实").fill(
        "检查发现液氨储罐区可燃气体报警装置失效，该重大事故隐患未按规定报告。"
    )
    phone.get_by_label("证据（每行一项）").fill("现场检查记录\n现场照片\n询问笔录")
    phone.get_by_label("危害后果", exact=True).select_option("slight")
    phone.get_by_label("拟罚款（元，必填）").fill("40000")
    phone.get_by_role("button", name="计算裁量并保存").click()
    phone.get_by_text("已办理：调查取证与裁量").wait_for()
    phone.wait_for_load_state("load")
    assert "建议" in phone.get_by_test_id("discretion").inner_text()
    shot(phone, "cases-case-assessed-phone")
    phone.get_by_role("button", name="送达告知书").click()
    phone.get_by_label("当事人陈述申辩").fill("已连夜修复报警装置，请求从轻。")
    phone.get_by_label("对陈述申辩的答复（采纳或不采纳的理由）").fill(
        "已整改属实，在裁量中已考虑；重大事故隐患未报告的事实不因整改而改变，从轻请求不予采纳。"
    )
    phone.get_by_role("button", name="记录陈述申辩").click()
    phone.get_by_text("已办理：记录陈述申辩").wait_for()

    # The legal reviewer, at a desk, reviews and approves.
    ctx = browser.new_context(viewport=DESK, locale="zh-CN", accept_downloads=True)
    desk = ctx.new_page()
    desk.set_default_timeout(30_000)
    log_in(desk, "legal", PASSWORD)
    unit.refresh_from_db()
    desk.goto(f"{live_server.url}/cases/")
    desk.get_by_role("link", name=unit.number).click()
    desk.get_by_label("审核意见").fill("事实清楚，证据确凿，适用依据正确，裁量适当。")
    shot(desk, "cases-legal-review-desk")
    desk.get_by_role("button", name="审核通过").click()
    desk.get_by_test_id("status").wait_for()
    assert "法制审核通过" in desk.get_by_test_id("status").inner_text()

    # The approver decides; the reviewer downloads the decision and reads it.
    services.transition(
        actor=approver, case=Case.objects.get(pk=unit.pk), action="decide", today=today
    )
    desk.reload()
    with desk.expect_download() as dl:
        desk.get_by_role("link", name="行政处罚决定书（.docx）").click()
    text = "\n".join(p.text for p in Document(str(dl.value.path())).paragraphs)
    unit.refresh_from_db()
    for expected in (
        "行政处罚决定书",
        unit.decision_number,
        "天山示例化工有限公司",
        "报警装置失效",
        "《安全生产法》第一百零一条第五项",
        "从轻请求不予采纳",
        "六十日内",
        "（印章）",
    ):
        assert expected in text, expected
    shot(desk, "cases-decided-desk")
    ctx.close()
