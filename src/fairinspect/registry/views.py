import datetime as dt

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fairinspect.core import paging
from fairinspect.core.errors import DomainError
from fairinspect.core.http import apply_errors
from fairinspect.core.worklist import landing_url

from . import access, queries, services, tabular
from .auth import client_ip, login_with_password
from .demo_accounts import demo_accounts
from .forms import EnterpriseForm, ImportForm, LoginForm
from .inputs import ENTERPRISE_LABELS, OFFICER_LABELS
from .models import ImportJob, ImportMapping, Industry


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = login_with_password(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip=client_ip(request),
                request=request,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user)
            nxt = request.GET.get("next", "")
            if not nxt or not url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
                nxt = landing_url(user)  # each role starts on its own work
            return redirect(nxt)
    return render(request, "registry/login.html", {"form": form, "demo_accounts": demo_accounts()})


def _filter_from(request) -> queries.EnterpriseFilter:
    g = request.GET
    hr = g.get("high_risk", "")
    return queries.EnterpriseFilter(
        q=g.get("q", "")[:100],
        district=g.get("district", ""),
        industry=g.get("industry", "")[:5],
        high_risk={"1": True, "0": False}.get(hr),
        grade=g.get("grade", ""),
        risk_level=g.get("risk_level", ""),
        supervising_level=g.get("level", ""),
        sort=g.get("sort", "name"),
    )


@login_required
def enterprise_list(request):
    access.require_staff(request.user)
    f = _filter_from(request)
    results = queries.search_results(access.enterprises_visible_to(request.user), f)
    req = paging.from_request(request, 50)
    page = results.select_related("industry").page(50, req.cursor, offset=req.offset)
    page.total, page.params = results.total(), req.params
    ctx = {
        "page": page,
        "params": req.params,
        "f": f,
        "districts": sorted(queries.district_names().items()),
        "divisions": Industry.objects.filter(level=2).order_by("code"),
    }
    if request.headers.get("HX-Request"):
        return render(request, "registry/enterprise_list.html#results", ctx)
    return render(request, "registry/enterprise_list.html", ctx)


