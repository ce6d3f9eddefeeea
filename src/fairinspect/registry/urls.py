from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/export.<str:fmt>", views.enterprise_export, name="enterprise_export"),
    path("enterprises/new/", views.enterprise_create, name="enterprise_create"),
    path("enterprises/<str:credit_code>/", views.enterprise_detail, name="enterprise_detail"),
    path("enterprises/<str:credit_code>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("officers/", views.officer_list, name="officer_list"),
    path("officers/export.<str:fmt>", views.officer_export, name="officer_export"),
    path("officers/<int:officer_id>/", views.officer_detail, name="officer_detail"),
    path("experts/", views.expert_list, name="expert_list"),
    path("certificate-audit/", views.certificate_audit, name="certificate_audit"),
    path("import/", views.import_page, name="import"),
    path("import/template-<str:kind>.xlsx", views.import_template, name="import_template"),
    path("import/<int:job_id>/", views.import_status, name="import_status"),
    path("import/<int:job_id>/preview/", views.import_preview, name="import_preview"),
    path("import/<int:job_id>/rerun/", views.import_rerun, name="import_rerun"),
    path("import/mappings/<slug:source>/", views.mapping_edit, name="mapping_edit"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("import/<int:job_id>/errors.csv", views.import_errors_csv, name="import_errors_csv"),
]
