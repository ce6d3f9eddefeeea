from axes.models import AccessAttempt
from django.contrib.auth.hashers import identify_hasher

from tests.conftest import PASSWORD


def test_r13_1_the_login_page_logs_in_and_returns_to_the_page_asked_for(client, city_officer):
    resp = client.post(
        "/login/?next=/registry/enterprises/", {"username": "city_officer", "password": PASSWORD}
    )
    assert resp.status_code == 302 and resp["Location"] == "/registry/enterprises/"


def test_r13_1_the_login_page_does_not_redirect_off_site(client, city_officer):
    resp = client.post(
        "/login/?next=https://evil.example/", {"username": "city_officer", "password": PASSWORD}
    )
    assert resp["Location"] == "/work/today/"  # the officer's own start, not the off-site next


def test_r13_1_repeated_failures_lock_the_account_on_the_page_too(client, city_officer, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        resp = client.post("/login/", {"username": "city_officer", "password": "wrong"})
        assert "用户名或密码错误" in resp.content.decode()
    resp = client.post("/login/", {"username": "city_officer", "password": PASSWORD})
    assert resp.status_code == 200 and "锁定" in resp.content.decode()
    assert AccessAttempt.objects.get(username="city_officer").failures_since_start == (
        settings.LOGIN_MAX_FAILURES
    )


def test_r13_1_the_lock_lifts_after_the_lock_period(client, city_officer, settings, time_machine):
    time_machine.move_to("2025-06-18 09:00 +08:00")
    for _ in range(settings.LOGIN_MAX_FAILURES):
        client.post("/login/", {"username": "city_officer", "password": "wrong"})
    time_machine.move_to("2025-06-18 09:16 +08:00")
    resp = client.post("/login/", {"username": "city_officer", "password": PASSWORD})
    assert resp.status_code == 302


def test_r13_1_passwords_are_stored_with_argon2(db, make_user, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = make_user(
        "argon",
    )
    assert identify_hasher(user.password).algorithm == "argon2"


def test_r13_1_production_settings_pass_the_deploy_checklist():
    import os
    import subprocess
    import sys

    # The browser tests' conftest allows async-unsafe calls in this process; a deployment
    # never does.
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = dict(
        base,
        FAIRINSPECT_ENV="production",
        SECRET_KEY="x" * 60 + "-Aa1!",
        AUDIT_HMAC_KEY="k" * 64,
        ALLOWED_HOSTS="fairinspect.example.gov.cn",
        DEBUG="0",
        DJANGO_SETTINGS_MODULE="fairinspect.config.settings",
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
