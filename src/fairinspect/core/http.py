"""Small helpers the function views share."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import render

from .errors import DomainError


class DomainErrorMiddleware:
    """Renders a DomainError that escapes an HTML view as a page with the right 4xx status.
    The API has its own handler (config/api.py) giving JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception):
        if isinstance(exc, DomainError) and not request.path.startswith("/api/"):
            if exc.status == 401 or (exc.status == 403 and not request.user.is_authenticated):
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            return render(request, "core/error.html", {"error": exc}, status=exc.status)
        return None


def apply_errors(form, exc: DomainError) -> None:
    """Put a service's field errors onto a Django form for display beside the fields."""
    errors = exc.extra.get("errors") or [{"field": exc.field, "message": exc.message}]
    for e in errors:
        field = e.get("field")
        form.add_error(field if field in form.fields else None, e["message"])
