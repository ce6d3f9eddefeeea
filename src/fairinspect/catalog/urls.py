from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.public_list, name="public_list"),
    path("versions/<str:number>/", views.version_detail, name="version_detail"),
    path("versions/<str:number>/items/<str:code>/", views.item_detail, name="item_detail"),
    path("guidance/", views.guidance_list, name="guidance_list"),
    path("guidance/manage/", views.guidance_manage, name="guidance_manage"),
    path(
        "guidance/manage/<str:number>/<str:action>/",
        views.guidance_action,
        name="guidance_action",
    ),
    path("guidance/<str:number>/", views.guidance_list, name="guidance_version"),
    path("guidance/<str:number>/<str:code>/", views.guidance_entry, name="guidance_entry"),
    path("manage/", views.manage, name="manage"),
    path("manage/<str:number>/draft/", views.draft, name="draft"),
    path("manage/<str:number>/publish/", views.publish, name="publish"),
    path("manage/<str:number>/filing/", views.filing, name="filing"),
]
