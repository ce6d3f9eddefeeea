"""Tried as new users would (R13.2, R8.2, R10.3): on a phone (390 px) the public goes from the
home to the public site, reads a news item and a typical case through the one public
navigation; the enterprise applies for credit repair from its cases page with documents;
an approver who took no part decides at a desk and the penalty leaves the public list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fairinspect.cases import services as cases
from fairinspect.cases.models import CreditRepairApplication
from fairinspect.core.roles import Role
from fairinspect.portal import services as portal
from tests.browser.conftest import DESK, assert_fits
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def articles(make_user):
    editor = make_user("site_editor", Role.OFFICER, department="650100-ZH")
    boss = make_user("site_boss", Role.APPROVER, department="650100-ZH")
    made = {}
    for kind, title, body in (
        ("news", "市应急管理局开展危险化学品企业抽查", "<p>按年度计划随机抽取企业和执法人员。</p>"),
        (
            "case",
            "某化工企业未如实记录培训情况被处罚",
            "<h2>基本案情</h2><p>执法人员检查发现……</p><script>alert(1)</script>",
        ),
    ):
        a = portal.create_article(actor=editor, kind=kind, title=title, body=body, summary="摘要")
        made[kind] = portal.publish_article(
            actor=boss, article=a, at=timezone.now() - dt.timedelta(hours=2)
        )
    return made


@pytest.fixture
def published_penalty(admin_user, city_officer, approver, legal_reviewer, tianshan_enterprise):
    version = cases.load_no_penalty_list(actor=admin_user)
    cases.publish_no_penalty_list(actor=admin_user, version=version, on=dt.date(2025, 1, 2))
    start = timezone.localdate() - dt.timedelta(days=160)
    people = {"o": city_officer, "a": approver, "l": legal_reviewer}
    case = cases.open_case(
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
                "facts": {"harm": "slight", "staff_affected_share": "0.05"},
                "facts_text": "检查发现未如实记录安全生产教育和培训情况。",
                "evidence": "现场检查记录\n询问笔录",
                "proposed_fine": "10000",
            },
        ),
        ("notify", "o", 4, {}),
        ("record_statement", "o", 12, {}),
        ("legal_review", "l", 14, {"opinion": "事实清楚，证据确凿。", "approve": True}),
        ("decide", "a", 16, {}),
        ("serve", "o", 17, {}),
        ("execute", "o", 20, {}),
    ]
    for action, who, offset, data in plan:
        case = cases.transition(
            actor=people[who],
            case=case,
            action=action,
            data=data,
            today=start + dt.timedelta(days=offset),
        )
    cases.publish_disclosure(
        actor=city_officer, disclosure=case.disclosure, on=start + dt.timedelta(days=18)
    )
    case.refresh_from_db()
    return case


def test_r13_2_r8_2_the_public_reads_news_and_a_typical_case_on_a_phone(
    phone, live_server, shot, articles
):
    phone.goto(f"{live_server.url}/")
    phone.get_by_role("link", name="政务公开：新闻、政策、典型案例").click()
    phone.wait_for_url("**/public/")
    assert_fits(phone)
    shot(phone, "portal-public-home-phone")
    nav = phone.get_by_test_id("public-nav")
    nav.get_by_role("link", name="新闻动态").click()
    phone.wait_for_url("**/public/news/")
    phone.get_by_role("link", name=articles["news"].title).click()
    phone.get_by_role("heading", name=articles["news"].title).wait_for()
    assert_fits(phone)
    shot(phone, "portal-news-phone")
    phone.get_by_test_id("public-nav").get_by_role("link", name="典型案例").click()
    phone.wait_for_url("**/public/case/")
    phone.get_by_role("link", name=articles["case"].title).click()
    article = phone.get_by_test_id("article")
    article.get_by_role("heading", name="基本案情").wait_for()
    assert "alert(1)" not in phone.content()
    assert_fits(phone)
    # Every public nav link is a tap target of at least 44 px.
    heights = (
        phone.get_by_test_id("public-nav")
        .locator("a")
        .evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    )
    assert heights and min(heights) >= 44
    shot(phone, "portal-typical-case-phone")
    # The same navigation on an existing public page (the penalty disclosure list).
    phone.get_by_test_id("public-nav").get_by_role("link", name="处罚公示").click()
    phone.wait_for_url("**/cases/disclosures/")
    assert phone.get_by_test_id("public-nav").is_visible()
    assert_fits(phone)


def test_r10_3_the_enterprise_applies_for_credit_repair_and_staff_decide_at_a_desk(
    phone,
    browser,
    live_server,
    log_in,
    shot,
    published_penalty,
    enterprise_user,
    make_user,
    tmp_path,
):
    desk_user = make_user("repair_desk", Role.APPROVER, department="650100-ZH")
    pdf = tmp_path / "承诺书.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% test\n")
    log_in(phone, "ent_user", PASSWORD)
    phone.goto(f"{live_server.url}/cases/mine/")
    phone.get_by_role("link", name="信用修复：申请终止公示已公开的处罚信息").click()
    phone.wait_for_url("**/credit/repair/")
    card = phone.get_by_test_id("repair-case")
    assert "最短公示期3个月" in card.inner_text()
    form = phone.get_by_test_id("repair-form")
    form.get_by_label("纠正违法行为、履行处罚决定的情况").fill("罚款已缴清，培训档案已补齐。")
    for label in ("信用修复承诺书", "营业执照", "已履行行政处罚的证明"):
        form.get_by_label(label).set_input_files(str(pdf))
    assert_fits(phone)
    shot(phone, "credit-repair-apply-phone")
    form.get_by_role("button", name="提交信用修复申请").click()
    phone.get_by_text("信用修复申请已提交").wait_for()
    app = CreditRepairApplication.objects.get()
    assert app.documents.count() == 3

    desk = browser.new_context(viewport=DESK, locale="zh-CN").new_page()
    log_in(desk, desk_user.username, PASSWORD)
    desk.goto(f"{live_server.url}/credit/repair/desk/")
    desk.get_by_role("link", name=published_penalty.enterprise.name).click()
    desk.get_by_label("审核意见和理由（必填，送达申请人）").fill(
        "罚款已缴清，违法行为已纠正，最短公示期已满，材料齐全，准予修复。"
    )
    shot(desk, "credit-repair-decide-desk")
    desk.get_by_role("button", name="准予修复").click()
    desk.get_by_test_id("repair-decision").wait_for()
    shot(desk, "credit-repair-granted-desk")
    app.refresh_from_db()
    assert app.status == "granted"
    desk.goto(f"{live_server.url}/cases/disclosures/")
    assert published_penalty.decision_number not in desk.locator("main").inner_text()
    desk.context.close()


def test_r12_1_r12_2_an_officer_adds_an_expert_from_the_plan_page_on_a_phone(
    phone, live_server, log_in, shot, make_user, make_officer, make_enterprise
):
    """The pool offers appointed experts with the conflict rule's answer; the conflicted one
    cannot be added and says why; the one added shows as not counted as an officer."""
    from fairinspect.catalog.models import InspectionItem
    from fairinspect.catalog.services import load_default_list
    from fairinspect.experts import services as experts
    from fairinspect.visits import services as visits

    load_default_list()
    u1 = make_user("plan_officer1", Role.OFFICER, department="650100-WH", first_name="李明")
    u2 = make_user("plan_officer2", Role.OFFICER, department="650100-WH", first_name="张华")
    o1 = make_officer("李明", department="650100-WH", user=u1)
    o2 = make_officer("张华", department="650100-WH", user=u2)
    admin = make_user("pool_admin", Role.ADMIN, department="650100-ZH")
    ent = make_enterprise(name="乌市示例石化有限公司", supervising_level="city")
    today = timezone.localdate()
    pick = dict(
        method="open", selected_on=dt.date(2024, 12, 1), basis="公开遴选，考核合格。",
        term_from=dt.date(2025, 1, 1), term_to=dt.date(2027, 12, 31), specialties=["hazchem"],
    )  # fmt: skip
    ok = experts.select_expert(actor=admin, name="钱专家", title="高级工程师", **pick)
    tied = experts.select_expert(actor=admin, name="孙专家", title="注册安全工程师", **pick)
    experts.declare_tie(
        actor=admin, expert=tied, enterprise=ent, kind="consulted",
        started_on=dt.date(2023, 1, 1), ended_on=dt.date(2024, 6, 30),
    )  # fmt: skip
    codes = [
        i.code
        for i in InspectionItem.objects.filter(
            version__status="published", domain="hazchem", offsite_capable=False
        ).order_by("code")[:2]
    ]
    v = visits.create_visit(
        actor=u1, enterprise=ent, kind="on_site", trigger="annual_plan",
        planned_date=today + dt.timedelta(days=3), item_codes=codes,
        officer_ids=[o1.pk, o2.pk], today=today,
    )  # fmt: skip
    log_in(phone, "plan_officer1", PASSWORD)
    phone.goto(f"{live_server.url}/visits/{v.pk}/")
    block = phone.get_by_test_id("visit-experts")
    assert "孙专家" in block.inner_text() and "应当回避" in block.inner_text()
    block.get_by_role("button", name="添加 钱专家").click()
    phone.get_by_text("已办理").wait_for()
    block = phone.get_by_test_id("visit-experts")
    assert "不计入执法人员" in block.inner_text()
    block.scroll_into_view_if_needed()
    assert_fits(phone)
    shot(phone, "experts-plan-page-phone")
    assert list(v.experts.all()) == [ok]
    log_in(phone, "pool_admin", PASSWORD)
    phone.goto(f"{live_server.url}/experts/")
    assert_fits(phone)
    shot(phone, "experts-pool-phone")
