"""Reads of the trail for pages (the supervisor's audit page, the public checkpoints)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import AuditEvent, Checkpoint

# The event lists (the supervisor's page, `GET /api/v1/audit/events`) page by keyset.
EVENT_ORDER = ("-id",)
EVENT_SCOPE = "audit.events"


def events(*, object_filter: str = "") -> QuerySet[AuditEvent]:
    """Newest first; `object_filter` is "type" or "type:id" (registry.enterprise:12)."""
    qs = AuditEvent.objects.select_related("chain").order_by("-id")
    kind, _, pk = object_filter.strip().partition(":")
    if kind:
        qs = qs.filter(object_type=kind, object_id=pk) if pk else qs.filter(object_type=kind)
    return qs


def events_of(obj) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).order_by("id")


def checkpoints(*, after: int = 0) -> QuerySet[Checkpoint]:
    """Newest first; `after` keeps those numbered above it."""
    qs = Checkpoint.objects.order_by("-seq")
    return qs.filter(seq__gt=after) if after else qs
