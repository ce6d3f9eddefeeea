from django.urls import path

from . import views, views_listings

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("from-hazard/<int:hazard_id>/", views.case_from_hazard, name="case_from_hazard"),
    path("overdue/", views.overdue_list, name="overdue"),
    path("discretion/", views.discretion_page, name="discretion"),
    path("violations/", views.violation_list, name="violation_list"),
    path("violations/<str:code>/", views.violation_detail, name="violation_detail"),
    path("no-penalty/", views.no_penalty_list, name="no_penalty_list"),
    path("no-penalty/manage/", views.no_penalty_manage, name="no_penalty_manage"),
    path("no-penalty/<str:version>/", views.no_penalty_list, name="no_penalty_version"),
    path("disclosures/", views.disclosure_list, name="disclosure_list"),
    path("disclosures/export.<str:fmt>", views.disclosure_export, name="disclosure_export"),
    path("dishonesty/", views_listings.dishonesty_list, name="dishonesty_list"),
    path("dishonesty/public/", views_listings.dishonesty_public, name="dishonesty_public"),
    path(
        "dishonesty/<int:listing_id>/notice.docx",
        views_listings.listing_notice,
        name="listing_notice",
    ),
    path(
        "dishonesty/<int:listing_id>/<str:action>/", views_listings.listing_act, name="listing_act"
    ),
    path(
        "dishonesty/applications/<int:application_id>/",
        views_listings.removal_decide,
        name="removal_decide",
    ),
    path("mine/", views.my_cases, name="my_cases"),
    path(
        "mine/<int:case_id>/documents/<str:kind>.docx",
        views.my_case_document,
        name="my_case_document",
    ),
    path(
        "mine/listings/<int:listing_id>/apply/",
        views_listings.my_listing_apply,
        name="my_listing_apply",
    ),
    path(
        "mine/listings/<int:listing_id>/notice.docx",
        views_listings.my_listing_notice,
        name="my_listing_notice",
    ),
    path(
        "mine/listings/<int:listing_id>/statement/",
        views_listings.my_listing_statement,
        name="my_listing_statement",
    ),
    path("accidents/new/", views.accident_create, name="accident_create"),
    path("credit/<str:credit_code>/", views.credit_record, name="credit_record"),
    path("<int:case_id>/", views.case_detail, name="case_detail"),
    path("<int:case_id>/act/<str:action>/", views.case_act, name="case_act"),
    path("<int:case_id>/documents/<str:kind>.docx", views.case_document, name="case_document"),
    path("<int:case_id>/propose-listing/", views_listings.listing_propose, name="listing_propose"),
    path("<int:case_id>/publish/", views.disclosure_publish, name="disclosure_publish"),
]