@login_required
def enterprise_export(request, fmt: str):
    access.require_staff(request.user)
    qs = queries.filter_enterprises(
        access.enterprises_visible_to(request.user), _filter_from(request)
    )
    rows = (services.export_enterprise_row(e) for e in qs.iterator(chunk_size=2000))
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "csv":
        resp: HttpResponseBase = StreamingHttpResponse(
            tabular.write_csv(ENTERPRISE_LABELS, rows), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        resp = HttpResponse(
            tabular.write_xlsx(ENTERPRISE_LABELS, rows, "企业"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        return HttpResponse(status=404)
    resp["Content-Disposition"] = f'attachment; filename="enterprises-{stamp}.{fmt}"'
    return resp


@login_required
def enterprise_detail(request, credit_code: str):
    ent = access.get_enterprise(request.user, credit_code)
    return render(
        request,
        "registry/enterprise_detail.html",
        {
            "e": ent,
            "district_name": queries.district_names().get(ent.district_code, ent.district_code),
            "can_edit": access.can_edit_enterprise(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_create(request):
    access.require_admin(request.user)
    form = EnterpriseForm(request.POST or None)
    if request.method == "POST":
        try:
            ent = services.create_enterprise(actor=request.user, data=form.raw())
        except DomainError as exc:
            form.is_valid()
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记企业：%(name)s") % {"name": ent.name})
            return redirect("registry:enterprise_detail", ent.credit_code)
    return render(request, "registry/enterprise_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_edit(request, credit_code: str):
    access.require_admin(request.user)
    ent = access.get_enterprise(request.user, credit_code)
    initial = services.export_enterprise_row(ent, labels=False)
    form = EnterpriseForm(request.POST or None, initial=initial)
    if request.method == "POST":
        try:
            ent = services.update_enterprise(actor=request.user, enterprise=ent, data=form.raw())
        except DomainError as exc:
            form.is_valid()
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("registry:enterprise_detail", ent.credit_code)
    return render(request, "registry/enterprise_form.html", {"form": form, "e": ent})


@login_required
def officer_list(request):
    q, status = request.GET.get("q", "").strip()[:50], request.GET.get("status", "")
    qs = queries.filter_officers(access.officers_visible_to(request.user), q=q, status=status)
    page = paging.paginate(
        request, qs.order_by("department__code", "name"), scope="registry.officers"
    )
    return render(
        request,
        "registry/officer_list.html",
        {"page": page, "q": q, "status": status, "today": timezone.localdate()},
    )


@login_required
def officer_export(request, fmt: str):
    access.require_admin(request.user)
    rows = [services.export_officer_row(o) for o in access.officers_visible_to(request.user)]
    if fmt == "csv":
        resp = HttpResponse(
            "".join(tabular.write_csv(OFFICER_LABELS, rows)), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        resp = HttpResponse(
            tabular.write_xlsx(OFFICER_LABELS, rows, "执法人员"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        return HttpResponse(status=404)
    resp["Content-Disposition"] = f'attachment; filename="officers.{fmt}"'
    return resp


@login_required
def officer_detail(request, officer_id: int):
    officer = access.get_officer(request.user, officer_id)
    return render(
        request, "registry/officer_detail.html", {"o": officer, "today": timezone.localdate()}
    )


def expert_list(request):
    """The expert pool moved to the experts app (/experts/): old links and bookmarks land there."""
    return redirect("experts:pool", permanent=True)


@login_required
def certificate_audit(request):
    access.require_admin_or_supervisor(request.user)
    on = timezone.localdate()
    if request.GET.get("on"):
        try:
            on = dt.date.fromisoformat(request.GET["on"])
        except ValueError:
            messages.error(request, _("日期格式应为 YYYY-MM-DD。"))
    return render(
        request,
        "registry/certificate_audit.html",
        {"rows": queries.certificate_audit(on), "on": on},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    access.require_admin(request.user)
    services.reap_stale_imports()
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        source = form.cleaned_data.get("mapping") or ""
        mapping = ImportMapping.objects.filter(source=source).first() if source else None
        try:
            job = services.start_import(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                file_name=upload.name,
                data=upload.read(),
                mapping=mapping,
                enqueue=mapping is None,
            )
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            if mapping is not None:
                return redirect("registry:import_preview", job.pk)
            return redirect("registry:import_status", job.pk)
    jobs = ImportJob.objects.defer("data").select_related("created_by")[:10]
    mappings = ImportMapping.objects.all()
    return render(
        request, "registry/import.html", {"form": form, "jobs": jobs, "mappings": mappings}
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request, job_id: int):
    """The first rows of a mapped upload as the import will read them; 开始导入 queues it."""
    from . import mappings

    access.require_admin(request.user)
    job = get_object_or_404(ImportJob.objects.select_related("mapping"), pk=job_id)
    if request.method == "POST":
        services.queue_import(actor=request.user, job=job)
        return redirect("registry:import_status", job.pk)
    if job.status != ImportJob.Status.PENDING:
        return redirect("registry:import_status", job.pk)
    view = mappings.preview(file_name=job.file_name, data=bytes(job.data), mapping=job.mapping)
    return render(request, "registry/import_preview.html", {"job": job, "p": view})


@login_required
@require_http_methods(["POST"])
def import_rerun(request, job_id: int):
    access.require_admin(request.user)
    job = get_object_or_404(ImportJob.objects.defer("data"), pk=job_id)
    try:
        services.rerun_import(actor=request.user, job=job)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("registry:import_status", job.pk)


@login_required
@require_http_methods(["GET", "POST"])
def mapping_edit(request, source: str):
    """One source's column mapping: for each field the headers that carry it."""
    from . import mappings

    access.require_admin(request.user)
    mapping = ImportMapping.objects.filter(source=source).first()
    columns = dict(mapping.columns) if mapping else {}
    defaults = dict(mapping.defaults) if mapping else {}
    if request.method == "POST":
        import re

        columns = {}
        for field in mappings.MAPPABLE:
            for header in re.split(r"[、,，;；\n]+", request.POST.get(f"col_{field}", "")):
                if header.strip():
                    columns[header.strip()] = field
        defaults = {k: request.POST.get(f"default_{k}", "") for k in mappings.DEFAULTABLE}
        try:
            mappings.save_mapping(
                actor=request.user,
                source=source,
                name=request.POST.get("name", ""),
                columns=columns,
                defaults=defaults,
                flags_missing=request.POST.get("flags_missing") == "on",
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存列对应。"))
            return redirect("registry:import")
    by_field: dict[str, list[str]] = {}
    for header, field in columns.items():
        by_field.setdefault(field, []).append(header)
    rows = [(f, label, "、".join(by_field.get(f, []))) for f, label in mappings.MAPPABLE.items()]
    return render(
        request,
        "registry/mapping_form.html",
        {
            "mapping": mapping,
            "source": source,
            "rows": rows,
            "defaults": [(k, defaults.get(k, "")) for k in mappings.DEFAULTABLE],
        },
    )


@login_required
def import_template(request, kind: str):
    """An empty workbook with the import's header row, to fill in."""
    access.require_admin(request.user)
    labels = {"enterprises": ENTERPRISE_LABELS, "officers": OFFICER_LABELS}.get(kind)
    if labels is None:
        return HttpResponse(status=404)
    resp = HttpResponse(
        tabular.write_xlsx(labels, [], "模板"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    resp["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return resp


@login_required
def import_status(request, job_id: int):
    access.require_admin(request.user)
    services.reap_stale_imports()
    job = get_object_or_404(ImportJob.objects.defer("data"), pk=job_id)
    ctx = {"job": job, "running": job.status in ("pending", "validating", "writing")}
    if request.headers.get("HX-Request"):
        return render(request, "registry/import_status.html#status", ctx)
    return render(request, "registry/import_status.html", ctx)


@login_required
def import_errors_csv(request, job_id: int):
    access.require_admin(request.user)
    job = get_object_or_404(ImportJob.objects.defer("data"), pk=job_id)
    labels = {"row": "行号", "column": "列", "value": "原值", "code": "规则", "message": "错误说明"}
    resp = HttpResponse(
        "".join(tabular.write_csv(labels, job.errors)), content_type="text/csv; charset=utf-8"
    )
    resp["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return resp


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    """API tokens: one's own (an administrator sees everyone's); issue one, revoke one."""
    from .auth import issue_token, token_state, tokens_visible_to
    from .forms import TokenForm

    form = TokenForm(request.POST or None)
    new_token = ""
    if request.method == "POST" and form.is_valid():
        new_token = issue_token(
            request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
        )
        form = TokenForm()
    now = timezone.now()
    tokens = [(t, token_state(t, now)) for t in tokens_visible_to(request.user)[:200]]
    return render(
        request,
        "registry/token_list.html",
        {"form": form, "tokens": tokens, "new_token": new_token},
    )


@login_required
@require_http_methods(["POST"])
def token_revoke(request, token_id: int):
    from .auth import revoke_token

    revoke_token(actor=request.user, token_id=token_id)
    messages.success(request, _("已吊销该令牌。"))
    return redirect("registry:token_list")
