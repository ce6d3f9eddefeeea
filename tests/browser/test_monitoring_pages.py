# ruff: noqa: F811 (fixtures imported by name and then used as arguments)
"""Issue 11 on a 390 px phone: every monitoring page (wall, charts, queue, a warning, the
ranking, point configuration, off-site inspections, the assistant and its log) without
horizontal overflow, each screenshotted; an officer configures a point, records how an
off-site inspection was done, and confirms an edited draft (R4.1, R4.3, R4.4)."""

from __future__ import annotations

import pytest

from fairinspect.core.roles import Role
from fairinspect.monitoring.models import AssistantLog, MonitoringPoint, OffsiteInspection
from tests.browser.conftest import assert_fits
from tests.browser.test_monitoring_journey import world  # noqa: F401
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _small_taps(page) -> list[str]:
    """Buttons and button-like links lower than 44 px (inline text links are exempt)."""
    return page.evaluate(
        """[...document.querySelectorAll('main button, main .button, main select, main input:not([type=checkbox]):not([type=radio]):not([type=hidden])')]
           .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
           .map(e => e.outerHTML.slice(0, 80))"""
    )


def test_r4_every_monitoring_page_fits_a_phone_and_works(
    phone, live_server, log_in, shot, world, make_user, make_officer
):
    officer, _ent_user, ent, _point = world
    base = live_server.url
    log_in(phone, "mon_officer", PASSWORD)

    def visit(path: str, name: str, *, wait: str | None = None):
        phone.goto(base + path)
        if wait:
            phone.wait_for_selector(wait)
        assert_fits(phone)
        assert _small_taps(phone) == [], path
        shot(phone, name)

    visit("/monitoring/", "monitoring-wall-phone")
    visit(
        f"/monitoring/enterprises/{ent.credit_code}/", "monitoring-charts-phone", wait=".chart svg"
    )
    visit("/monitoring/warnings/", "monitoring-queue-phone")
    number = phone.locator("table a").first.inner_text()
    visit(f"/monitoring/warnings/{number}/", "monitoring-warning-phone")
    visit("/monitoring/ranking/", "monitoring-ranking-phone")

    # Point configuration: a refused form keeps what was typed; then saved and shown.
    visit(f"/monitoring/enterprises/{ent.credit_code}/points/new/", "monitoring-point-new-phone")
    phone.get_by_label("点位编号").fill("PT-301")
    phone.get_by_label("点位名称").fill("反应釜压力")
    phone.get_by_label("类型").select_option("pressure")
    phone.get_by_label("单位").fill("MPa")
    phone.get_by_label("量程下限").fill("0")
    phone.get_by_label("量程上限").fill("4")
    phone.get_by_label("高高限（二级报警）").fill("3.0")
    phone.get_by_label("高限（一级报警）").fill("3.5")
    phone.get_by_role("button", name="保存点位").click()
    assert "高高限应不小于高限" in phone.content()
    assert phone.get_by_label("点位编号").input_value() == "PT-301"
    assert_fits(phone)
    shot(phone, "monitoring-point-refused-phone")
    phone.get_by_label("高限（一级报警）").fill("2.5")
    phone.get_by_role("button", name="保存点位").click()
    phone.wait_for_url(f"**/monitoring/enterprises/{ent.credit_code}/")
    assert MonitoringPoint.objects.filter(enterprise=ent, code="PT-301", high=2.5).exists()
    new = MonitoringPoint.objects.get(enterprise=ent, code="PT-301")
    visit(f"/monitoring/points/{new.pk}/edit/", "monitoring-point-edit-phone")

    # Off-site inspections: an off-site visit in the officer's district, its method recorded.
    from fairinspect.visits.models import Visit, VisitOfficer

    dept = officer.department
    v = Visit.objects.create(
        enterprise=ent, department=dept, kind="off_site", trigger="annual_plan",
        planned_date="2026-06-17", status="approved", created_by=officer,
    )  # fmt: skip
    VisitOfficer.objects.create(visit=v, officer=officer.officer)
    visit("/monitoring/offsite/", "monitoring-offsite-list-phone")
    visit(f"/monitoring/offsite/{v.pk}/", "monitoring-offsite-detail-phone")
    phone.get_by_role("link", name="登记检查方式").click()
    phone.get_by_label("监测数据比对").check()
    phone.get_by_label("审查的资料、视频连线或比对的数据").fill("比对 GT-101 近 24 小时浓度曲线")
    assert_fits(phone)
    shot(phone, "monitoring-offsite-form-phone")
    phone.get_by_role("button", name="登记").click()
    assert "监测数据比对" in phone.locator("dl").inner_text()
    assert OffsiteInspection.objects.filter(visit=v, method="data_comparison").exists()
    shot(phone, "monitoring-offsite-recorded-phone")

    # The assistant: a draft marked as such; confirmed only after an edit.
    visit("/monitoring/assistant/", "monitoring-assistant-phone")
    phone.get_by_label("企业统一社会信用代码（可选）").fill(ent.credit_code)
    phone.get_by_role("button", name="生成草稿").click()
    assert "须经人工修改确认" in phone.content()
    assert_fits(phone)
    shot(phone, "monitoring-assistant-draft-phone")
    phone.get_by_role("button", name="我已修改，确认使用").click()
    assert "草稿须经人工修改后才能确认使用" in phone.content()
    box = phone.get_by_label("修改草稿（确认前必须修改）")
    box.fill(box.input_value() + "\n经核实，企业已完成处置。")
    phone.get_by_role("button", name="我已修改，确认使用").click()
    assert "已确认的文字" in phone.content()
    assert AssistantLog.objects.get().confirmed_at is not None
    shot(phone, "monitoring-assistant-confirmed-phone")

    sup = make_user("mon_sup", Role.SUPERVISOR, department="650100-ZH")
    assert sup.pk
    phone.context.clear_cookies()
    log_in(phone, "mon_sup", PASSWORD)
    visit("/monitoring/assistant/log/", "monitoring-assistant-log-phone")
    assert "经核实，企业已完成处置" in phone.content() or phone.locator("details").count() >= 3
