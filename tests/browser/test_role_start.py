"""Issue 14, tried as each new user would: the demo's login page lists the accounts, and each
role lands on its own work (R13.1). The screenshots are the README's pictures of each role."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fairinspect.cases import services as cases
from fairinspect.core.roles import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

FACTS = {"first_offence": False, "harm": "slight", "staff_affected_share": "0.05", "headcount": 50}


@pytest.fixture
def work(admin_user, city_officer, approver, tianshan_enterprise):
    """A visit planned for today waiting for approval, a case waiting for filing and one
    waiting for legal review."""
    from fairinspect.registry.models import Department
    from fairinspect.visits.models import Visit, VisitOfficer

    today = timezone.localdate()
    version = cases.load_no_penalty_list(actor=admin_user)
    cases.publish_no_penalty_list(actor=admin_user, version=version, on=today)
    visit = Visit.objects.create(
        enterprise=tianshan_enterprise,
        kind="on_site",
        trigger="annual_plan",
        status="plan_submitted",
        planned_date=today,
        department=Department.objects.get(code="650100-WH"),
        inspecting_level="city",
    )
    officer = city_officer.officer
    VisitOfficer.objects.create(
        visit=visit,
        officer=officer,
        is_lead=True,
        certificate_number=officer.certificates.get().number,
    )
    waiting = cases.open_case(
        actor=city_officer,
        enterprise=tianshan_enterprise,
        party="unit",
        violation_code="AQSCF2021-97-4",
        on=today,
    )
    review = cases.open_case(
        actor=city_officer,
        enterprise=tianshan_enterprise,
        party="unit",
        violation_code="AQSCF2021-101-5",
        on=today,
    )
    for who, action, data in [
        (approver, "approve_filing", {}),
        (
            city_officer,
            "investigate",
            {
                "facts": FACTS,
                "facts_text": "未如实记录安全生产教育和培训情况。",
                "evidence": "现场检查记录\n询问笔录",
                "proposed_fine": str(
                    cases.assess(
                        enterprise=tianshan_enterprise,
                        violation_code="AQSCF2021-101-5",
                        party="unit",
                        facts=FACTS,
                        on=today,
                        exclude=review,
                    )[0].fine_min
                ),
            },
        ),
        (city_officer, "notify", {}),
    ]:
        review = cases.transition(actor=who, case=review, action=action, data=data, today=today)
    assert review.status == "notified"
    return visit, waiting, review


def test_r13_1_each_role_logs_in_from_the_demo_list_and_lands_on_its_own_work(
    phone,
    desk,
    live_server,
    log_in,
    shot,
    work,
    make_user,
    legal_reviewer,
    supervisor,
    enterprise_user,
):
    _visit, waiting, review = work
    make_user("enterprise", Role.ENTERPRISE, enterprise=enterprise_user.enterprise)

    desk.goto(f"{live_server.url}/login/")
    demo = desk.get_by_role("region", name="演示账号")
    assert "fairinspect-demo" in demo.inner_text() and "待我审批" in demo.inner_text()
    shot(desk, "start-login-demo-accounts-desk")

    log_in(phone, "city_officer", PASSWORD)
    assert phone.url.endswith("/work/today/")
    assert "天山示例化工有限公司" in phone.get_by_role("main").inner_text()
    shot(phone, "start-officer-today-phone")

    log_in(desk, "approver", PASSWORD)
    assert desk.url.endswith("/work/approvals/")
    main = desk.get_by_role("main").inner_text()
    assert "待审批的检查方案" in main and str(waiting) in main and str(review) not in main
    shot(desk, "start-approver-queue-desk")

    log_in(desk, "legal", PASSWORD)
    assert desk.url.endswith("/work/review/")
    assert str(review) in desk.get_by_role("main").inner_text()
    shot(desk, "start-legal-review-desk")

    log_in(desk, "supervisor", PASSWORD)
    assert "/supervision/" in desk.url
    shot(desk, "start-supervisor-desk")

    log_in(phone, "enterprise", PASSWORD)
    assert "天山示例化工有限公司" in phone.get_by_role("main").inner_text()
    shot(phone, "start-enterprise-phone")

    log_in(desk, "admin1", PASSWORD)
    assert desk.url.endswith("/registry/enterprises/")
    shot(desk, "start-admin-registry-desk")
