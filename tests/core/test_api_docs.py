"""Issue 14: /api/v1/docs is served from vendored, versioned Swagger UI under the CSP."""

from django.contrib.staticfiles import finders

from fairinspect.core.middleware import CSP


def test_r13_1_the_api_docs_page_loads_only_vendored_files_and_keeps_the_csp(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CSP
    html = response.content.decode()
    assert "/static/vendor/swagger-ui-bundle-5.35.0.js" in html
    assert "/static/vendor/swagger-ui-5.35.0.css" in html
    assert "/static/core/api-docs.js" in html
    assert "cdn" not in html.lower() and "http" not in html.replace("http-equiv", "")
    # The only <script> without src is the JSON settings block, which a browser never runs.
    assert html.count("<script") == 3
    assert 'type="application/json"' in html


def test_r13_1_the_vendored_swagger_files_exist_under_static():
    for name in (
        "vendor/swagger-ui-bundle-5.35.0.js",
        "vendor/swagger-ui-5.35.0.css",
        "core/api-docs.js",
    ):
        assert finders.find(name), name
