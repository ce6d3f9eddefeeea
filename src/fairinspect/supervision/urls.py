from django.urls import path

from . import views, views_complaints, views_oversight

app_name = "supervision"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_trail, name="audit_trail"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
    path("dashboard/records/", views.dashboard_records, name="dashboard_records"),
    path("breaches/", views_oversight.breach_list, name="breach_list"),
    path("breaches/run/", views_oversight.breach_run, name="breach_run"),
    path("breaches/<int:pk>/", views_oversight.breach_detail, name="breach_detail"),
    path("reviews/", views_oversight.review_list, name="review_list"),
    path("reviews/<int:pk>/", views_oversight.review_detail, name="review_detail"),
    path("training/", views_oversight.training, name="training"),
    path(
        "certificate-audits/run/",
        views_oversight.certificate_audit_now,
        name="certificate_audit_now",
    ),
    path(
        "certificate-audits/<int:pk>/",
        views_oversight.certificate_audit_run,
        name="certificate_audit_run",
    ),
    # Public (no login): the complaint form and the lookup (R8.1).
    path("complaints/new/", views_complaints.complaint_new, name="complaint_new"),
    path("complaints/lookup/", views_complaints.complaint_lookup, name="complaint_lookup"),
    path("complaints/lookup/rate/", views_complaints.complaint_rate, name="complaint_rate"),
    # Staff.
    path("complaints/", views_complaints.complaint_list, name="complaint_list"),
    path("complaints/entry/", views_complaints.complaint_entry, name="complaint_entry"),
    path("complaints/import/", views_complaints.complaint_import, name="complaint_import"),
    path(
        "complaints/import/template.csv",
        views_complaints.template_csv,
        name="complaint_import_template",
    ),
    path("complaints/<int:pk>/", views_complaints.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/action/", views_complaints.complaint_action, name="complaint_action"),
    path(
        "complaints/<int:pk>/attachments/<int:att>/",
        views_complaints.complaint_attachment,
        name="complaint_attachment",
    ),
    path("conduct/", views_complaints.conduct_list, name="conduct_list"),
    path("conduct/<int:pk>/", views_complaints.conduct_detail, name="conduct_detail"),
]
