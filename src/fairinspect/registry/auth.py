"""Password login with lock-out (django-axes) and API tokens, shared by the pages and the API.

Lock-out (settings: LOGIN_MAX_FAILURES, LOGIN_IP_MAX_FAILURES, LOGIN_LOCK_MINUTES):
- LOGIN_MAX_FAILURES failed passwords for one username *from one address* lock that username
  at that address; the owner at another address still logs in, so an outsider cannot lock
  the owner out;
- LOGIN_IP_MAX_FAILURES failures from one address over any usernames lock the address (a
  throttle on guessing across accounts);
- axes counts inside a transaction with SELECT … FOR UPDATE on its attempt row (and SQLite
  serialises writers), so parallel attempts are all counted.
Passwords stay hashed with Argon2 (settings.PASSWORD_HASHERS).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from fairinspect.audit import trail
from fairinspect.core.errors import DomainError, Forbidden, NotFound
from fairinspect.core.prepared import Prepared
from fairinspect.registry.backends import attach_roles, role_mask

from .models import ApiToken, User

TOKEN_DAYS = 30


class LoginRefused(DomainError):
    status = 401


class ThrottlingAxesHandler(AxesDatabaseHandler):
    """axes' database handler with two limits instead of one: AXES_LOCKOUT_PARAMETERS is
    [[username, ip_address], ip_address]; the pair locks at LOGIN_MAX_FAILURES, the address
    alone only at LOGIN_IP_MAX_FAILURES."""

    def get_failures(self, request, credentials=None) -> int:
        sums = [
            qs.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for qs in self.get_user_attempts(request, credentials)
        ]
        pair = sums[0] if sums else 0
        by_address = sums[1] if len(sums) > 1 else 0
        if by_address >= settings.LOGIN_IP_MAX_FAILURES:
            return max(pair, settings.LOGIN_MAX_FAILURES)
        return pair


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def keep_response(request, original_response, credentials=None):
    """axes' lock-out response: the page's or the API's own answer (it says 账号已锁定)."""
    return original_response


def login_with_password(*, username: str, password: str, ip: str | None, request=None) -> User:
    """The user, or LoginRefused. A locked account is refused even with the right password.
    `request` is the HTTP request axes reads the address from (required)."""
    username = (username or "").strip()
    if not username or not password:
        raise LoginRefused(
            "credentials_missing",
            "请输入用户名和密码。",
            field="username" if not username else "password",
        )
    if request is None:
        raise ValueError("login_with_password needs the request (django-axes reads it)")
    user = authenticate(request, username=username, password=password)
    # axes records a failure (and sets the count) only when it checked the password; a
    # request refused because the pair or the address was already locked has no count.
    failures = getattr(request, "axes_failures_since_start", None)
    if getattr(request, "axes_locked_out", False) and failures is None:
        raise LoginRefused(
            "account_locked",
            f"连续登录失败次数过多，该账号在本地址已锁定{settings.LOGIN_LOCK_MINUTES}分钟，请稍后再试。",
            field="username",
        )
    if user is None:
        left = settings.LOGIN_MAX_FAILURES - (failures or 0)
        then = (
            f"账号在本地址已锁定{settings.LOGIN_LOCK_MINUTES}分钟。"
            if left <= 0
            else f"再失败{left}次账号将被锁定。"
        )
        raise LoginRefused("bad_credentials", f"用户名或密码错误。{then}", field="password")
    return user


# ---- API tokens ------------------------------------------------------------------------


def _password_mark(user: User) -> str:
    """A digest of the password hash: it changes whenever the password changes."""
    return hashlib.sha256(f"fairinspect.token:{user.password}".encode()).hexdigest()


def issue_token(user: User, *, name: str = "", days: int = TOKEN_DAYS) -> str:
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        key_hash=hashlib.sha256(token.encode()).hexdigest(),
        name=name[:100],
        prefix=token[:8],
        password_mark=_password_mark(user),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token


# The token's row with its user, the user's department, bureau, officer and roles (what the
# access checks read):
# prepared, compiled once per connection (core/prepared.py), as every API request runs it.
_TOKEN_ROW = Prepared(
    lambda digest, now: (
        ApiToken.objects.select_related("user__department__parent", "user__officer")
        .annotate(**role_mask("user_id"))
        .filter(key_hash=digest, expires_at__gt=now, revoked_at__isnull=True, user__is_active=True)
        .order_by("pk")[:1]
    ),
    digest="\x00digest\x00",
    now=datetime(1901, 1, 2, 3, 4, 5, tzinfo=UTC),
)


def user_for_token(token: str) -> User | None:
    """The token's user while it is in force: not expired, not revoked, the user active and
    the password unchanged since the token was issued."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    found = _TOKEN_ROW.objects(digest=digest, now=timezone.now())
    row = found[0] if found else None
    if row is None or not secrets.compare_digest(row.password_mark, _password_mark(row.user)):
        return None
    attach_roles(row.user, row)
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


def tokens_visible_to(user: User):
    """An administrator sees every token; anyone else their own."""
    from fairinspect.core.roles import Role, has_role

    qs = ApiToken.objects.select_related("user", "revoked_by")
    return qs if has_role(user, Role.ADMIN) else qs.filter(user=user)


def token_state(t: ApiToken, now=None) -> str:
    now = now or timezone.now()
    if t.revoked_at:
        return "revoked"
    if t.expires_at <= now:
        return "expired"
    if t.password_mark != _password_mark(t.user):
        return "password_changed"
    return "active"


def revoke_token(*, actor: User, token_id: int) -> ApiToken:
    """Revoke one token: its owner or an administrator. Revoking twice changes nothing."""

    t = tokens_visible_to(actor).filter(pk=token_id).first()
    if t is None:
        if ApiToken.objects.filter(pk=token_id).exists():
            raise Forbidden()
        raise NotFound()
    with transaction.atomic():
        n = ApiToken.objects.filter(Q(pk=t.pk) & Q(revoked_at__isnull=True)).update(
            revoked_at=timezone.now(), revoked_by=actor
        )
        if n:
            trail.record(
                actor=actor,
                action="revoke_token",
                obj=t.user,
                summary=f"吊销 {t.user.username} 的 API 令牌 {t.prefix}…",
                data={"token_id": t.pk, "prefix": t.prefix},
            )
    t.refresh_from_db()
    return t
