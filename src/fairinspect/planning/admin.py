"""Admin: read-only views of plans, draws and special inspections (their state changes go
through services.py and draws.py for the rules and the audit trail); declared conflicts of
interest (回避申报) are entered here."""

from django.contrib import admin

from .models import (
    AnnualPlan,
    Draw,
    DrawPairing,
    OfficerConflict,
    SamplingTask,
    SpecialInspection,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AnnualPlan)
class AnnualPlanAdmin(ReadOnly):
    list_display = ("title", "department", "year", "status", "approval_doc_no")
    list_filter = ("year", "status")


@admin.register(SamplingTask)
class SamplingTaskAdmin(ReadOnly):
    list_display = ("title", "department", "year", "status", "pools_published_at")
    list_filter = ("year", "status")


@admin.register(Draw)
class DrawAdmin(ReadOnly):
    list_display = ("task", "sequence", "status", "seed", "drawn_at", "published_at")
    list_filter = ("status",)


@admin.register(DrawPairing)
class DrawPairingAdmin(ReadOnly):
    """A draw's result, a row a selected enterprise (millions in a province: no exact count,
    no filter that scans; search by credit code or narrow to a draw by its id)."""

    list_display = ("draw", "position", "credit_code", "officers", "unpaired")
    search_fields = ("=credit_code", "=draw__id")
    list_select_related = ("draw", "draw__task")
    raw_id_fields = ("draw", "enterprise")
    ordering = ("draw", "position")
    show_full_result_count = False


@admin.register(SpecialInspection)
class SpecialInspectionAdmin(ReadOnly):
    list_display = ("title", "department", "year", "number", "status", "start_date")
    list_filter = ("year", "status", "kind")


@admin.register(OfficerConflict)
class OfficerConflictAdmin(admin.ModelAdmin):
    list_display = ("officer", "enterprise", "kind", "created_at")
    list_filter = ("kind",)
    raw_id_fields = ("officer", "enterprise")
    search_fields = ("officer__name", "enterprise__name", "enterprise__credit_code")
