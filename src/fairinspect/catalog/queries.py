from __future__ import annotations

from django.db.models import QuerySet

from .models import InspectionItem, ItemListVersion


def version_in_force() -> ItemListVersion | None:
    return ItemListVersion.objects.filter(status="published").first()


def items_in_force() -> QuerySet[InspectionItem]:
    return InspectionItem.objects.filter(version__status="published").order_by("code")


def public_versions() -> QuerySet[ItemListVersion]:
    """Published and superseded versions: drafts are internal."""
    return ItemListVersion.objects.exclude(status="draft").order_by("-published_at")
