"""Password login with lock-out after repeated failures, shared by the pages and the API."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone

from fairinspect.core.errors import DomainError

from .models import ApiToken, LoginAttempt, User

TOKEN_DAYS = 30


class LoginRefused(DomainError):
    status = 401


def _recent_failures(username: str) -> int:
    since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    last_ok = (
        LoginAttempt.objects.filter(username=username, succeeded=True, at__gte=since)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    qs = LoginAttempt.objects.filter(username=username, succeeded=False, at__gte=last_ok or since)
    return qs.count()


def login_with_password(*, username: str, password: str, ip: str | None, request=None) -> User:
    """The user, or LoginRefused. A locked account is refused even with the right password."""
    username = (username or "").strip()
    if not username or not password:
        raise LoginRefused(
            "credentials_missing",
            "请输入用户名和密码。",
            field="username" if not username else "password",
        )
    failures = _recent_failures(username)
    if failures >= settings.LOGIN_MAX_FAILURES:
        LoginAttempt.objects.create(username=username, ip=ip, succeeded=False)
        raise LoginRefused(
            "account_locked",
            f"连续登录失败次数过多，账号已锁定{settings.LOGIN_LOCK_MINUTES}分钟，请稍后再试。",
            field="username",
        )
    user = authenticate(request, username=username, password=password)
    LoginAttempt.objects.create(username=username, ip=ip, succeeded=user is not None)
    if user is None:
        left = settings.LOGIN_MAX_FAILURES - (failures + 1)
        raise LoginRefused(
            "bad_credentials",
            f"用户名或密码错误。再失败{max(left, 0)}次账号将被锁定。",
            field="password",
        )
    return user


def issue_token(user: User) -> str:
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        key_hash=hashlib.sha256(token.encode()).hexdigest(),
        expires_at=timezone.now() + timedelta(days=TOKEN_DAYS),
    )
    return token


def user_for_token(token: str) -> User | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    row = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=digest, expires_at__gt=timezone.now(), user__is_active=True)
        .first()
    )
    if row is None:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")
