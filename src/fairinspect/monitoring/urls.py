from django.urls import path

from . import views, views_config

app_name = "monitoring"
urlpatterns = [
    path("", views.wall, name="wall"),
    path("warnings/", views.warning_queue, name="warning_queue"),
    path("warnings/<str:number>/", views.warning_detail, name="warning"),
    path("warnings/<str:number>/<str:action>/", views.warning_action, name="warning_action"),
    path("ranking/", views.ranking_page, name="ranking"),
    path("enterprises/<str:credit_code>/", views.enterprise_points, name="enterprise"),
]

urlpatterns += [
    path("enterprises/<str:credit_code>/points/new/", views_config.point_new, name="point_new"),
    path("points/<int:point_id>/edit/", views_config.point_edit, name="point_edit"),
    path("offsite/", views_config.offsite_list, name="offsite_list"),
    path("offsite/<int:visit_id>/", views_config.offsite_detail, name="offsite_detail"),
    path("offsite/<int:visit_id>/record/", views_config.offsite_record, name="offsite_record"),
    path("assistant/", views_config.assistant_page, name="assistant"),
    path("assistant/log/", views_config.assistant_log, name="assistant_log"),
    path("assistant/<int:log_id>/", views_config.assistant_draft, name="assistant_draft"),
]
