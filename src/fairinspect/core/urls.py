from django.urls import path

from . import views

app_name = "work"

urlpatterns = [
    path("today/", views.work, {"queue": "today"}, name="today"),
    path("approvals/", views.work, {"queue": "approvals"}, name="approvals"),
    path("review/", views.work, {"queue": "review"}, name="review"),
]
