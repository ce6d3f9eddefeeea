"""Issue 4, tried as a new user would: a planner runs a public 双随机 draw, and a member of
the public verifies it on the public page, in the server's check and in the browser."""

import datetime as dt

import pytest

from fairinspect.catalog.services import load_default_list
from fairinspect.core.roles import Role
from fairinspect.planning.models import Draw
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def draw_world(make_user, make_officer, make_enterprise):
    load_default_list()
    planner = make_user("planner", Role.OFFICER, department="650100-WH", first_name="计划员")
    make_officer("计划员", department="650100-WH", user=planner)
    for i in range(5):
        make_officer(f"执法员{i}")
    make_officer("过期", valid_to=dt.date(2024, 12, 31))
    for _ in range(20):
        make_enterprise(supervising_level="city")
    make_enterprise(supervising_level="district")
    return planner


def test_r9_2_a_planner_runs_a_public_draw_and_the_public_verifies_it(
    desk, phone, live_server, log_in, shot, draw_world
):
    start = dt.date.today() + dt.timedelta(days=7)
    log_in(desk, "planner", PASSWORD)
    desk.get_by_role("link", name="计划与抽查").first.click()
    desk.get_by_role("link", name="“双随机”抽查").first.click()
    desk.get_by_role("link", name="新建抽查任务").click()
    desk.get_by_label("任务名称").fill("危险化学品储存安全“双随机”抽查")
    desk.get_by_label("抽查事项").select_option(["YJ-WH-004"])
    desk.get_by_label("检查开始日期").fill(start.isoformat())
    desk.get_by_label("检查结束日期").fill((start + dt.timedelta(days=20)).isoformat())
    desk.get_by_label("抽取数量").fill("5")
    desk.get_by_role("button", name="创建任务").click()
    desk.get_by_role("button", name="固定并公布名录库").click()
    desk.get_by_text("名录库已固定并公布").wait_for()
    assert "排除1家" in desk.locator("section.card").first.inner_text()
    shot(desk, "planning-pools-published")

    desk.get_by_label("随机种子（6至64位数字）").fill("０１２３４５")  # full-width digits: refused
    desk.get_by_label("产生种子的人员", exact=False).fill("张三（群众代表）、李四（企业代表）")
    desk.get_by_role("button", name="录入随机种子").click()
    desk.get_by_text("随机种子必须是6至64位数字").wait_for()
    desk.get_by_label("随机种子（6至64位数字）").fill("31415926535")
    desk.get_by_label("产生种子的人员", exact=False).fill("张三（群众代表）、李四（企业代表）")
    desk.get_by_role("button", name="录入随机种子").click()
    desk.get_by_role("button", name="抽取").click()
    desk.get_by_role("button", name="公布抽取结果并生成检查").click()
    desk.get_by_text("抽取结果已公布").wait_for()
    shot(desk, "planning-draw-published")
    draw = Draw.objects.get()
    assert draw.status == "published" and len(draw.selected) == 5

    # A member of the public, on a phone, without logging in.
    phone.goto(f"{live_server.url}/")
    phone.get_by_role("link", name="“双随机、一公开”").click()
    phone.get_by_role("link", name="危险化学品储存安全“双随机”抽查").click()
    phone.get_by_role("link", name="验证本次抽取").click()
    verdict = phone.locator("#server-verdict")
    assert "验证通过" in verdict.inner_text()
    phone.get_by_role("button", name="在浏览器中验证").click()
    phone.get_by_text("浏览器独立验证通过").wait_for()
    assert "与公布结果完全一致" in phone.locator("#verify-result").inner_text()
    shot(phone, "planning-public-verify")

    # Anyone can paste the seed and count and recompute from the published pool.
    phone.go_back()
    phone.get_by_label("随机种子").fill("31415926535")
    phone.get_by_label("抽取数量").fill("5")
    phone.get_by_role("button", name="重新计算").click()
    items = phone.locator("#recomputed li").all_inner_texts()
    assert [i.split()[-1] for i in items] == draw.selected
    shot(phone, "planning-public-recompute")
