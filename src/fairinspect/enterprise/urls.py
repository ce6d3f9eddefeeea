from django.urls import path

from . import views

app_name = "enterprise"
urlpatterns = [
    path("", views.home, name="home"),
    path("poster/", views.poster, name="poster"),
    path("group/", views.group, name="group"),
    path("self-checks/", views.self_checks, name="self_checks"),
    path("self-checks/new/", views.self_check_new, name="self_check_new"),
    path("self-checks/<int:check_id>/", views.self_check, name="self_check"),
    path("rectification/new/", views.report_new, name="report_new"),
    path("rectification/<int:report_id>/", views.report, name="report"),
    path("rectification/<int:report_id>/review/", views.review, name="review"),
    path("evidence/<int:evidence_id>/", views.evidence, name="evidence"),
    path("self-inspection/", views.self_inspection, name="self_inspection"),
    path("bureau/", views.bureau, name="bureau"),
    path(
        "bureau/self-inspections/<int:si_id>/decide/",
        views.decide_self_inspection,
        name="decide_self_inspection",
    ),
]
