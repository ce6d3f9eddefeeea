"""Journeys of issue 2, tried as a new user would."""

import io

import pytest
from openpyxl import Workbook

from fairinspect.registry.inputs import ENTERPRISE_LABELS
from fairinspect.registry.models import Enterprise
from tests.conftest import PASSWORD
from tests.registry.test_import import row

pytestmark = pytest.mark.django_db(transaction=True)


def workbook(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(ENTERPRISE_LABELS.values()))
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_r13_1_the_administrator_imports_an_xlsx_sees_the_bad_row_fixes_it_and_imports(
    desk, live_server, log_in, shot, admin_user, tmp_path
):
    rows = [row(i) for i in range(1, 8)]
    rows[3] = row(4, credit_code="91650103000000004A", district_code="650199")
    bad = tmp_path / "企业名单.xlsx"
    bad.write_bytes(workbook(rows))

    log_in(desk, "admin1", PASSWORD)
    desk.get_by_role("link", name="导入").first.click()
    desk.get_by_label("导入内容").select_option("enterprises")
    desk.get_by_label("文件（.csv 或 .xlsx）").set_input_files(str(bad))
    desk.get_by_role("button", name="上传并校验").click()
    alert = desk.get_by_role("alert")
    alert.wait_for()
    assert "整批 7 行均未导入" in alert.inner_text()
    table = desk.locator("#import-errors").inner_text()
    assert "第 5 行" in table and "统一社会信用代码" in table and "所在区县" in table
    shot(desk, "import-rejected")
    assert Enterprise.objects.count() == 0

    rows[3] = row(4)
    good = tmp_path / "企业名单-改正.xlsx"
    good.write_bytes(workbook(rows))
    desk.get_by_role("link", name="重新上传").click()
    desk.get_by_label("文件（.csv 或 .xlsx）").set_input_files(str(good))
    desk.get_by_role("button", name="上传并校验").click()
    status = desk.get_by_role("status").filter(has_text="导入成功")
    status.wait_for()
    assert "新增 7" in status.inner_text()
    shot(desk, "import-done")
    assert Enterprise.objects.count() == 7


def test_r13_1_an_officer_on_a_phone_finds_an_enterprise(
    phone, live_server, log_in, shot, tianshan_officer, make_enterprise
):
    for i in range(30):
        make_enterprise(name=f"天山第{i}号商贸有限公司", industry_id="5212", high_risk=False)
    target = make_enterprise(name="天山红星精细化工有限公司", standardization_grade=3)
    make_enterprise(name="沙区精细化工有限公司", district_code="650103")

    log_in(phone, "ts_officer", PASSWORD)
    phone.get_by_role("link", name="企业", exact=True).first.click()
    phone.get_by_label("名称、统一社会信用代码、原注册号或地址").fill("精细化工")
    phone.get_by_role("button", name="查询").click()
    result = phone.get_by_role("link", name="天山红星精细化工有限公司")
    result.wait_for()
    # The other district's enterprise of the same name is not shown to a district officer.
    assert phone.get_by_text("沙区精细化工有限公司").count() == 0
    shot(phone, "officer-search-phone")
    result.click()
    phone.get_by_role("heading", name="天山红星精细化工有限公司").wait_for()
    assert target.credit_code in phone.content()
    assert "三级" in phone.content()
    shot(phone, "enterprise-detail-phone")
