"""Monitoring pages beside the wall: an enterprise's point configuration, off-site
inspections (R4.1/R4.2), and the assistant's drafts and log (R4.4). Thin: access, the same
typed schema as the API, one service, render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fairinspect.core import paging
from fairinspect.core.errors import DomainError, Forbidden, NotFound
from fairinspect.core.roles import Role, has_role
from fairinspect.core.schemas import form_values, validate_form
from fairinspect.registry.access import enterprises_visible_to, get_enterprise, is_staff

from . import access, assistant, services
from .forms import (
    MonitoringDraftIn,
    MonitoringOffsiteIn,
    MonitoringPointEditIn,
    MonitoringPointIn,
    point_form_values,
)
from .models import AssistantLog, EarlyWarning, MonitoringPoint, OffsiteInspection


def _errors_of(exc: DomainError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for e in exc.extra.get("errors", []):
        name, text = e.get("field") or "", e.get("message", "")
        errors.setdefault(name or "__all__", f"{name}: {text}" if name else text)
    if not errors:
        errors[getattr(exc, "field", None) or "__all__"] = exc.message
    return errors


# --- points -------------------------------------------------------------------------------


def _point_page(request, *, enterprise, point, data, errors, status=200):
    return render(
        request,
        "monitoring/point_form.html",
        {
            "enterprise": enterprise,
            "point": point,
            "data": data,
            "errors": errors,
            "kinds": MonitoringPoint.Kind.choices,
        },
        status=status,
    )


@login_required
def point_new(request, credit_code: str):
    access.require_staff_viewer(request.user)
    ent = get_enterprise(request.user, credit_code)
    if request.method != "POST":
        return _point_page(request, enterprise=ent, point=None, data={"active": True}, errors={})
    raw = point_form_values(request.POST) | {"enterprise_id": ent.pk}
    try:
        body = validate_form(MonitoringPointIn, raw)
        p = services.create_point(
            actor=request.user, enterprise=ent, **body.model_dump(exclude={"enterprise_id"})
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _point_page(
            request, enterprise=ent, point=None, data=raw, errors=_errors_of(exc), status=400
        )
    messages.success(request, _("已新增点位 %(code)s。") % {"code": p.code})
    return redirect("monitoring:enterprise", credit_code=ent.credit_code)


@login_required
def point_edit(request, point_id: int):
    access.require_staff_viewer(request.user)
    point = access.get_point(request.user, point_id)
    ent = point.enterprise
    if request.method != "POST":
        data = {k: getattr(point, k) for k in MonitoringPointEditIn.model_fields}
        return _point_page(request, enterprise=ent, point=point, data=data, errors={})
    raw = point_form_values(request.POST)
    try:
        body = validate_form(MonitoringPointEditIn, raw)
        services.update_point(actor=request.user, point=point, **body.model_dump())
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _point_page(
            request, enterprise=ent, point=point, data=raw, errors=_errors_of(exc), status=400
        )
    messages.success(request, _("点位 %(code)s 已保存。") % {"code": point.code})
    return redirect("monitoring:enterprise", credit_code=ent.credit_code)


# --- off-site inspections (R4.1, R4.2) ----------------------------------------------------


def _offsite_visits(user):
    from fairinspect.visits.models import Visit

    return Visit.objects.filter(
        kind="off_site", enterprise__in=enterprises_visible_to(user)
    ).select_related("enterprise", "offsite_method", "offsite_method__warning")


@login_required
def offsite_list(request):
    access.require_staff_viewer(request.user)
    method = request.GET.get("method") or ""
    qs = _offsite_visits(request.user)
    if method == "none":
        qs = qs.filter(offsite_method__isnull=True)
    elif method in OffsiteInspection.Method.values:
        qs = qs.filter(offsite_method__method=method)
    page = paging.paginate(request, qs.order_by("-planned_date", "-id"), scope="monitoring.offsite")
    return render(
        request,
        "monitoring/offsite_list.html",
        {
            "page": page,
            "method": method,
            "methods": OffsiteInspection.Method.choices,
        },
    )


def _offsite_visit(user, visit_id: int):
    v = _offsite_visits(user).filter(pk=visit_id).first()
    if v is None:
        raise NotFound()
    return v


@login_required
def offsite_detail(request, visit_id: int):
    access.require_staff_viewer(request.user)
    v = _offsite_visit(request.user, visit_id)
    row = getattr(v, "offsite_method", None)
    officer_ids = set(v.team.values_list("officer__user_id", flat=True))
    return render(
        request,
        "monitoring/offsite_detail.html",
        {
            "v": v,
            "row": row,
            "findings": v.findings.select_related("item").order_by("id"),
            "hazards": v.hazards.order_by("id"),
            "orders": v.orders.order_by("id"),
            "can_record": row is None and request.user.pk in officer_ids,
        },
    )


@login_required
def offsite_record(request, visit_id: int):
    access.require_staff_viewer(request.user)
    v = _offsite_visit(request.user, visit_id)
    warnings = EarlyWarning.objects.filter(enterprise=v.enterprise_id).order_by("-started_at")[:30]
    data: dict = {"method": request.GET.get("method", "")}
    errors: dict = {}
    if request.method == "POST":
        data = form_values(request.POST) | {"visit_id": v.pk}
        try:
            body = validate_form(MonitoringOffsiteIn, data)
            services.record_offsite_method(
                actor=request.user,
                visit=v,
                method=body.method,
                material=body.material,
                warning_number=body.warning_number,
            )
            messages.success(request, _("非现场检查方式已登记。"))
            return redirect("monitoring:offsite_detail", visit_id=v.pk)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            errors = _errors_of(exc)
    return render(
        request,
        "monitoring/offsite_form.html",
        {
            "v": v,
            "data": data,
            "errors": errors,
            "methods": OffsiteInspection.Method.choices,
            "warnings": warnings,
        },
        status=400 if errors else 200,
    )


# --- the assistant (R4.4) -----------------------------------------------------------------


def _may_see_log(user) -> bool:
    return has_role(user, Role.SUPERVISOR, Role.ADMIN)


@login_required
def assistant_page(request):
    """Ask for a draft; the draft is shown marked as a draft, in a box the person must edit
    before confirming it; nothing enters a record until confirmed."""
    access.require_staff_viewer(request.user)
    data: dict = {"purpose": request.GET.get("purpose", "warning_digest")}
    code = request.GET.get("enterprise") or ""
    if code:
        data["credit_code"] = code
    errors: dict = {}
    if request.method == "POST":
        data = form_values(request.POST, ints=("visit_id",))
        raw = {k: v for k, v in data.items() if k in ("purpose", "visit_id", "facts")}
        try:
            enterprise = visit = None
            if data.get("credit_code"):
                enterprise = (
                    enterprises_visible_to(request.user)
                    .filter(credit_code=str(data["credit_code"]).upper())
                    .first()
                )
                if enterprise is None:
                    raise _not_found("credit_code", "credit_code: 未找到该企业，或您无权查看。")
                raw["enterprise_id"] = enterprise.pk
            body = validate_form(MonitoringDraftIn, raw)
            if body.visit_id is not None:
                from fairinspect.visits.access import get_visit

                visit = get_visit(request.user, body.visit_id)
            d = assistant.request_draft(
                actor=request.user,
                purpose=body.purpose,
                enterprise=enterprise,
                visit=visit,
                facts=body.facts,
            )
            return redirect("monitoring:assistant_draft", log_id=d.log_id)
        except DomainError as exc:
            errors = _errors_of(exc)
    recent = AssistantLog.objects.filter(requested_by=request.user).order_by("-created_at")[:10]
    return render(
        request,
        "monitoring/assistant.html",
        {
            "data": data,
            "errors": errors,
            "purposes": AssistantLog.Purpose.choices,
            "recent": recent,
            "enabled": assistant.enabled(),
            "may_see_log": _may_see_log(request.user),
        },
        status=400 if errors else 200,
    )


def _not_found(field: str, message: str):
    from fairinspect.core.errors import ValidationFailed

    return ValidationFailed("not_found", message, field=field)


@login_required
def assistant_draft(request, log_id: int):
    access.require_staff_viewer(request.user)
    log = AssistantLog.objects.filter(pk=log_id).select_related("enterprise").first()
    if log is None or (log.requested_by_id != request.user.pk and not _may_see_log(request.user)):
        raise NotFound()
    errors: dict = {}
    text = log.confirmed_text or log.answer
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            assistant.confirm_draft(actor=request.user, log_id=log.pk, text=text)
            messages.success(request, _("已确认。确认后的文字可以写入记录。"))
            return redirect("monitoring:assistant_draft", log_id=log.pk)
        except DomainError as exc:
            errors = _errors_of(exc)
    return render(
        request,
        "monitoring/assistant_draft.html",
        {
            "log": log,
            "text": text,
            "errors": errors,
            "notice": assistant.DRAFT_NOTICE,
            "mine": log.requested_by_id == request.user.pk,
        },
        status=400 if errors else 200,
    )


@login_required
def assistant_log(request):
    """Every prompt and answer, for the supervisors (监督人员) and the administrator."""
    if not _may_see_log(request.user):
        raise Forbidden("只有监督人员可以查看辅助起草日志。")
    qs = AssistantLog.objects.select_related("requested_by", "confirmed_by", "enterprise")
    state = request.GET.get("state") or ""
    if state == "confirmed":
        qs = qs.filter(confirmed_at__isnull=False)
    elif state == "unconfirmed":
        qs = qs.filter(confirmed_at__isnull=True)
    elif state == "error":
        qs = qs.filter(~Q(error=""))
    page = paging.paginate(
        request, qs.order_by("-created_at", "-id"), scope="monitoring.assistant_log", per_page=20
    )
    return render(
        request,
        "monitoring/assistant_log.html",
        {"page": page, "state": state, "is_staff": is_staff(request.user)},
    )
