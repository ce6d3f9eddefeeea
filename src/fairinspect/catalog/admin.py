from django.contrib import admin

from .models import InspectionItem, ItemChange, ItemListVersion


@admin.register(ItemListVersion)
class ItemListVersionAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "status", "published_at", "filing_doc_no")
    # State changes (publish, file) go through catalog/services.py for their checks and audit.
    readonly_fields = ("status", "published_at", "superseded_at", "filing_date", "filing_doc_no")


@admin.register(InspectionItem)
class InspectionItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "domain", "version", "offsite_capable", "cross_department")
    list_filter = ("version", "domain", "offsite_capable")
    search_fields = ("code", "name")

    def has_change_permission(self, request, obj=None):
        # Only drafts can be edited: a published list is what enterprises were told.
        return obj is None or obj.version.status == "draft"

    has_delete_permission = has_change_permission


@admin.register(ItemChange)
class ItemChangeAdmin(admin.ModelAdmin):
    list_display = ("version", "kind", "item_code", "item_name")
