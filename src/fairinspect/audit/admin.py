from django.contrib import admin

from .models import AuditEvent, Chain, Checkpoint


class _ReadOnly(admin.ModelAdmin):
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(_ReadOnly):
    list_display = ("at", "actor_name", "action", "object_type", "object_id", "summary")
    list_filter = ("action", "object_type")


@admin.register(Chain)
class ChainAdmin(_ReadOnly):
    list_display = ("key", "length", "head", "updated_at")


@admin.register(Checkpoint)
class CheckpointAdmin(_ReadOnly):
    list_display = ("seq", "at", "chains_total", "events_total", "key_id", "mac")
