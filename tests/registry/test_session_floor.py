"""The authenticated floor (issue 13, item 2): behind the login a request reads its session
row and its user with the user's department and roles in two prepared statements, and they
decide exactly what Django's own database session and ModelBackend decide: an expired or
unknown session, a deactivated user, a changed password or a removed role are all seen on
the next request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fairinspect.core.roles import Role, roles_of
from fairinspect.core.sessions import SessionStore
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _logged_in(client, username: str, password: str = PASSWORD) -> str:
    resp = client.post("/login/", {"username": username, "password": password})
    assert resp.status_code == 302
    return client.cookies["sessionid"].value


def _user_of(key: str):
    request = RequestFactory().get("/")
    request.session = SessionStore(key)
    return get_user(request)


def test_r13_1_issue_13_a_logged_in_request_reads_session_and_user_with_roles_in_two_queries(
    client, make_user
):
    user = make_user("two_roles", Role.OFFICER, Role.APPROVER, department="650100-WH")
    key = _logged_in(client, "two_roles")
    with CaptureQueriesContext(connection) as q:
        found = _user_of(key)
        roles, department = roles_of(found), found.department
    assert found.pk == user.pk and department.code == "650100-WH"
    assert roles == {Role.OFFICER, Role.APPROVER}
    assert len(q.captured_queries) == 2, [c["sql"] for c in q.captured_queries]
    # What Django's own store and backend give for the same session.
    assert SessionStore(key).load() == DjangoStore(key).load()
    fresh = type(found).objects.get(pk=user.pk)
    assert roles_of(fresh) == roles


def test_r13_1_a_superuser_administers_and_a_user_without_groups_has_no_role(client, make_user):
    make_user("root", is_superuser=True, is_staff=True)
    make_user("nobody")
    assert roles_of(_user_of(_logged_in(client, "root"))) == {Role.ADMIN}
    client.logout()
    assert roles_of(_user_of(_logged_in(client, "nobody"))) == frozenset()


def test_r13_1_an_expired_or_unknown_session_is_anonymous_and_starts_afresh(client, city_officer):
    key = _logged_in(client, "city_officer")
    assert _user_of(key).is_authenticated
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    store = SessionStore(key)
    assert store.load() == {} and store.session_key is None
    assert not _user_of(key).is_authenticated
    assert not _user_of("x" * 32).is_authenticated
    assert client.get("/work/today/").status_code == 302  # back to the login


def test_r13_1_a_deactivated_user_a_changed_password_or_a_removed_role_count_at_once(
    client, make_user
):
    user = make_user("changing", Role.OFFICER, Role.APPROVER)
    key = _logged_in(client, "changing")
    user.groups.remove(Group.objects.get(name=Role.APPROVER.value))
    assert roles_of(_user_of(key)) == {Role.OFFICER}
    user.set_password("another-password-9")
    user.save()
    assert not _user_of(key).is_authenticated  # the session's password hash no longer matches
    key = _logged_in(client, "changing", "another-password-9")
    assert _user_of(key).is_authenticated
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert not _user_of(key).is_authenticated
    assert client.get("/work/today/").status_code == 302


def test_r13_1_an_api_token_brings_its_users_roles_department_and_officer_in_one_query(
    make_user, make_officer
):
    from fairinspect.registry.auth import issue_token, user_for_token

    user = make_user("token_user", Role.OFFICER, Role.SUPERVISOR, department="650100-WH")
    make_officer("令牌", department="650100-WH", user=user)
    token = issue_token(user)
    with CaptureQueriesContext(connection) as q:
        found = user_for_token(token)
        seen = (roles_of(found), found.department.bureau.code, found.officer.name)
    assert seen == ({Role.OFFICER, Role.SUPERVISOR}, "650100", "令牌")
    assert len(q.captured_queries) == 2, [c["sql"] for c in q.captured_queries]  # + last_used
    user.groups.remove(Group.objects.get(name=Role.SUPERVISOR.value))
    with CaptureQueriesContext(connection) as q:
        assert roles_of(user_for_token(token)) == {Role.OFFICER}
    assert len(q.captured_queries) == 1  # last_used_at is written at most every 5 minutes
