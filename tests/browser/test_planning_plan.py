"""Issue 4: the annual plan, tried as a new user would: the −10% rule refuses, the planner
fixes it, the approver records the city government's approval, the public reads it."""

import pytest

from fairinspect.core.roles import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def plan_world(make_user, make_officer, make_enterprise):
    planner = make_user("planner", Role.OFFICER, department="650100-WH", first_name="计划员")
    make_officer("计划员", department="650100-WH", user=planner)
    make_user("approver", Role.APPROVER, department="650100-WH", first_name="李科长")
    for _ in range(6):
        make_enterprise(supervising_level="city", high_risk=False, standardization_grade=None)
    for _ in range(4):
        make_enterprise(supervising_level="city")


def test_r3_5_r9_1_a_plan_refused_for_the_ten_percent_rule_is_fixed_approved_and_published(
    desk, phone, live_server, log_in, shot, plan_world
):
    log_in(desk, "planner", PASSWORD)
    desk.goto(f"{live_server.url}/planning/plans/")
    desk.get_by_role("button", name="起草本单位年度计划").click()
    desk.get_by_label("上年度检查次数").nth(7).fill("10")  # 非高危、未定级
    # Last year's count is derived from the records; a different number needs its reason.
    desk.get_by_label("更正理由（与统计不同时必填）").nth(7).fill("2025年上线前的纸质检查记录10次")
    desk.get_by_label("本年度计划次数").nth(7).fill("10")
    desk.get_by_role("button", name="保存分类计划").click()
    alert = desk.get_by_role("alert")
    assert "不得超过9次" in alert.inner_text()
    shot(desk, "planning-plan-refused")
    desk.get_by_label("本年度计划次数").nth(7).fill("9")
    desk.get_by_role("button", name="保存分类计划").click()
    desk.get_by_text("符合频次上限和非高危减少10%的要求").wait_for()
    desk.get_by_role("button", name="报市政府审批").click()
    desk.get_by_text("已报市政府审批").wait_for()
    desk.context.clear_cookies()

    log_in(desk, "approver", PASSWORD)
    desk.goto(f"{live_server.url}/planning/plans/")
    desk.get_by_role("link", name="年度安全生产监督检查计划").click()
    desk.get_by_label("市政府批准文号").fill("乌政函〔2026〕12号")
    desk.get_by_role("button", name="记录批准").click()
    desk.get_by_label("备案文号").fill("乌司备〔2026〕3号")
    desk.get_by_role("button", name="记录备案").click()
    desk.get_by_role("button", name="向社会公开").click()
    desk.get_by_text("已向社会公开").wait_for()

    phone.goto(f"{live_server.url}/planning/public/")
    phone.get_by_role("link", name="年度安全生产监督检查计划").click()
    text = phone.locator("main").inner_text()
    assert "乌政函〔2026〕12号" in text and "减少10.0%" in text
    shot(phone, "planning-plan-public")
