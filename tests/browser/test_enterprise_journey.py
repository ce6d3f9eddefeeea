# ruff: noqa: F811  (fixtures imported from tests.visits.conftest are used as parameters)
"""Issue 10, tried as a new user would on a phone (390 px): the enterprise's user lands on its
home, prints its QR poster, reports a rectification with a photo, and files a quarterly
major-hazard self-check; no page scrolls sideways."""

from __future__ import annotations

import datetime as dt

import pytest

from fairinspect.core.roles import Role
from fairinspect.enterprise import services
from fairinspect.enterprise.inputs import EnterpriseMemberIn
from fairinspect.enterprise.models import Evidence, RectificationReport, SelfCheck
from fairinspect.enterprise.standards import standard_by_code
from fairinspect.visits import services as visit_services
from tests.browser.conftest import assert_fits
from tests.conftest import PASSWORD
from tests.visits.conftest import (  # noqa: F401  (fixtures)
    approved_visit,
    approver_user,
    city_enterprise,
    items,
    new_visit,
    started_visit,
    team,
)

pytestmark = pytest.mark.django_db(transaction=True)

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9ccd\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x02\x01\xe2"
    b"\xd8\xd2\xa9\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_the_enterprise_prints_its_qr_reports_a_rectification_with_a_photo_and_files_a_self_check(
    phone,
    live_server,
    log_in,
    shot,
    make_user,
    city_enterprise,
    started_visit,
    team,
    tmp_path,
    settings,
):
    settings.MEDIA_ROOT = tmp_path
    user = make_user("ent_phone", Role.ENTERPRISE, enterprise=city_enterprise)
    for name, role in [
        ("李组长", "leader"),
        ("王安全", "safety_manager"),
        ("赵工会", "union"),
        ("钱职工", "worker_rep"),
        ("孙注安", "safety_engineer"),
    ]:
        services.add_member(
            actor=user,
            data=EnterpriseMemberIn(
                name=name, role=role, certificate="ZA-1", joined_on=dt.date(2025, 1, 2)
            ),
        )
    (u1, _), _ = team
    v = started_visit()
    h = visit_services.record_hazard(
        actor=u1, visit=v, level="general", description="消防通道堆放杂物", place="仓库"
    )
    order = visit_services.issue_order(
        actor=u1, visit=v, hazard_ids=[h.pk], deadline=dt.date(2025, 7, 1)
    )
    visit_services.check_out(actor=u1, visit=v)

    page = phone
    log_in(page, "ent_phone", PASSWORD)
    assert page.url.endswith("/enterprise/")
    page.get_by_text("年度上限").wait_for()
    assert_fits(page)
    shot(page, "enterprise-home-phone")

    # The QR poster to print.
    page.get_by_test_id("print-qr").click()
    page.wait_for_url("**/poster/")
    img = page.locator("img.poster-qr")
    img.wait_for()
    assert page.evaluate("document.querySelector('img.poster-qr').naturalWidth") > 0
    assert page.get_by_role("button", name="打印（A4）").bounding_box()["height"] >= 44
    assert_fits(page)
    shot(page, "enterprise-poster-phone")

    # A rectification with a photo.
    page.goto(f"{live_server.url}/enterprise/")
    page.get_by_test_id(f"report-order-{order.pk}").click()
    page.get_by_label("整改情况").fill("已清理仓库消防通道并划定警示线。")
    photo = tmp_path / "通道.png"
    photo.write_bytes(PNG)
    page.set_input_files("#files", str(photo))
    assert_fits(page)
    shot(page, "enterprise-report-phone")
    page.get_by_test_id("submit-report").click()
    page.get_by_test_id("review").wait_for()
    assert "待审核" in page.get_by_test_id("review").inner_text()
    r = RectificationReport.objects.get()
    assert r.order_id == order.pk and Evidence.objects.get(report=r).original_name == "通道.png"
    assert_fits(page)

    # A quarterly self-check against the industry's standard.
    page.goto(f"{live_server.url}/enterprise/self-checks/new/")
    page.get_by_test_id("standard-source").wait_for()
    page.get_by_label("李组长（指定的领导班子成员（组长））").check()
    page.get_by_label("赵工会（企业工会代表）").check()
    page.get_by_label("报告主要负责人日期").fill("2025-06-18")
    for item in standard_by_code("huagong-2017").items:
        page.locator(f'fieldset[data-item="{item["code"]}"] input[value="ok"]').check()
    box = page.get_by_test_id("file-self-check").bounding_box()
    assert box["height"] >= 44
    assert_fits(page)  # the standard's source note (long URLs) wraps
    shot(page, "enterprise-self-check-phone")
    page.get_by_test_id("file-self-check").click()
    page.wait_for_url("**/self-checks/*/")
    sc = SelfCheck.objects.get()
    assert sc.quarter == 2 and sc.reported_to_main_person_on == dt.date(2025, 6, 18)
    assert_fits(page)
    page.goto(f"{live_server.url}/enterprise/")
    assert "第2季度：已自查" in page.inner_text("#self-checks")
