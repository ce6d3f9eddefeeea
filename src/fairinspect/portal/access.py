"""Who writes and who publishes, and what the public sees (published, at or after the
publication time; never drafts, withdrawn or scheduled items)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from fairinspect.core.errors import Forbidden
from fairinspect.core.roles import Role, has_role

from .models import Article

WRITERS = (Role.ADMIN, Role.APPROVER, Role.OFFICER, Role.SUPERVISOR)
PUBLISHERS = (Role.ADMIN, Role.APPROVER)


def require_writer(user) -> None:
    if not has_role(user, *WRITERS):
        raise Forbidden("只有工作人员可以编辑公开信息。")


def require_publisher(user) -> None:
    if not has_role(user, *PUBLISHERS):
        raise Forbidden("公开信息由管理员或单位负责人发布。")


def public_articles(kind: str | None = None) -> QuerySet[Article]:
    qs = Article.objects.filter(status="published", published_at__lte=timezone.now())
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-published_at", "-id")
