from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from fairinspect.audit import queries as audit_queries
from fairinspect.audit.verify import verify
from fairinspect.core import paging

from . import access


@login_required
def home(request):
    """The supervisor's start page: what waits, and the way to every supervision tool."""
    access.require_supervision_staff(request.user)
    from .dashboard import home_counts

    return render(request, "supervision/home.html", {"counts": home_counts(timezone.localdate())})


def _year(request) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year


@login_required
def dashboard(request):
    access.require_supervision_staff(request.user)
    from . import dashboard as d

    year = _year(request)
    data = d.build(year, timezone.localdate())
    return render(
        request,
        "supervision/dashboard.html",
        {"d": data, "charts": d.charts_json(data), "year": year, "buckets": d.BUCKETS},
    )


@login_required
def dashboard_xlsx(request):
    access.require_supervision_staff(request.user)
    from django.http import HttpResponse

    from . import dashboard as d

    year = _year(request)
    body = d.export_xlsx(d.build(year, timezone.localdate()), year)
    resp = HttpResponse(
        body, content_type=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )
    resp["Content-Disposition"] = f'attachment; filename="supervision-{year}.xlsx"'
    return resp


@login_required
def dashboard_records(request):
    access.require_supervision_staff(request.user)
    from fairinspect.core.errors import NotFound

    from . import dashboard as d

    year = _year(request)
    try:
        found = d.drill(request.GET.get("m", ""), request.GET.get("k", ""), year)
    except (ValueError, KeyError):
        found = None
    if found is None:
        raise NotFound("没有这一统计项。")
    title, kind, qs = found
    page = paging.paginate(request, qs, scope="supervision.dashboard")
    return render(
        request,
        "supervision/dashboard_records.html",
        {"title": title, "kind": kind, "page": page, "year": year},
    )


@login_required
def audit_trail(request):
    access.require_supervisor(request.user)
    obj = request.GET.get("object", "").strip()
    qs = audit_queries.events(object_filter=obj)
    page = paging.paginate(request, qs, audit_queries.EVENT_ORDER, scope=audit_queries.EVENT_SCOPE)
    check = verify() if request.GET.get("verify") else None
    return render(
        request,
        "supervision/audit_trail.html",
        {"page": page, "params": page.params, "check": check, "object": obj},
    )
