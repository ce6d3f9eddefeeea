from django.urls import path

from . import views, views_records

app_name = "visits"
urlpatterns = [
    path("", views.my_visits, name="mine"),
    path("new/", views.new_visit, name="new"),
    path("day/", views.officer_day, name="day"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("q/<str:token>/", views.qr_landing, name="qr"),
    path("card/", views.my_card, name="my_card"),
    path("ratings/", views.ratings, name="ratings"),
    path("guidance/received/", views.guidance_received, name="guidance_received"),
    path(
        "guidance/received/<int:visit_id>.docx",
        views.guidance_sheet_mine,
        name="guidance_sheet_mine",
    ),
    path("guidance/activity/", views.guidance_activity, name="guidance_activity"),
    path("applications/", views_records.applications, name="applications"),
    path(
        "applications/<int:application_id>/decide/",
        views_records.decide_application,
        name="decide_application",
    ),
    path("referrals/", views_records.referrals, name="referrals"),
    path(
        "referrals/<int:referral_id>/status/", views_records.referral_status, name="referral_status"
    ),
    path("referrals/<int:referral_id>/file/", views_records.referral_file, name="referral_file"),
    path("enterprise/<str:credit_code>/precheck/", views.enterprise_precheck, name="precheck"),
    path("enterprise/<str:credit_code>/poster/", views.poster, name="poster"),
    path("enterprise/<str:credit_code>/qr.svg", views.qr_svg, name="qr_svg"),
    path("enterprise/<str:credit_code>/revoke-qr/", views.revoke_qr, name="revoke_qr"),
    path("<int:visit_id>/", views.detail, name="detail"),
    path("<int:visit_id>/plan/", views.edit_plan, name="edit_plan"),
    path("<int:visit_id>/approve/", views.approve, name="approve"),
    path("<int:visit_id>/reject/", views.reject, name="reject"),
    path("<int:visit_id>/cancel/", views.cancel, name="cancel"),
    path("<int:visit_id>/check-in/", views.check_in, name="check_in"),
    path("<int:visit_id>/sync/", views.sync, name="sync"),
    path("<int:visit_id>/location/", views.set_location, name="set_location"),
    path("<int:visit_id>/media/<int:media_id>/<str:size>/", views.media_file, name="media_file"),
    path("<int:visit_id>/recording/", views.start_recording, name="start_recording"),
    path(
        "<int:visit_id>/recording/<int:recording_id>/end/",
        views.end_recording,
        name="end_recording",
    ),
    path("<int:visit_id>/upload/", views.upload, name="upload"),
    path("<int:visit_id>/finding/", views.finding, name="finding"),
    path("<int:visit_id>/hazard/", views.hazard, name="hazard"),
    path("<int:visit_id>/order/", views.order, name="order"),
    path("<int:visit_id>/guidance/", views.record_guidance, name="record_guidance"),
    path("<int:visit_id>/check-out/", views.check_out, name="check_out"),
    path("<int:visit_id>/follow-up/<int:order_id>/", views.follow_up, name="follow_up"),
    path("<int:visit_id>/follow-up-result/", views.follow_up_result, name="follow_up_result"),
    path("<int:visit_id>/rate/", views.rate, name="rate"),
    path(
        "<int:visit_id>/justification/",
        views.justification_attachment,
        name="justification_attachment",
    ),
    path(
        "<int:visit_id>/justification/upload/",
        views.attach_justification,
        name="attach_justification",
    ),
    path("<int:visit_id>/doc/<str:kind>.docx", views.document, name="document"),
    path("order/<int:order_id>.docx", views.order_document, name="order_document"),
]
