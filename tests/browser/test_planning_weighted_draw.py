"""Issue 11 item 3, tried as a user would: a planner ticks "weighted by risk ranking" on the
task form, runs the draw, and the public verifies it in the browser over the weighted pool
file (verify.js's weighted sampler against the server's)."""

import datetime as dt

import pytest

from fairinspect.catalog.services import load_default_list
from fairinspect.core.roles import Role
from fairinspect.planning.models import Draw
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def weighted_world(make_user, make_officer, make_enterprise):
    load_default_list()
    planner = make_user("planner", Role.OFFICER, department="650100-WH", first_name="计划员")
    make_officer("计划员", department="650100-WH", user=planner)
    for i in range(5):
        make_officer(f"执法员{i}")
    for n in range(20):
        risky = n % 4 == 0
        make_enterprise(
            supervising_level="city",
            credit_level="D" if risky else "A",
            standardization_grade=None if risky else 1,
        )
    return planner


def test_r4_3_r9_2_a_weighted_draw_is_run_and_verified_in_the_browser(
    desk, phone, live_server, log_in, shot, weighted_world
):
    start = dt.date.today() + dt.timedelta(days=7)
    log_in(desk, "planner", PASSWORD)
    desk.goto(f"{live_server.url}/planning/tasks/new/")
    desk.get_by_label("任务名称").fill("重点企业风险加权“双随机”抽查")
    desk.get_by_label("抽查事项").select_option(["YJ-WH-004"])
    desk.get_by_label("检查开始日期").fill(start.isoformat())
    desk.get_by_label("检查结束日期").fill((start + dt.timedelta(days=20)).isoformat())
    desk.get_by_label("抽取数量").fill("6")
    desk.get_by_label("按风险排序加权抽取").check()
    shot(desk, "planning-task-form-weighted")
    desk.get_by_role("button", name="创建任务").click()
    desk.get_by_role("button", name="固定并公布名录库").click()
    desk.get_by_text("名录库已固定并公布").wait_for()
    assert "按风险排序加权" in desk.locator("section.card").first.inner_text()
    desk.get_by_label("随机种子（6至64位数字）").fill("27182818284")
    desk.get_by_label("产生种子的人员", exact=False).fill("张三（群众代表）")
    desk.get_by_role("button", name="录入随机种子").click()
    desk.get_by_role("button", name="抽取").click()
    desk.get_by_role("button", name="公布抽取结果并生成检查").click()
    desk.get_by_text("抽取结果已公布").wait_for()
    draw = Draw.objects.get()
    assert draw.task.weighted_by_risk and len(draw.selected) == 6

    phone.goto(f"{live_server.url}/planning/public/draws/{draw.pk}/")
    assert "验证通过" in phone.locator("#server-verdict").inner_text()
    phone.get_by_role("button", name="在浏览器中验证").click()
    phone.get_by_text("浏览器独立验证通过").wait_for()
    assert "与公布结果完全一致" in phone.locator("#verify-result").inner_text()
    shot(phone, "planning-public-verify-weighted")
