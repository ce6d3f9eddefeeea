"""R8: the supervisors' page of the enterprises' ratings — filters by unit, score and date,
visible to supervisors and administrators only, never to the inspecting unit."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from fairinspect.core.roles import Role
from fairinspect.visits import services
from fairinspect.visits.models import VisitRating

pytestmark = pytest.mark.django_db

URL = "/visits/ratings/"


@pytest.fixture
def rated(started_visit, team, make_user, make_enterprise, city_enterprise):
    """Two finished visits of the WH unit, rated 2 (June 18) and 5 (June 20)."""
    (u1, _), _ = team
    out = []
    for n, (ent, score, day) in enumerate(
        [
            (city_enterprise, 2, dt.date(2025, 6, 18)),
            (make_enterprise(supervising_level="city", high_risk=True), 5, dt.date(2025, 6, 20)),
        ]
    ):
        v = started_visit(ent)
        services.check_out(actor=u1, visit=v)
        user = make_user(f"ent_rate{n}", Role.ENTERPRISE, enterprise=ent)
        with time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)):
            services.rate_visit(actor=user, visit=v, score=score, comment=f"评价XYZ{score}")
        out.append(v)
    return out


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("supervisor", 200),
        ("admin", 200),
        ("officer", 403),
        ("approver", 403),
        ("enterprise", 403),
        ("expert", 403),
        ("anonymous", 302),
    ],
)
def test_r8_ratings_page_access_table(
    who,
    expected,
    client,
    rated,
    team,
    supervisor,
    admin_user,
    approver_user,
    expert_user,
    make_user,
    city_enterprise,
):
    users = {
        "supervisor": supervisor,
        "admin": admin_user,
        "officer": team[0][0],
        "approver": approver_user,
        "enterprise": make_user("ent_x", Role.ENTERPRISE, enterprise=city_enterprise),
        "expert": expert_user,
        "anonymous": None,
    }
    if users[who]:
        client.force_login(users[who])
    r = client.get(URL)
    assert r.status_code == expected
    if expected == 403:
        assert "评价XYZ" not in r.content.decode()


def test_r8_supervisors_see_every_rating_with_the_average_and_a_nav_link(client, rated, supervisor):
    client.force_login(supervisor)
    body = client.get(URL).content.decode()
    assert "评价XYZ2" in body and "评价XYZ5" in body
    assert "共 2 条评价" in body and "3.5" in body
    assert 'href="/visits/ratings/"' in body


def test_r8_the_inspecting_unit_has_no_nav_link(client, rated, team):
    client.force_login(team[0][0])
    assert 'href="/visits/ratings/"' not in client.get("/visits/").content.decode()


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"score": "2"}, ["评价XYZ2"], ["评价XYZ5"]),
        ({"score": "5"}, ["评价XYZ5"], ["评价XYZ2"]),
        ({"date_from": "2025-06-19"}, ["评价XYZ5"], ["评价XYZ2"]),
        ({"date_to": "2025-06-18"}, ["评价XYZ2"], ["评价XYZ5"]),
        ({"unit": "650100-WH"}, ["评价XYZ2", "评价XYZ5"], []),
        ({"unit": "650102"}, [], ["评价XYZ2", "评价XYZ5"]),
    ],
)
def test_r8_ratings_filter_by_unit_score_and_date(query, shown, hidden, client, rated, supervisor):
    client.force_login(supervisor)
    body = client.get(URL, query).content.decode()
    for s in shown:
        assert s in body
    for s in hidden:
        assert s not in body


def test_r8_a_bad_filter_says_which_field_and_rule(client, rated, supervisor):
    client.force_login(supervisor)
    r = client.get(URL, {"score": "9", "date_from": "18/06/2025"})
    body = r.content.decode()
    assert r.status_code == 422
    assert "评分：应为1至5分" in body and "评价日期起：格式应为 YYYY-MM-DD" in body


def test_r8_a_supervisor_who_inspected_the_visit_does_not_see_its_rating(client, rated, team):
    (u1, _), _ = team
    from django.contrib.auth.models import Group

    u1.groups.add(Group.objects.get(name=Role.SUPERVISOR.value))
    client.force_login(u1)
    body = client.get(URL).content.decode()
    assert VisitRating.objects.count() == 2 and "评价XYZ" not in body
