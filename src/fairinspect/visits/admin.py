from django import forms
from django.contrib import admin

from fairinspect.rules.caps import CELL_FIELDS, validate_cap_table

from .models import (
    CAP_FIELDS,
    CapTableSetting,
    Hazard,
    InspectionPlan,
    RectificationOrder,
    Visit,
    VisitItem,
    VisitOfficer,
)


class CapTableSettingForm(forms.ModelForm):
    """Refuses a bad table with the rule's own messages, on the field at fault."""

    class Meta:
        model = CapTableSetting
        fields = ["year", "source", *CAP_FIELDS, "exempt_consumes_cap"]

    def clean(self):
        data = super().clean() or self.cleaned_data
        cells = {key: data.get(name) for key, name in CELL_FIELDS.items()}
        for e in validate_cap_table(year=data.get("year"), source=data.get("source"), cells=cells):
            field = e.field if e.field in self.fields else None
            if field is not None:
                # The rule's message names the cell and the limit: it replaces Django's.
                self.errors.pop(field, None)
            self.add_error(field, e.message)
        return data


@admin.register(CapTableSetting)
class CapTableSettingAdmin(admin.ModelAdmin):
    form = CapTableSettingForm
    list_display = ("year", "source", "exempt_consumes_cap", "updated_at")
    readonly_fields = ("updated_by", "updated_at")

    def save_model(self, request, obj, form, change):
        from fairinspect.audit import trail

        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        trail.record(
            actor=request.user,
            action="update" if change else "create",
            obj=obj,
            summary=f"设置{obj.year}年度现场检查频次上限",
            data={f: getattr(obj, f) for f in ("source", *CAP_FIELDS, "exempt_consumes_cap")},
        )


class VisitOfficerInline(admin.TabularInline):
    model = VisitOfficer
    extra = 0
    readonly_fields = ("confirmed_at",)


class VisitItemInline(admin.TabularInline):
    """`Visit.items` has its own through model (visits 0010): the admin edits it here."""

    model = VisitItem
    extra = 0
    raw_id_fields = ("inspectionitem",)


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ("id", "enterprise", "planned_date", "kind", "trigger", "status", "department")
    list_filter = ("status", "kind", "trigger")
    search_fields = ("enterprise__name", "enterprise__credit_code")
    raw_id_fields = ("enterprise", "parent_visit", "follow_up_order")
    inlines = [VisitOfficerInline, VisitItemInline]
    # State changes go through visits/services.py for their checks and audit.
    readonly_fields = ("status", "checked_in_at", "checked_out_at", "missing_recording")


admin.site.register(InspectionPlan)
admin.site.register(Hazard)
admin.site.register(RectificationOrder)
