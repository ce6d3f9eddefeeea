from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from fairinspect.core.http import paginate

from . import access
from .audit import verify_chain
from .models import AuditEvent


@login_required
def home(request):
    """The supervisor's start page: what waits, and the way to every supervision tool."""
    access.require_supervision_staff(request.user)
    from .dashboard import home_counts

    return render(request, "supervision/home.html", {"counts": home_counts(timezone.localdate())})


@login_required
def audit_trail(request):
    access.require_supervisor(request.user)
    qs = AuditEvent.objects.order_by("-id")
    obj = request.GET.get("object", "").strip()
    if obj:
        kind, _, pk = obj.partition(":")
        qs = qs.filter(object_type=kind, object_id=pk) if pk else qs.filter(object_type=kind)
    page, params = paginate(request, qs)
    check = verify_chain() if request.GET.get("verify") else None
    return render(
        request,
        "supervision/audit_trail.html",
        {"page": page, "params": params, "check": check, "object": obj},
    )
