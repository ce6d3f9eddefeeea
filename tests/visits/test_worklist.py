"""Issue 14: the officer starts on today's visits, the approver on the plans waiting (R13.1)."""

import datetime as dt

from django.urls import reverse

from fairinspect.visits import services

from .conftest import TODAY


def test_r13_1_the_officer_sees_todays_visits_of_their_team_and_not_tomorrows(
    client, new_visit, team, city_enterprise, make_enterprise
):
    today = new_visit()
    later = new_visit(
        make_enterprise(name="明天去的企业有限公司", supervising_level="city"),
        planned_date=TODAY + dt.timedelta(days=1),
    )
    (u1, _o1), _ = team
    client.force_login(u1)
    html = client.get(reverse("work:today")).content.decode()
    assert reverse("visits:detail", args=[today.pk]) in html
    assert city_enterprise.name in html
    assert reverse("visits:detail", args=[later.pk]) not in html


def test_r13_1_a_submitted_plan_waits_in_the_approvers_queue(
    client, new_visit, team, approver_user
):
    visit = new_visit()
    (u1, _o1), _ = team
    client.force_login(approver_user)
    url = reverse("visits:detail", args=[visit.pk])
    assert url not in client.get(reverse("work:approvals")).content.decode(), (
        "a draft waits on no one"
    )
    services.submit_plan(actor=u1, visit=visit)
    assert url in client.get(reverse("work:approvals")).content.decode()
