from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Certificate, Department, Enterprise, Expert, ImportJob, Industry, Officer, User


@admin.register(User)
class FairUserAdmin(UserAdmin):
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("所属", {"fields": ("department", "enterprise", "phone")}),
    )
    list_display = ("username", "first_name", "department", "enterprise", "is_active")
    list_filter = ("groups", "is_active", "department")
    raw_id_fields = ("enterprise",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "level", "parent")


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "domain", "high_risk")
    list_filter = ("level", "domain", "high_risk")
    search_fields = ("code", "name")


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "credit_code",
        "district_code",
        "high_risk",
        "standardization_grade",
        "supervising_level",
    )
    list_filter = ("district_code", "high_risk", "standardization_grade", "supervising_level")
    search_fields = ("name", "credit_code")
    raw_id_fields = ("industry",)
    # Writes with their validation and audit go through the pages and the API.
    readonly_fields = ("qr_generation",)


class CertificateInline(admin.TabularInline):
    model = Certificate
    extra = 0


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ("name", "department", "status")
    list_filter = ("status", "department")
    search_fields = ("name", "certificates__number")
    inlines = [CertificateInline]


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "employer", "status", "appointed_to")
    list_filter = ("status",)
    filter_horizontal = ("conflicts",)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "file_name", "status", "total_rows", "created_at")
    exclude = ("data",)
