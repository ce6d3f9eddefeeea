"""Issue 14: a special inspection submitted to the bureau waits in its approver's queue, and
only there (R13.1, R9.3)."""

import pytest
from django.urls import reverse

from fairinspect.core.roles import Role
from fairinspect.planning import services

from .test_special import DATA


@pytest.fixture
def special(city_planner, approver, city_bureau):
    services.set_special_quota(
        actor=approver,
        department=city_bureau,
        data={"year": "2025", "quota": "1", "source": "市局党委会议纪要"},
    )
    created = services.create_special(actor=city_planner, data=DATA)
    return services.submit_special(actor=city_planner, special=created)


def test_r13_1_a_submitted_special_inspection_waits_for_its_own_bureaus_approver(
    client, special, approver, make_user
):
    url = reverse("planning:special_detail", args=[special.pk])
    client.force_login(approver)
    assert url in client.get(reverse("work:approvals")).content.decode()
    district = make_user("ts_head", Role.APPROVER, department="650102")
    client.force_login(district)
    assert url not in client.get(reverse("work:approvals")).content.decode()
