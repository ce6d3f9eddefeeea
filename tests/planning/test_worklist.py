"""Issue 14: a special inspection submitted to the bureau waits in its approver's queue, and
only there (R13.1, R9.3)."""

from django.urls import reverse

from fairinspect.core.roles import Role
from fairinspect.planning import services

from .test_special import DATA, quota  # noqa: F401  (the fixture)


def test_r13_1_a_submitted_special_inspection_waits_for_its_own_bureaus_approver(
    client,
    city_planner,
    approver,
    quota,
    make_user,  # noqa: F811
):
    s = services.submit_special(
        actor=city_planner, special=services.create_special(actor=city_planner, data=DATA)
    )
    url = reverse("planning:special_detail", args=[s.pk])
    client.force_login(approver)
    assert url in client.get(reverse("work:approvals")).content.decode()
    district = make_user("ts_head", Role.APPROVER, department="650102")
    client.force_login(district)
    assert url not in client.get(reverse("work:approvals")).content.decode()
