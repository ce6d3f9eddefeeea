"""Issue 14: the interactive API docs work offline, under the site's Content-Security-Policy."""

from urllib.parse import urlsplit

import pytest

from fairinspect.core.middleware import CSP

pytestmark = pytest.mark.django_db(transaction=True)


def test_r13_1_the_api_docs_show_the_operations_from_vendored_files_under_the_csp(
    desk, live_server, shot
):
    desk.add_init_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    origins = set()
    desk.on("request", lambda r: origins.add(urlsplit(r.url).netloc))
    response = desk.goto(f"{live_server.url}/api/v1/docs")
    assert response.headers["content-security-policy"] == CSP

    token = desk.locator(".opblock-summary-path", has_text="/api/v1/auth/token").first
    token.wait_for()
    # The tags and the operations of the sections drawn so far are shown (Swagger UI
    # draws a large document's sections as they open, so count sections and operations).
    assert desk.locator(".opblock-tag").count() > 1
    assert desk.locator(".opblock").count() > 10
    assert desk.evaluate("window.__csp") == []
    assert origins == {urlsplit(live_server.url).netloc}, "nothing loaded from another origin"
    shot(desk, "api-docs-desk", full_page=False)
