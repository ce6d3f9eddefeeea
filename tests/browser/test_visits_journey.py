"""扫码入企 on a phone, tried as a new user would (issue 3): an officer opens the enterprise's
QR URL, sees the quota, checks in with a colleague on the colleague's own phone, records a
hazard and an order, checks out and downloads the order; the enterprise sees the visit on its
card and verifies the officers."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from fairinspect.core.roles import Role
from tests.browser.conftest import PHONE
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scene(make_user, make_officer, make_enterprise):
    from fairinspect.catalog.models import InspectionItem
    from fairinspect.catalog.services import load_default_list
    from fairinspect.visits import services

    load_default_list()
    ent = make_enterprise(
        name="乌鲁木齐示例化工有限公司",
        supervising_level="city",
        high_risk=True,
        standardization_grade=2,
    )
    u1 = make_user("li_ming", Role.OFFICER, department="650100-WH", first_name="李明")
    u2 = make_user("zhang_hua", Role.OFFICER, department="650100-WH", first_name="张华")
    o1 = make_officer("李明", department="650100-WH", user=u1)
    o2 = make_officer("张华", department="650100-WH", user=u2)
    boss = make_user("zhao_kz", Role.APPROVER, department="650100-WH", first_name="赵科长")
    owner = make_user("qiye", Role.ENTERPRISE, enterprise=ent, first_name="企业安全员")
    item = (
        InspectionItem.objects.filter(
            version__status="published", domain="hazchem", offsite_capable=False
        )
        .order_by("code")
        .first()
    )
    today = timezone.localdate()
    v = services.create_visit(
        actor=u1,
        enterprise=ent,
        kind="on_site",
        trigger="annual_plan",
        planned_date=today,
        item_codes=[item.code],
        officer_ids=[o1.pk, o2.pk],
        today=today,
    )
    services.submit_plan(actor=u1, visit=v)
    services.approve_plan(actor=boss, visit=v, today=today)
    return {"ent": ent, "visit": v, "o1": o1, "o2": o2, "owner": owner}


def test_r6_1_r1_3_r6_4_officer_checks_in_with_a_colleague_records_and_the_enterprise_verifies(
    phone, browser, live_server, log_in, shot, scene, tmp_path
):
    from docx import Document

    from fairinspect.visits import qr
    from fairinspect.visits.models import Visit

    url = f"{live_server.url}/visits/q/{qr.token_for(scene['ent'])}/"
    log_in(phone, "li_ming", PASSWORD)
    phone.goto(url)
    verdict = phone.locator(".verdict").first
    assert "可以入企" in verdict.inner_text()
    quota = phone.locator("#quota").inner_text()
    assert "年度上限" in quota and "4 次" in quota and "剩余" in quota
    shot(phone, "visits-precheck-phone")

    phone.get_by_role("link", name="去确认入企").click()
    phone.get_by_role("button", name="本人确认入企").click()
    phone.get_by_text("等待同组另一名执法人员").first.wait_for()

    # The colleague confirms on their own phone, logged in as themselves.
    ctx2 = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    colleague = ctx2.new_page()
    log_in(colleague, "zhang_hua", PASSWORD)
    colleague.goto(f"{live_server.url}/visits/{scene['visit'].pk}/")
    colleague.get_by_role("button", name="本人确认入企").click()
    colleague.get_by_text("检查开始").first.wait_for()
    shot(colleague, "visits-checked-in-colleague")
    ctx2.close()
    assert Visit.objects.get(pk=scene["visit"].pk).status == "in_progress"

    phone.reload()
    phone.get_by_label("隐患等级").select_option("major")
    phone.get_by_label("部位").fill("液氨储罐区")
    phone.get_by_label("隐患描述").fill("液氨储罐区可燃气体报警仪失效")
    phone.get_by_role("button", name="记录隐患").click()
    phone.get_by_text("隐患已记录").wait_for()
    deadline = timezone.localdate() + dt.timedelta(days=30)
    phone.get_by_label("整改期限").fill(deadline.isoformat())
    phone.get_by_label("整改要求").fill("更换报警仪并经检测合格")
    phone.get_by_role("button", name="下达整改指令").click()
    phone.get_by_text("已下达责令限期整改指令书").wait_for()
    shot(phone, "visits-hazard-order-phone")
    phone.get_by_role("button", name="结束检查并离企").click()
    phone.get_by_text("检查已结束").first.wait_for()
    with phone.expect_download() as dl:
        phone.get_by_role("link", name="下载指令书").click()
    path = tmp_path / "order.docx"
    dl.value.save_as(path)
    text = "\n".join(p.text for p in Document(io.BytesIO(path.read_bytes())).paragraphs)
    assert "责令限期整改指令书" in text and "液氨储罐区可燃气体报警仪失效" in text
    shot(phone, "visits-checked-out-phone")

    # The enterprise: its card shows the visit and verifies an officer's certificate.
    ctx3 = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    ent_page = ctx3.new_page()
    log_in(ent_page, "qiye", PASSWORD)
    ent_page.get_by_role("link", name="检查公示").first.click()
    table = ent_page.locator("table").inner_text()
    assert "李明" in table and "张华" in table
    cert = scene["o1"].certificates.first().number
    ent_page.get_by_label("执法证号").fill(cert)
    ent_page.get_by_role("button", name="核验").click()
    assert "证件有效" in ent_page.locator("#verify-result").inner_text()
    ent_page.get_by_label("评分").select_option("5")  # no score is pre-selected (issue 12)
    ent_page.get_by_label("意见").fill("检查规范，讲解清楚")
    ent_page.get_by_role("button", name="提交评价").click()
    ent_page.get_by_text("感谢您的评价").wait_for()
    shot(ent_page, "visits-enterprise-card-phone")
    ctx3.close()
