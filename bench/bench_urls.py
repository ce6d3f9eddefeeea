"""The project's URLs plus /bench/empty: a view that does nothing, measured beside the search
to show what Django's request handling (middleware, session, CSP header) costs by itself."""

from django.http import HttpResponse
from django.urls import path

from fairinspect.config.urls import urlpatterns as real_urlpatterns


def empty(request):
    return HttpResponse(b"", content_type="text/plain")


urlpatterns = [path("bench/empty", empty), *real_urlpatterns]
