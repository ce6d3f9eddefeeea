from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("", views.wall, name="wall"),
    path("warnings/", views.warning_queue, name="warning_queue"),
    path("warnings/<str:number>/", views.warning_detail, name="warning"),
    path("warnings/<str:number>/<str:action>/", views.warning_action, name="warning_action"),
    path("ranking/", views.ranking_page, name="ranking"),
    path("enterprises/<str:credit_code>/", views.enterprise_points, name="enterprise"),
]
