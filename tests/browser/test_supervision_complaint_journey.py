"""Issue 9, as people do it: a member of the public files a complaint on a phone from the
footer's 12345 link, anonymously with a photo, and keeps the tracking number and code; the
supervisor (at a desk) accepts, assigns, records the verification and handling and replies;
the complainant looks the complaint up by tracking number on the phone, reads the reply and
records their satisfaction. The supervisor then opens the dashboard."""

from __future__ import annotations

import pytest

from fairinspect.core.roles import Role
from fairinspect.supervision.models import Complaint
from tests.browser.conftest import DESK
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def test_r8_1_a_complaint_from_the_public_form_to_the_reply_and_the_lookup_on_a_phone(
    live_server, phone, browser, log_in, shot, make_user, tianshan_enterprise, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    make_user("sup_b", Role.SUPERVISOR, department="650100-ZH", first_name="监督员")
    make_user("ts_handler", Role.OFFICER, department="650102", first_name="承办人")
    photo = tmp_path / "现场.png"
    photo.write_bytes(PNG)

    # The public, on a phone: the footer's 12345 link opens the form.
    phone.goto(f"{live_server.url}/items/")
    phone.get_by_role("link", name="投诉举报：12345").click()
    phone.get_by_label("企业安全生产问题").check()
    phone.get_by_label("被举报的企业、执法人员或事项（企业可填名称或统一社会信用代码）").fill(
        tianshan_enterprise.credit_code
    )
    phone.get_by_label("具体情况").fill("储罐区可燃气体报警器长期不亮，夜间有人动火。")
    phone.get_by_label("照片或材料（PDF、JPEG、PNG，每个不超过10MB，最多5个）").set_input_files(
        str(photo)
    )
    phone.get_by_label("匿名（不留姓名和电话，无法电话答复，可凭查询码查看答复）").check()
    shot(phone, "supervision-complaint-form-phone")
    phone.get_by_role("button", name="提交").click()
    number = phone.locator("#tracking-number").inner_text().strip()
    code = phone.locator("#access-code").inner_text().strip()
    shot(phone, "supervision-complaint-received-phone")
    c = Complaint.objects.get(number=number)
    assert c.anonymous and c.attachments.count() == 1

    # The supervisor, at a desk, takes it through every step.
    context = browser.new_context(viewport=DESK, locale="zh-CN")
    desk = context.new_page()
    log_in(desk, "sup_b", PASSWORD)
    desk.goto(f"{live_server.url}/supervision/complaints/{c.pk}/")
    desk.get_by_role("button", name="受理", exact=True).click()
    desk.get_by_label("承办单位").select_option("650102")
    desk.get_by_label("承办人用户名（可不填）").fill("ts_handler")
    desk.get_by_role("button", name="交办", exact=True).click()
    desk.get_by_label("核查情况").fill("经现场核查，报警器失效属实。")
    desk.get_by_role("button", name="核查完毕").click()
    desk.get_by_label("办理结果").fill("已责令企业立即停用动火作业并更换报警器，依法立案。")
    desk.get_by_role("button", name="办结", exact=True).click()
    desk.get_by_label("答复投诉举报人").fill(
        "经核查，您反映的问题属实，我局已责令企业整改并依法处理。"
    )
    desk.get_by_role("button", name="答复", exact=True).click()
    assert "已答复待评价" in desk.content()
    shot(desk, "supervision-complaint-replied-desk")

    # The complainant looks it up on the phone and rates the reply.
    phone.goto(f"{live_server.url}/")
    phone.get_by_role("link", name="查询办理进度").first.click()
    phone.get_by_label("查询编号").fill(number)
    phone.get_by_label("查询码").fill(code)
    phone.get_by_role("button", name="查询", exact=True).click()
    assert "我局已责令企业整改" in phone.locator("#complaint-reply").inner_text()
    assert "已答复待评价" in phone.locator("#complaint-state").inner_text()
    shot(phone, "supervision-complaint-lookup-phone")
    phone.get_by_label("满意", exact=True).check()
    phone.get_by_role("button", name="提交评价").click()
    assert "感谢您的评价" in phone.content()
    c.refresh_from_db()
    assert c.state == "closed" and c.satisfaction == "satisfied"

    # A stranger with the number but without the code reads nothing.
    phone.goto(f"{live_server.url}/supervision/complaints/lookup/")
    phone.get_by_label("查询编号").fill(number)
    phone.get_by_label("查询码").fill("AAAAAAAA")
    phone.get_by_role("button", name="查询", exact=True).click()
    assert "查询编号或查询码不正确" in phone.content()

    # The dashboard draws its charts from the vendored ECharts.
    desk.goto(f"{live_server.url}/supervision/dashboard/")
    desk.wait_for_selector("#chart-complaints svg")
    shot(desk, "supervision-dashboard-desk")
    context.close()
