"""The interactive API docs at /api/v1/docs from vendored Swagger UI (no CDN).

django-ninja's own Swagger page loads Swagger UI from a CDN unless `ninja` is an installed
app, and even then it ships an unversioned copy. This page serves swagger-ui-dist from
core/static/vendor/ (the version in the file name) with a script file of our own, so it works
on a closed network and under the site's Content-Security-Policy (no inline script).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

SWAGGER_UI_VERSION = "5.35.0"


class VendoredSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {
            "url": self.get_openapi_url(api, kwargs),
            "layout": "BaseLayout",
            "deepLinking": True,
        }
        return render(
            request,
            "core/api_docs.html",
            {"api": api, "swagger_settings": settings, "version": SWAGGER_UI_VERSION},
        )
