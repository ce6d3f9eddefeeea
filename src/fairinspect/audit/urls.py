from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    # The public site: no login.
    path("checkpoints/", views.public_checkpoints, name="public_checkpoints"),
    path("checkpoints.json", views.public_checkpoints_json, name="public_checkpoints_json"),
]
