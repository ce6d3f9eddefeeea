"""Pages for the records behind exempt visits (R3.3): the enterprise applies for an
inspection and staff accept it; staff register referrals (转办交办) with their document."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fairinspect.core.errors import DomainError, Forbidden
from fairinspect.core.roles import Role, has_role
from fairinspect.registry import access as registry_access
from fairinspect.registry.access import is_staff

from . import access, services
from .views import _flash


def _date_or_none(value: str, field: str, label: str) -> dt.date | None:
    from fairinspect.core.errors import ValidationFailed

    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            "invalid_date", f"{label}应为日期（YYYY-MM-DD）。", field=field
        ) from None


@login_required
def applications(request):
    """The enterprise user's applications and the form to apply; staff: the applications of
    the enterprises they may see, with 受理 / 不予受理."""
    is_enterprise = has_role(request.user, Role.ENTERPRISE) and request.user.enterprise_id
    if not (is_enterprise or is_staff(request.user)):
        raise Forbidden()
    if request.method == "POST":
        try:
            services.apply_for_inspection(
                actor=request.user,
                reason=request.POST.get("reason", ""),
                preferred_date=_date_or_none(
                    request.POST.get("preferred_date", ""), "preferred_date", "希望检查日期"
                ),
            )
        except DomainError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("检查申请已提交，执法单位受理后会安排检查。"))
            return redirect("visits:applications")
    qs = access.applications_visible_to(request.user)
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    return render(
        request,
        "visits/applications.html",
        {
            "applications": list(qs[:200]),
            "can_apply": bool(is_enterprise),
            "can_decide": has_role(request.user, Role.OFFICER, Role.APPROVER, Role.ADMIN),
            "status": status,
            "data": request.POST,
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def decide_application(request, application_id: int):
    a = access.get_application(request.user, application_id)
    try:
        services.decide_application(
            actor=request.user,
            application=a,
            accept=request.POST.get("accept") == "1",
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        _flash(request, exc)
    else:
        messages.success(
            request, _("已受理。") if request.POST.get("accept") == "1" else _("已不予受理。")
        )
    return redirect("visits:applications")


@login_required
def referrals(request):
    """Registered referrals and the form to register one with its document (staff)."""
    registry_access.require_staff(request.user)
    status = 200
    if request.method == "POST":
        p = request.POST
        try:
            ent = registry_access.get_enterprise(request.user, p.get("enterprise", ""))
            services.register_referral(
                actor=request.user,
                enterprise=ent,
                issuing_body=p.get("issuing_body", ""),
                document_number=p.get("document_number", ""),
                document_date=_date_or_none(
                    p.get("document_date", ""), "document_date", "文件日期"
                ),
                received_on=_date_or_none(p.get("received_on", ""), "received_on", "收文日期"),
                summary=p.get("summary", ""),
                upload=request.FILES.get("file"),
            )
        except DomainError as exc:
            _flash(request, exc)
            status = 422
        else:
            messages.success(request, _("转办交办文件已登记，其文号可作为检查依据。"))
            return redirect("visits:referrals")
    return render(
        request,
        "visits/referrals.html",
        {
            "referrals": list(access.referrals_visible_to(request.user)[:200]),
            "can_register": has_role(request.user, Role.OFFICER, Role.APPROVER, Role.ADMIN),
            "data": request.POST,
        },
        status=status,
    )


@login_required
@require_POST
def referral_status(request, referral_id: int):
    r = access.get_referral(request.user, referral_id)
    try:
        services.set_referral_status(
            actor=request.user, referral=r, open=request.POST.get("open") == "1"
        )
    except DomainError as exc:
        _flash(request, exc)
    return redirect("visits:referrals")


def referral_file_response(r):
    """The document as a download, never rendered on our origin (as the visits' attachments)."""
    from django.http import FileResponse

    from fairinspect.core.errors import NotFound

    from .views import ATTACHMENT_TYPES

    ext = "." + r.file.name.rsplit(".", 1)[-1].lower()
    try:
        handle = r.file.open("rb")
    except FileNotFoundError:
        raise NotFound("转办交办文件不存在。") from None
    resp = FileResponse(
        handle,
        as_attachment=True,
        filename=f"转办交办-{r.pk}{ext}",
        content_type=ATTACHMENT_TYPES.get(ext, "application/octet-stream"),
    )
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Security-Policy"] = "default-src 'none'; sandbox"
    resp["Cache-Control"] = "private, no-store"
    return resp


@login_required
def referral_file(request, referral_id: int):
    return referral_file_response(access.get_referral(request.user, referral_id))
