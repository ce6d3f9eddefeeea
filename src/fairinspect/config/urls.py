from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from fairinspect.core import health
from fairinspect.core import views as core_views
from fairinspect.registry import views as registry_views

from .api import api

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("login/", registry_views.login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("work/", include("fairinspect.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("registry/", include("fairinspect.registry.urls")),
    path("items/", include("fairinspect.catalog.urls")),
    path("supervision/", include("fairinspect.supervision.urls")),
    path("audit/", include("fairinspect.audit.urls")),
    path("visits/", include("fairinspect.visits.urls")),
    path("planning/", include("fairinspect.planning.urls")),
    path("cases/", include("fairinspect.cases.urls")),
    path("credit/", include("fairinspect.cases.urls_repair")),
    path("experts/", include("fairinspect.experts.urls")),
    path("public/", include("fairinspect.portal.urls")),
    path("monitoring/", include("fairinspect.monitoring.urls")),
    path("enterprise/", include("fairinspect.enterprise.urls")),
]
