"""The main navigation is rendered once per (language, roles, enterprise, prefix) and kept
(base.html, `{% cache %}`, issue 13): each user still sees exactly the links of their own
roles, in their own language, and their own enterprise's page."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group

from fairinspect.core.roles import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LIST = 'href="/registry/enterprises/"'  # the enterprise list, for staff only


def _nav(client, path="/public/") -> str:
    resp = client.get(path)
    assert resp.status_code == 200
    return re.search(
        r'<nav aria-label="[^"]*" class="mainnav">(.*?)</nav>', resp.content.decode(), re.S
    )[1]


def _login(client, username):
    client.logout()
    assert client.post("/login/", {"username": username, "password": PASSWORD}).status_code == 302


def test_r13_1_each_user_sees_the_navigation_of_their_own_roles_enterprise_and_language(
    client, make_user, make_enterprise
):
    a, b = make_enterprise(), make_enterprise()
    make_user("officer_n", Role.OFFICER)
    make_user("super_n", Role.SUPERVISOR)
    ent_a = make_user("ent_a", Role.ENTERPRISE, enterprise=a)
    make_user("ent_b", Role.ENTERPRISE, enterprise=b)
    anonymous = _nav(client)
    assert LIST not in anonymous
    _login(client, "officer_n")
    officer = _nav(client)
    assert LIST in officer and "/supervision/" not in officer
    _login(client, "super_n")
    assert "/supervision/" in _nav(client)
    _login(client, "ent_a")
    nav_a = _nav(client)
    _login(client, "ent_b")
    nav_b = _nav(client)
    assert a.credit_code in nav_a and b.credit_code not in nav_a
    assert b.credit_code in nav_b and a.credit_code not in nav_b
    assert LIST not in nav_b
    # A role given is seen on the next page; so is the language.
    _login(client, "ent_a")
    ent_a.groups.add(Group.objects.get(name=Role.OFFICER.value))
    assert LIST in _nav(client)
    assert ">企业<" in _nav(client) and ">Enterprise<" not in _nav(client)
    client.post("/i18n/setlang/", {"language": "en", "next": "/public/"})
    english = _nav(client)
    assert ">Enterprise<" in english and ">企业<" not in english
    client.logout()
    assert _nav(client) != english and LIST not in _nav(client)
