from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from fairinspect.audit import queries as audit_queries
from fairinspect.audit.verify import verify
from fairinspect.core.http import paginate

from . import access


@login_required
def audit_trail(request):
    access.require_supervisor(request.user)
    obj = request.GET.get("object", "").strip()
    page, params = paginate(request, audit_queries.events(object_filter=obj))
    check = verify() if request.GET.get("verify") else None
    return render(
        request,
        "supervision/audit_trail.html",
        {"page": page, "params": params, "check": check, "object": obj},
    )
