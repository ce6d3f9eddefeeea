"""The project's URLs plus two floors, measured beside the requests to show what Django's
request handling costs by itself (the same middleware stack as every page and API call):
  /bench/empty       a view that does nothing (session and user never loaded);
  /bench/empty-auth  a view that only reads the logged-in user and their roles, as every
                     authenticated page does (the session, the user and the roles: three
                     queries), the fair floor of a page behind the login."""

from django.http import HttpResponse
from django.urls import path

from fairinspect.config.urls import urlpatterns as real_urlpatterns
from fairinspect.core.roles import roles_of


def empty(request):
    return HttpResponse(b"", content_type="text/plain")


def empty_auth(request):
    roles = roles_of(request.user) if request.user.is_authenticated else frozenset()
    return HttpResponse(str(len(roles)).encode(), content_type="text/plain")


urlpatterns = [path("bench/empty", empty), path("bench/empty-auth", empty_auth), *real_urlpatterns]
