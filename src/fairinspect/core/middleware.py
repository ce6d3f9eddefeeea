from django.conf import settings

# No inline scripts and no third-party origins: every asset is served by the app itself.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The admin uses inline scripts of its own; the API docs page does not (core/apidocs.py).
        if not request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", CSP)
        if settings.PRODUCTION:
            response.setdefault("Permissions-Policy", "camera=(self), geolocation=(self)")
        return response
