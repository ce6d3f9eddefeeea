"""Desk pages added to close the gaps of issues 3 and 4: the supervisors' ratings page (R8)
and the 回避 declaration (R9.2), as a new user would use them."""

import datetime as dt

import pytest

from fairinspect.core.roles import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_r8_a_supervisor_filters_the_enterprises_ratings(
    desk, live_server, log_in, shot, make_user, make_enterprise
):
    from fairinspect.registry.models import Department
    from fairinspect.visits.models import Visit, VisitRating

    make_user("jiandu", Role.SUPERVISOR, department="650100-ZH", first_name="监督员")
    wh = Department.objects.get(code="650100-WH")
    for n, (score, comment) in enumerate([(5, "检查规范，讲解清楚"), (2, "等候时间过长")]):
        ent = make_enterprise(name=f"示例企业{n + 1}", supervising_level="city")
        v = Visit.objects.create(
            enterprise=ent,
            kind="on_site",
            trigger="annual_plan",
            status="done",
            planned_date=dt.date(2025, 5, 10 + n),
            department=wh,
            inspecting_level="city",
            checked_in_at=dt.datetime(2025, 5, 10 + n, 9, tzinfo=dt.UTC),
            checked_out_at=dt.datetime(2025, 5, 10 + n, 11, tzinfo=dt.UTC),
        )
        make_user(f"ent{n}", Role.ENTERPRISE, enterprise=ent)
        VisitRating.objects.create(visit=v, score=score, comment=comment)
    log_in(desk, "jiandu", PASSWORD)
    desk.get_by_role("navigation", name="主导航").get_by_role("link", name="企业评价").click()
    desk.get_by_text("共 2 条评价").wait_for()
    desk.get_by_label("评分").select_option("2")
    desk.get_by_role("button", name="查询").click()
    desk.get_by_text("共 1 条评价").wait_for()
    assert "等候时间过长" in desk.content() and "讲解清楚" not in desk.content()
    shot(desk, "visits-ratings-supervisor")


def test_r9_2_an_officer_declares_a_conflict_and_the_approver_sees_it(
    phone, desk, live_server, log_in, shot, make_user, make_officer, make_enterprise
):
    ent = make_enterprise(name="前东家石化有限公司", supervising_level="city")
    u = make_user("zhao_wh", Role.OFFICER, department="650100-WH", first_name="赵强")
    make_officer("赵强", department="650100-WH", user=u)
    make_user("kz_wh", Role.APPROVER, department="650100-WH", first_name="科长")
    log_in(phone, "zhao_wh", PASSWORD)
    phone.goto(f"{live_server.url}/planning/conflicts/")
    phone.get_by_label("企业统一社会信用代码").fill(ent.credit_code)
    phone.get_by_label("回避情形").select_option("declared_conflict")
    phone.get_by_role("button", name="登记回避").click()
    phone.get_by_text("须说明具体情况").first.wait_for()
    phone.get_by_label("说明（申报利害关系的必填）").fill("本人持有该企业股份")
    phone.get_by_role("button", name="登记回避").click()
    phone.get_by_text("此后公布的执法人员名录库将排除该组合").wait_for()
    shot(phone, "planning-conflict-declared-phone")
    log_in(desk, "kz_wh", PASSWORD)
    desk.goto(f"{live_server.url}/planning/conflicts/")
    assert "前东家石化有限公司" in desk.content() and "本人持有该企业股份" in desk.content()
    shot(desk, "planning-conflicts-approver")
