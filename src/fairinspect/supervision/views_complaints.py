"""Pages for complaints (R8.1): the public form and lookup (phone-first, no login), the
staff register, entry of 12345 work orders, their batch import, and conduct cases."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fairinspect.core import paging
from fairinspect.core.errors import DomainError, Forbidden, NotFound
from fairinspect.core.roles import has_role
from fairinspect.registry.models import Department, Officer
from fairinspect.rules import complaints as rule

from . import access, queries
from .models import Complaint, ConductCase
from .services import complaints as services
from .services import imports

PUBLIC_SUBJECTS = [c for c in Complaint.Subject.choices]
STAFF_CHANNELS = [c for c in Complaint.Channel.choices if c[0] != "public_form"]


def _errors(exc: DomainError) -> dict:
    rows = exc.extra.get("errors")
    if rows:
        return {(e.get("field") or "__all__") + str(i): e["message"] for i, e in enumerate(rows)}
    return {exc.field or "__all__": exc.message}


def _form_context(data=None, errors=None, **extra):
    return {
        "data": data or {},
        "errors": errors or {},
        "subjects": PUBLIC_SUBJECTS,
        "categories": Complaint.Category.choices,
        **extra,
    }


@never_cache
def complaint_new(request):
    """投诉举报 (public): anonymous allowed; returns the tracking number and access code."""
    if request.method == "POST":
        d = request.POST
        try:
            c, code = services.receive(
                channel="enterprise"
                if getattr(request.user, "enterprise_id", None)
                else "public_form",
                subject=d.get("subject", ""),
                category=d.get("category", ""),
                content=d.get("content", ""),
                location=d.get("location", ""),
                subject_text=d.get("subject_text", ""),
                anonymous=d.get("anonymous") == "1",
                name=d.get("complainant_name", ""),
                phone=d.get("complainant_phone", ""),
                attachments=request.FILES.getlist("attachments"),
                actor=request.user,
                enterprise=None,
            )
        except DomainError as exc:
            return render(
                request,
                "supervision/complaint_new.html",
                _form_context(d, _errors(exc)),
                status=exc.status,
            )
        return render(
            request,
            "supervision/complaint_received.html",
            {"complaint": c, "code": code, "due": services.deadline_table()},
        )
    return render(
        request,
        "supervision/complaint_new.html",
        _form_context({"subject": request.GET.get("subject", "enterprise")}),
    )


@never_cache
def complaint_lookup(request):
    """Anyone with the tracking number and the access code reads the progress and reply."""
    complaint = None
    errors = {}
    if request.method == "POST":
        try:
            complaint = services.lookup(
                request.POST.get("number", ""), request.POST.get("code", "")
            )
        except DomainError as exc:
            errors = _errors(exc)
    return render(
        request,
        "supervision/complaint_lookup.html",
        {
            "complaint": complaint,
            "errors": errors,
            "data": request.POST,
            "followed": queries.public_view(complaint) if complaint else None,
            "satisfactions": [
                (s.value, rule.SATISFACTION_LABELS[s])
                for s in rule.Satisfaction
                if s is not rule.Satisfaction.NOT_REACHED
            ],
        },
        status=404 if errors else 200,
    )


@require_POST
def complaint_rate(request):
    try:
        c = services.rate_by_complainant(
            number=request.POST.get("number", ""),
            code=request.POST.get("code", ""),
            satisfaction=request.POST.get("satisfaction", ""),
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        return render(
            request,
            "supervision/complaint_lookup.html",
            {"errors": _errors(exc), "data": request.POST},
            status=exc.status,
        )
    return render(
        request,
        "supervision/complaint_lookup.html",
        {"complaint": c, "followed": queries.public_view(c), "data": request.POST, "rated": True},
    )


@login_required
def complaint_list(request):
    if not (access.is_supervision(request.user) or has_role(request.user, *access.HANDLING_ROLES)):
        raise Forbidden("只有监督人员和承办单位工作人员可以查看投诉举报。")
    qs = access.complaints_visible_to(request.user)
    f = queries.ComplaintFilter.from_query(request.GET)
    qs = queries.filter_complaints(qs, f, today=timezone.localdate())
    page = paging.paginate(request, qs, scope="supervision.complaints")
    return render(
        request,
        "supervision/complaint_list.html",
        {
            "page": page,
            "f": f,
            "states": rule.STATE_LABELS.items(),
            "channels": Complaint.Channel.choices,
            "subjects": Complaint.Subject.choices,
            "today": timezone.localdate(),
            "can_enter": access.is_supervision(request.user),
        },
    )


@login_required
def complaint_detail(request, pk: int):
    c = access.get_complaint(request.user, pk)
    who = access.complaint_actor(request.user, c)
    return render(
        request,
        "supervision/complaint_detail.html",
        {
            "c": c,
            "identity": access.can_see_identity(request.user, c),
            "dues": queries.dues_of(c),
            "today": timezone.localdate(),
            "actions": queries.allowed_actions(c, who),
            "steps": c.steps.select_related("actor"),
            "units": Department.objects.filter(kind="bureau").order_by("code")
            | Department.objects.filter(level="city").order_by("code"),
            "satisfactions": rule.SATISFACTION_LABELS.items(),
            "duplicates": queries.possible_duplicates(c) if who == "supervision" else [],
            "attachments": c.attachments.all(),
        },
    )


@login_required
@require_POST
def complaint_action(request, pk: int):
    c = access.get_complaint(request.user, pk)
    try:
        services.transition(
            actor=request.user,
            complaint=c,
            action=request.POST.get("action", ""),
            data=request.POST.dict(),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已办理。"))
    return redirect("supervision:complaint_detail", pk=c.pk)


@login_required
def complaint_attachment(request, pk: int, att: int):
    c = access.get_complaint(request.user, pk)
    a = c.attachments.filter(pk=att).first()
    if a is None:
        raise NotFound()
    resp = FileResponse(
        a.file.open("rb"),
        as_attachment=True,
        filename=f"附件-{c.number}-{a.pk}{services.ALLOWED_ATTACHMENTS[a.content_type]}",
        content_type=a.content_type,
    )
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Security-Policy"] = "default-src 'none'; sandbox"
    resp["Cache-Control"] = "private, no-store"
    return resp


@login_required
def complaint_entry(request):
    """Staff entry of a 12345 work order, a referral or a letter/visit."""
    access.require_supervision_staff(request.user)
    ctx = _form_context(
        channels=STAFF_CHANNELS,
        officers=Officer.objects.select_related("department").order_by("name"),
    )
    if request.method == "POST":
        d = request.POST
        officer = Officer.objects.filter(pk=d.get("officer_id") or 0).first()
        try:
            c, _code = services.receive(
                channel=d.get("channel", ""),
                subject=d.get("subject", ""),
                category=d.get("category", ""),
                content=d.get("content", ""),
                location=d.get("location", ""),
                subject_text=d.get("subject_text", ""),
                officer=officer,
                anonymous=d.get("anonymous") == "1",
                name=d.get("complainant_name", ""),
                phone=d.get("complainant_phone", ""),
                work_order_number=d.get("work_order_number", ""),
                referral_from=d.get("referral_from", ""),
                referral_document=d.get("referral_document", ""),
                attachments=request.FILES.getlist("attachments"),
                actor=request.user,
            )
        except DomainError as exc:
            ctx.update(data=d, errors=_errors(exc))
            return render(request, "supervision/complaint_entry.html", ctx, status=exc.status)
        messages.success(request, _("已登记 %(number)s。") % {"number": c.number})
        return redirect("supervision:complaint_detail", pk=c.pk)
    return render(request, "supervision/complaint_entry.html", ctx)


@login_required
def complaint_import(request):
    access.require_supervision_staff(request.user)
    ctx: dict[str, Any] = {"columns": imports.WORK_ORDER_COLUMNS.values()}
    if request.method == "POST":
        f = request.FILES.get("file")
        try:
            if f is None:
                raise DomainError("file_missing", "请选择文件。", field="file")
            n = imports.import_work_orders(actor=request.user, name=f.name, data=f.read())
        except DomainError as exc:
            ctx.update(error=exc.message, rows=exc.extra.get("errors", []))
            return render(request, "supervision/complaint_import.html", ctx, status=422)
        messages.success(request, _("已导入%(n)s件12345工单。") % {"n": n})
        return redirect("supervision:complaint_list")
    return render(request, "supervision/complaint_import.html", ctx)


@login_required
def conduct_list(request):
    access.require_supervision_staff(request.user)
    qs = ConductCase.objects.exclude(officer__user_id=request.user.pk).select_related(
        "officer", "department", "complaint"
    )
    page = paging.paginate(request, qs, scope="supervision.conduct")
    return render(request, "supervision/conduct_list.html", {"page": page})


@login_required
def conduct_detail(request, pk: int):
    c = access.get_conduct_case(request.user, pk)
    if request.method == "POST":
        d = request.POST
        try:
            if d.get("action") == "transfer":
                services.transfer_conduct_case(
                    actor=request.user,
                    case=c,
                    to=d.get("transferred_to", ""),
                    document=d.get("transfer_document", ""),
                    findings=d.get("findings", ""),
                    on=timezone.localdate(),
                )
            else:
                services.close_conduct_case(
                    actor=request.user,
                    case=c,
                    note=d.get("closing_note", ""),
                    findings=d.get("findings", ""),
                    on=timezone.localdate(),
                )
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("supervision:conduct_detail", pk=c.pk)
    return render(request, "supervision/conduct_detail.html", {"c": c})


def template_csv(request):
    """The column layout of the 12345 import, as an empty CSV."""
    resp = HttpResponse(
        "\ufeff" + ",".join(imports.WORK_ORDER_COLUMNS.values()) + "\n",
        content_type="text/csv; charset=utf-8",
    )
    resp["Content-Disposition"] = 'attachment; filename="12345-work-orders.csv"'
    return resp
