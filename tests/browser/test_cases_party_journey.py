"""Issue 5 gaps, tried as new users would: the enterprise's user (on a phone) follows the home
card to its cases, reads the deadlines that concern it and downloads the served decision, then
applies for early removal from the serious-dishonesty list; the approver (at a desk) grants it
and records an accident for another enterprise."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fairinspect.cases import services
from fairinspect.cases.models import CreditRecord, DishonestyListing, RemovalApplication
from tests.browser.conftest import DESK
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def served(admin_user, city_officer, approver, legal_reviewer, tianshan_enterprise, make_user):
    version = services.load_no_penalty_list(actor=admin_user)
    services.publish_no_penalty_list(actor=admin_user, version=version, on=dt.date(2025, 1, 2))
    start = timezone.localdate() - dt.timedelta(days=420)
    people = {"o": city_officer, "a": approver, "l": legal_reviewer}
    case = services.open_case(
        actor=city_officer,
        enterprise=tianshan_enterprise,
        party="unit",
        violation_code="AQSCF2021-97-4",
        on=start,
    )
    plan = [
        ("approve_filing", "a", 0, {}),
        (
            "investigate",
            "o",
            3,
            {
                "facts": {"harm": "serious", "staff_affected_share": "0.5"},
                "facts_text": "检查发现特种作业人员未持证上岗。",
                "evidence": "现场检查记录\n询问笔录",
                "proposed_fine": "80000",
            },
        ),
        ("notify", "o", 4, {}),
        ("record_statement", "o", 12, {}),
        ("legal_review", "l", 14, {"opinion": "事实清楚，证据确凿。", "approve": True}),
        ("discuss", "a", 15, {"minutes": "同意。"}),
        ("decide", "a", 16, {}),
        ("serve", "o", 17, {}),
    ]
    for action, who, offset, data in plan:
        case = services.transition(
            actor=people[who],
            case=case,
            action=action,
            data=data,
            today=start + dt.timedelta(days=offset),
        )
    # 令第11号: another approver proposes on a written basis, the officer serves the notice,
    # the statement period runs out, and the approver (not the proposer) decides.
    from fairinspect.core.roles import Role

    proposer = make_user("approver2", Role.APPROVER, department="650100-WH")
    listing = services.propose_listing_by_approver(
        actor=proposer,
        case=case,
        ground="unlicensed_operation",
        reason="安全生产许可证暂扣期间仍组织生产。",
        on=start + dt.timedelta(days=17),
    )
    services.notify_listing(actor=city_officer, listing=listing, on=start + dt.timedelta(days=17))
    services.list_dishonest(actor=approver, listing=listing, on=start + dt.timedelta(days=40))
    return case


def test_r8_2_r10_2_r10_1_enterprise_reads_its_case_applies_for_removal_approver_grants(
    phone,
    browser,
    live_server,
    log_in,
    shot,
    served,
    enterprise_user,
    approver,
    shayibake_enterprise,
):
    log_in(phone, "ent_user", PASSWORD)
    phone.goto(f"{live_server.url}/")
    phone.get_by_role("link", name="本企业的处罚案件").click()
    phone.wait_for_url("**/cases/mine/")
    body = phone.locator("main").inner_text()
    assert served.cause in body and "缴纳罚款" in body and "立案审批表" not in body
    with phone.expect_download() as dl:
        phone.get_by_role("link", name="下载 行政处罚决定书").click()
    assert dl.value.suggested_filename.endswith(".docx")
    phone.get_by_label("申请提前移出：写明处罚决定履行、整改完成和信用承诺情况").fill(
        "罚款已缴清，隐患已整改，已作出信用承诺。"
    )
    shot(phone, "cases-party-phone")
    phone.get_by_role("button", name="提交提前移出申请").click()
    phone.get_by_text("提前移出申请已提交").wait_for()

    desk = browser.new_context(viewport=DESK, locale="zh-CN").new_page()
    log_in(desk, "approver", PASSWORD)
    desk.goto(f"{live_server.url}/cases/dishonesty/")
    app = RemovalApplication.objects.get()
    desk.get_by_label("审核意见").fill("材料齐全，同意提前移出。")
    shot(desk, "cases-dishonesty-application-desk")
    desk.get_by_role("button", name="同意提前移出").click()
    desk.get_by_text("已审核提前移出申请").wait_for()
    app.refresh_from_db()
    assert app.status == "approved"
    assert DishonestyListing.objects.get().status == "removed"

    desk.goto(
        f"{live_server.url}/cases/accidents/new/?credit_code={shayibake_enterprise.credit_code}"
    )
    desk.get_by_label("事故日期").fill((timezone.localdate() - dt.timedelta(days=30)).isoformat())
    desk.get_by_label("死亡人数").fill("3")
    desk.get_by_label("事故概况").fill("仓库火灾，死亡3人。")
    desk.get_by_role("button", name="登记事故").click()
    desk.get_by_role("alert").wait_for()
    assert "至少为较大事故" in desk.get_by_role("alert").inner_text()
    shot(desk, "cases-accident-refused-desk")
    desk.get_by_label("事故等级").select_option("larger")
    desk.get_by_role("button", name="登记事故").click()
    desk.wait_for_url(f"**/cases/credit/{shayibake_enterprise.credit_code}/")
    assert "较大事故" in desk.locator("main").inner_text()
    assert CreditRecord.objects.get(kind="accident").fatalities == 3
    desk.context.close()
