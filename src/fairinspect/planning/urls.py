from django.urls import path

from . import views

app_name = "planning"
urlpatterns = [
    path("", views.index, name="index"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:plan_id>/lines/", views.plan_lines, name="plan_lines"),
    path("plans/<int:plan_id>/key/", views.plan_key_add, name="plan_key_add"),
    path(
        "plans/<int:plan_id>/key/<int:key_id>/remove/",
        views.plan_key_remove,
        name="plan_key_remove",
    ),
    path("plans/<int:plan_id>/<str:action>/", views.plan_action, name="plan_action"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:task_id>/", views.task_detail, name="task_detail"),
    path("tasks/<int:task_id>/publish-pools/", views.task_publish_pools, name="task_publish_pools"),
    path("tasks/<int:task_id>/redraw/", views.task_redraw, name="task_redraw"),
    path("draws/<int:draw_id>/<str:action>/", views.draw_action, name="draw_action"),
    path("special/", views.special_list, name="special_list"),
    path("special/new/", views.special_create, name="special_create"),
    path("special/ledger.xlsx", views.special_ledger, name="special_ledger"),
    path("special/quota/", views.special_quota, name="special_quota"),
    path("special/<int:special_id>/", views.special_detail, name="special_detail"),
    path("special/<int:special_id>/<str:action>/", views.special_action, name="special_action"),
    path("joint/", views.joint_index, name="joint"),
    path("conflicts/", views.conflicts, name="conflicts"),
    path(
        "conflicts/<int:conflict_id>/withdraw/",
        views.conflict_withdraw,
        name="conflict_withdraw",
    ),
    path("joint/new/", views.joint_create, name="joint_create"),
    path("joint/merge/", views.merge_approve, name="merge_approve"),
    # The public site: no login.
    path("public/", views.public_index, name="public_index"),
    path("public/plans/<int:plan_id>/", views.public_plan, name="public_plan"),
    path("public/tasks/<int:task_id>/", views.public_task, name="public_task"),
    path(
        "public/tasks/<int:task_id>/<str:kind>.txt",
        views.public_pool_file,
        name="public_pool_file",
    ),
    path("public/draws/<int:draw_id>/", views.public_draw, name="public_draw"),
    path(
        "public/draws/<int:draw_id>/selected.txt",
        views.public_draw_selected,
        name="public_draw_selected",
    ),
    path("public/special/", views.public_specials, name="public_specials"),
    path("public/cross-department-items/", views.public_cross_items, name="public_cross_items"),
]
