from django.urls import path

from . import views

app_name = "experts"
urlpatterns = [
    path("", views.pool, name="pool"),
    path("select/", views.select, name="select"),
    path("<int:expert_id>/", views.detail, name="detail"),
    path("<int:expert_id>/<str:action>/", views.act, name="act"),
    path("visit/<int:visit_id>/<str:action>/", views.visit_act, name="visit_act"),
]
