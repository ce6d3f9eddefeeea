"""Accounts (issue 8 item 8): a lock-out that holds under parallel attempts and that an
outsider cannot turn against the owner; API tokens that expire, are listed and revoked,
and die on a password change; exports whose cells never start a formula.

The lock-out is django-axes with AXES_LOCKOUT_PARAMETERS [[username, ip_address],
ip_address]: LOGIN_MAX_FAILURES failures lock a username *at one address*;
LOGIN_IP_MAX_FAILURES failures from one address lock the address for every username."""

import datetime as dt
import json
import threading

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test import Client

from fairinspect.core.roles import Role
from fairinspect.registry import tabular
from fairinspect.registry.auth import issue_token
from fairinspect.registry.models import ApiToken
from tests.conftest import PASSWORD

OWNER_IP, OUTSIDER_IP = "10.1.1.5", "203.0.113.66"


def token_call(username, password, ip, client=None):
    client = client or Client()
    return client.post(
        "/api/v1/auth/token",
        json.dumps({"username": username, "password": password}),
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


@pytest.mark.django_db(transaction=True)
def test_r13_1_twenty_parallel_wrong_passwords_lock_the_account(make_user, settings):
    make_user("target", Role.OFFICER)
    barrier = threading.Barrier(20)
    codes = []

    def attempt():
        try:
            barrier.wait()
            resp = token_call("target", "wrong", OWNER_IP)
            codes.append((resp.status_code, resp.json()["code"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [status for status, _ in codes] == [401] * 20
    # Each attempt either checked the password and was counted, or was refused unchecked
    # because the lock was already on: none lost to the race …
    checked = sum(1 for _, code in codes if code == "bad_credentials")
    counted = sum(a.failures_since_start for a in AccessAttempt.objects.filter(username="target"))
    assert counted == checked >= settings.LOGIN_MAX_FAILURES
    assert checked + sum(1 for _, code in codes if code == "account_locked") == 20
    # … and the right password is refused now.
    resp = token_call("target", PASSWORD, OWNER_IP)
    assert resp.status_code == 401 and resp.json()["code"] == "account_locked"


def test_r13_1_an_outsider_cannot_lock_the_owner_out_from_the_owners_address(make_user, settings):
    make_user("owner", Role.OFFICER)
    for _ in range(settings.LOGIN_MAX_FAILURES + 3):
        token_call("owner", "guess", OUTSIDER_IP)
    assert token_call("owner", PASSWORD, OUTSIDER_IP).json()["code"] == "account_locked"
    resp = token_call("owner", PASSWORD, OWNER_IP)
    assert resp.status_code == 200 and resp.json()["token"]


def test_r13_1_one_address_guessing_across_accounts_is_throttled(make_user, settings):
    make_user("fresh", Role.OFFICER)
    for n in range(settings.LOGIN_IP_MAX_FAILURES):
        token_call(f"user{n}", "guess", OUTSIDER_IP)
    resp = token_call("fresh", PASSWORD, OUTSIDER_IP)
    assert resp.json()["code"] == "account_locked"
    assert token_call("fresh", PASSWORD, OWNER_IP).status_code == 200


def test_r13_1_the_lock_lifts_after_the_lock_period(make_user, settings, time_machine):
    make_user("later", Role.OFFICER)
    time_machine.move_to(dt.datetime(2025, 6, 18, 9, 0, tzinfo=dt.UTC))
    for _ in range(settings.LOGIN_MAX_FAILURES):
        token_call("later", "guess", OWNER_IP)
    assert token_call("later", PASSWORD, OWNER_IP).status_code == 401
    time_machine.move_to(
        dt.datetime(2025, 6, 18, 9, settings.LOGIN_LOCK_MINUTES + 1, tzinfo=dt.UTC)
    )
    assert token_call("later", PASSWORD, OWNER_IP).status_code == 200


# ---- tokens ------------------------------------------------------------------------------


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_r13_1_a_token_dies_when_its_owners_password_changes(client, make_user):
    user = make_user("pw", Role.OFFICER)
    token = issue_token(user)
    assert client.get("/api/v1/auth/tokens", **bearer(token)).status_code == 200
    user.set_password("another-long-password-42")
    user.save()
    assert client.get("/api/v1/auth/tokens", **bearer(token)).status_code == 401


def test_r13_1_an_expired_token_is_refused(client, make_user, time_machine):
    time_machine.move_to(dt.datetime(2025, 6, 18, 9, 0, tzinfo=dt.UTC))
    token = issue_token(make_user("exp", Role.OFFICER), days=1)
    time_machine.move_to(dt.datetime(2025, 6, 19, 9, 1, tzinfo=dt.UTC))
    assert client.get("/api/v1/auth/tokens", **bearer(token)).status_code == 401


def test_r13_1_owners_list_and_revoke_their_tokens_and_only_theirs(client, make_user):
    alice, bob = make_user("alice", Role.OFFICER), make_user("bob", Role.OFFICER)
    a1, a2 = issue_token(alice, name="手机"), issue_token(alice, name="脚本")
    b1 = issue_token(bob)
    listed = client.get("/api/v1/auth/tokens", **bearer(a1)).json()
    assert {t["name"] for t in listed} == {"手机", "脚本"}  # not bob's
    bob_id = ApiToken.objects.get(user=bob).pk
    assert client.delete(f"/api/v1/auth/tokens/{bob_id}", **bearer(a1)).status_code == 403
    a2_id = ApiToken.objects.get(user=alice, name="脚本").pk
    resp = client.delete(f"/api/v1/auth/tokens/{a2_id}", **bearer(a1))
    assert resp.status_code == 200 and resp.json()["state"] == "revoked"
    assert client.get("/api/v1/auth/tokens", **bearer(a2)).status_code == 401
    assert client.get("/api/v1/auth/tokens", **bearer(b1)).status_code == 200


def test_r13_1_the_administrator_lists_and_revokes_anyones_token(
    client, make_user, admin_user, login
):
    bob = make_user("bob2", Role.OFFICER)
    b1 = issue_token(bob, name="外勤")
    page = login(admin_user).get("/registry/tokens/").content.decode()
    assert "bob2" in page and "外勤" in page
    token_id = ApiToken.objects.get(user=bob).pk
    resp = client.post(f"/registry/tokens/{token_id}/revoke/")
    assert resp.status_code == 302
    assert client.get("/api/v1/auth/tokens", **bearer(b1)).status_code == 401
    from fairinspect.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="revoke_token").count() == 1


def test_r13_1_the_token_page_issues_a_token_shown_once(make_user, login):
    user = make_user("self", Role.OFFICER)
    client = login(user)
    page = client.post("/registry/tokens/", {"name": "巡查终端", "days": 7}).content.decode()
    assert "只显示这一次" in page
    t = ApiToken.objects.get(user=user)
    assert t.name == "巡查终端"
    assert round((t.expires_at - t.created_at).total_seconds() / 86400) == 7


# ---- exports ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["=1+1", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx", "\nx", "＝1+1"]
)
def test_r13_1_no_exported_cell_starts_a_formula(text):
    assert tabular.safe_cell(text) == "'" + text
    assert tabular.cell_text("'" + text) == text  # and the import takes it off again


def test_r13_1_numbers_and_plain_text_are_exported_as_they_are():
    assert tabular.safe_cell(-5) == -5 and tabular.safe_cell("乌鲁木齐") == "乌鲁木齐"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_r13_1_an_enterprise_named_like_a_formula_exports_as_text(
    admin_user, login, make_enterprise, fmt
):
    import io

    from openpyxl import load_workbook

    make_enterprise(name='=HYPERLINK("http://evil","点我")', main_person="@SUM(1)")
    resp = login(admin_user).get(f"/registry/enterprises/export.{fmt}")
    data = b"".join(resp.streaming_content) if resp.streaming else resp.content
    if fmt == "csv":
        import csv

        cells = [c for r in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in r]
    else:
        ws = load_workbook(io.BytesIO(data)).worksheets[0]
        cells = [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert all(c[:1] not in tabular.FORMULA_START for c in cells if c)
    assert '\'=HYPERLINK("http://evil","点我")' in cells
