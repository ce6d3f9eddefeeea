"""The phone's outbox sends here (issue 12): one action with its nonce, answered in JSON.
Logged in by the session and CSRF-checked like any form of the page; the service decides
everything again (visits/services/field.py)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fairinspect.core.errors import DomainError

from .. import access, services


@require_POST
def sync(request, visit_id: int):
    if not request.user.is_authenticated:
        # Not a redirect: the outbox keeps the action and asks the officer to log in again.
        return JsonResponse(
            {
                "status": "unauthenticated",
                "code": "unauthenticated",
                "message": "登录已过期，请重新登录后再同步。",
            },
            status=401,
        )
    p = request.POST
    try:
        v = access.get_visit(request.user, visit_id)
        out = services.perform_field_action(
            actor=request.user,
            visit=v,
            kind=p.get("kind", ""),
            nonce=p.get("client_nonce", ""),
            data=p,
            upload=request.FILES.get("file"),
        )
    except DomainError as exc:
        reasons = exc.extra.get("reasons") or []
        return JsonResponse(
            {
                "status": "refused",
                "code": exc.code,
                "message": exc.message,
                "field": exc.field,
                "reasons": reasons,
            },
            status=exc.status,
        )
    if not out.duplicate:
        messages.success(request, out.message)
        for w in out.warnings:
            messages.warning(request, w["message"])
    return JsonResponse(
        {
            "status": "duplicate" if out.duplicate else "done",
            "message": out.message,
            "nonce": out.action.nonce,
            "received_at": out.action.received_at.isoformat(),
            "object": f"{out.action.object_type}:{out.action.object_id}",
        }
    )


@never_cache
def service_worker(request):
    """The service worker, served under /visits/ so its scope is the officer's pages."""
    body = render_to_string("visits/sw.js", {}, request=request)
    resp = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    resp["Service-Worker-Allowed"] = "/visits/"
    return resp
