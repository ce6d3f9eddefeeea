from django.shortcuts import get_object_or_404

from fairinspect.core.errors import Forbidden
from fairinspect.core.roles import Role, has_role

from .models import GuidanceListVersion, ItemListVersion


def get_public_version(number: str) -> ItemListVersion:
    """Anyone may read a published or superseded version; drafts are internal."""
    return get_object_or_404(ItemListVersion.objects.exclude(status="draft"), number=number)


def get_version_for_manager(user, number: str) -> ItemListVersion:
    require_manager(user)
    return get_object_or_404(ItemListVersion, number=number)


def require_manager(user) -> None:
    if not has_role(user, Role.ADMIN):
        raise Forbidden("只有管理员可以维护检查事项清单。")


def get_public_guidance_version(number: str) -> GuidanceListVersion:
    return get_object_or_404(GuidanceListVersion.objects.exclude(status="draft"), number=number)
