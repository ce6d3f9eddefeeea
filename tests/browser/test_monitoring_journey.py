"""Issue 11, tried as people do: an officer on a phone opens the monitoring wall, follows a
red-orange tile to the enterprise's charts and its warning; the enterprise acknowledges and
reports its action; the officer reviews and closes it; the risk ranking shows the shares."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fairinspect.core.roles import Role
from fairinspect.monitoring import services
from fairinspect.monitoring.models import EarlyWarning, Reading
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(make_user, make_officer, make_enterprise):
    officer = make_user("mon_officer", Role.OFFICER, department="650102", first_name="天山乙")
    make_officer("天山乙", department="650102", user=officer, scopes=("general",))
    ent = make_enterprise(name="天山罐区化工有限公司", district_code="650102")
    make_enterprise(name="天山平稳物流有限公司", district_code="650102")
    ent_user = make_user("mon_ent", Role.ENTERPRISE, enterprise=ent)
    point = services.create_point(
        actor=officer, enterprise=ent, code="GT-101", name="罐区可燃气体探测器", kind="gas", unit="%LEL",
        range_low=0, range_high=100, high=25, high_high=50, rate_per_minute=20,
    )  # fmt: skip
    services.create_point(
        actor=officer, enterprise=ent, code="LT-201", name="1号储罐液位", kind="tank", unit="m",
        range_low=0, range_high=20, low_low=1, low=2, high=16, high_high=18, rate_per_minute=1,
    )  # fmt: skip
    cred, _key = services.issue_credential(actor=officer, enterprise=ent, gateway="DCS-1")
    now = timezone.now().replace(microsecond=0)
    readings = []
    for m in range(90, 0, -1):
        at = now - dt.timedelta(minutes=m)
        gas = 3 + (2 * (30 - m) if m < 30 else 0) + (m % 3) * 0.3
        readings.append(services.RawReading("GT-101", at, round(min(gas, 60), 2)))
        readings.append(services.RawReading("LT-201", at, round(9 + (m % 7) * 0.05, 2)))
    services.ingest(
        credential=cred, message_id="journey-1", readings=readings, source=Reading.Source.HTTP
    )
    return officer, ent_user, ent, point


def test_r4_3_an_officer_follows_a_warning_from_the_wall_and_the_enterprise_disposes_of_it(
    phone, desk, live_server, log_in, shot, world
):
    _officer, _ent_user, ent, point = world
    serious = (
        EarlyWarning.objects.filter(point=point, grade__in=["orange", "red"])
        .order_by("-grade")
        .first()
    )
    assert serious is not None

    log_in(phone, "mon_officer", PASSWORD)
    phone.goto(f"{live_server.url}/monitoring/")
    tile = phone.get_by_role("link", name=ent.name)
    assert "预警" in tile.inner_text()
    shot(phone, "monitoring-wall-phone")
    tile.click()
    phone.wait_for_selector(".chart svg")  # ECharts drew the readings
    assert phone.locator(".chart svg").count() == 2
    shot(phone, "monitoring-enterprise-charts-phone")
    phone.get_by_role("link", name=serious.number).first.click()
    assert serious.number in phone.locator("h1").inner_text()

    log_in(desk, "mon_ent", PASSWORD)
    desk.goto(f"{live_server.url}/monitoring/warnings/")
    shot(desk, "monitoring-warning-queue")
    desk.get_by_role("link", name=serious.number).click()
    desk.get_by_role("button", name="签收预警").click()
    desk.get_by_label("采取的处置措施").fill("关闭罐区进料阀，启动强制通风，复测 2%LEL")
    desk.get_by_role("button", name="报告处置情况").click()
    assert "等待监管部门审核" in desk.content()

    phone.goto(f"{live_server.url}/monitoring/warnings/{serious.number}/")
    phone.get_by_label("审核结论").select_option("accepted")
    phone.get_by_role("button", name="提交审核").click()
    assert "已办结" in phone.content()
    serious.refresh_from_db()
    assert serious.stage == "closed"

    phone.goto(f"{live_server.url}/monitoring/ranking/")
    assert "未办结预警" in phone.content()
    shot(phone, "monitoring-ranking-phone")
