"""/credit/: credit repair (R10.3). The enterprise's page is /credit/repair/."""

from django.urls import path

from . import views_repair as v

app_name = "credit"
urlpatterns = [
    path("repair/", v.repair_home, name="repair"),
    path("repair/apply/<int:case_id>/", v.repair_apply, name="apply"),
    path("repair/desk/", v.repair_desk, name="desk"),
    path("repair/<int:application_id>/", v.repair_detail, name="detail"),
    path("repair/<int:application_id>/decide/", v.repair_decide, name="decide"),
    path(
        "repair/<int:application_id>/documents/<int:document_id>/",
        v.repair_document,
        name="document",
    ),
]
