"""Issue 14: each role lands on its own work after login (R13.1), and the demo's login page
lists the demo accounts only in demo mode."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from fairinspect.core.roles import Role
from tests.conftest import PASSWORD


def _first_url(*names: str) -> str:
    """The supervision and enterprise homes are added by later apps; until then the role
    lands on the page that serves it today."""
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    raise AssertionError(names)


LANDING = [
    # role, department, where the role's own work is, what that page shows
    (Role.OFFICER, "650100-WH", ("work:today",), "今日检查"),
    (Role.APPROVER, "650100-WH", ("work:approvals",), "待我审批"),
    (Role.LEGAL_REVIEWER, "650100-FZ", ("work:review",), "待法制审核"),
    (Role.SUPERVISOR, "650100-ZH", ("supervision:home", "supervision:audit_trail"), "审计"),
    (
        Role.ENTERPRISE,
        None,
        ("enterprise:home", "portal:home", "visits:my_card"),
        "天山示例化工有限公司",
    ),
    (Role.ADMIN, "650100-ZH", ("registry:enterprise_list",), "企业"),
]


@pytest.mark.parametrize(("role", "department", "names", "shows"), LANDING, ids=lambda v: str(v))
def test_r13_1_each_role_lands_on_its_own_work_after_login(
    client, make_user, tianshan_enterprise, role, department, names, shows
):
    ent = tianshan_enterprise if role == Role.ENTERPRISE else None
    make_user("person", role, department=department, enterprise=ent)
    response = client.post(reverse("login"), {"username": "person", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == _first_url(*names)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert shows in page.content.decode()


def test_r13_1_a_person_with_officer_and_approver_roles_starts_on_the_approval_queue_with_a_tab_for_today(
    client, make_user
):
    make_user("kezhang", Role.OFFICER, Role.APPROVER, department="650100-WH")
    response = client.post(reverse("login"), {"username": "kezhang", "password": PASSWORD})
    assert response["Location"] == reverse("work:approvals")
    html = client.get(response["Location"]).content.decode()
    assert f'href="{reverse("work:today")}"' in html


def test_r13_1_a_next_parameter_still_wins_over_the_landing_page(client, make_user):
    make_user("person", Role.APPROVER, department="650100-WH")
    response = client.post(
        reverse("login") + "?next=/cases/", {"username": "person", "password": PASSWORD}
    )
    assert response["Location"] == "/cases/"


def test_r13_1_a_queue_of_another_role_is_refused(client, make_user):
    user = make_user("person", Role.OFFICER, department="650100-WH")
    client.force_login(user)
    assert client.get(reverse("work:approvals")).status_code == 403
    assert client.get(reverse("work:review")).status_code == 403


def test_r13_1_the_demo_login_page_lists_the_demo_accounts_that_exist_with_what_to_try(
    client, make_user, settings
):
    make_user("approver", Role.APPROVER, department="650100-WH")
    make_user("legal", Role.LEGAL_REVIEWER, department="650100-FZ")
    settings.DEMO = True
    html = client.get(reverse("login")).content.decode()
    assert "演示账号" in html and "fairinspect-demo" in html
    assert "<code>approver</code>" in html and "待我审批" in html
    assert "<code>legal</code>" in html
    assert "<code>supervisor</code>" not in html, "only accounts that exist are listed"


def test_r13_1_outside_demo_mode_the_login_page_lists_no_accounts(client, make_user, settings):
    make_user("approver", Role.APPROVER, department="650100-WH")
    settings.DEMO = False
    html = client.get(reverse("login")).content.decode()
    assert "演示账号" not in html and "fairinspect-demo" not in html
