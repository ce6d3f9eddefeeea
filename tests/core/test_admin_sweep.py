"""Every model the admin registers opens for a superuser, its list and its search (issue 13:
the administrators' back office is part of the production set-up)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _registered():
    return sorted((m._meta.app_label, m._meta.model_name) for m in admin.site._registry)


def test_issue_13_the_draw_result_rows_are_in_the_admin():
    assert ("planning", "drawpairing") in _registered()


@pytest.mark.parametrize(("app", "model"), _registered())
def test_issue_13_every_admin_list_opens_for_a_superuser(client, django_user_model, app, model):
    user = django_user_model.objects.create_superuser("root", "root@example.org", "x-pass-1234")
    client.force_login(user)
    url = reverse(f"admin:{app}_{model}_changelist")
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    r = client.get(url, {"q": "91650100"})
    assert r.status_code == 200, (url, "search", r.status_code)
