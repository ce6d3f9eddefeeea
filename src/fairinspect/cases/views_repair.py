"""Pages of credit repair (信用修复, R10.3): the enterprise's page at /credit/repair/ (its
penalties on the public list, the conditions as of today, the application with documents, its
applications and their decisions) and the staff desk (pending and decided applications, the
decision with reasons)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fairinspect.core.errors import DomainError, NotFound
from fairinspect.core.roles import Role, has_role
from fairinspect.rules import credit_repair as rule

from . import access, services
from .models import CreditRepairApplication
from .services.repair import LEVELS
from .views import _today


def _is_party(user) -> bool:
    return has_role(user, Role.ENTERPRISE) and bool(getattr(user, "enterprise_id", None))


@login_required
def repair_home(request):
    """The enterprise applies here; staff go to the desk."""
    if not _is_party(request.user):
        return redirect("credit:desk")
    ent = request.user.enterprise
    today = _today()
    regime = rule.regime_on(today)
    rows = []
    for case in services.repairable_cases(ent):
        pending = case.repair_applications.filter(status="pending").first()
        rows.append(
            {
                "case": case,
                "decision": services.check_repair(case, on=today),
                "pending": pending,
            }
        )
    return render(
        request,
        "cases/repair_home.html",
        {
            "enterprise": ent,
            "rows": rows,
            "regime": regime,
            "listing_route": rule.listing_route(),
            "applications": access.repairs_visible_to(request.user),
            "listings": access.party_listings(request.user).filter(status="listed"),
            "data": request.POST,
        },
    )


@login_required
@require_POST
def repair_apply(request, case_id: int):
    case = access.get_party_case(request.user, case_id)
    regime = rule.regime_on(_today())
    docs = []
    for d in regime.documents:
        for f in request.FILES.getlist(f"doc_{d.code}"):
            docs.append((d.code, f))
    try:
        app = services.apply_credit_repair(
            actor=request.user,
            case=case,
            statement=request.POST.get("statement", ""),
            commitment=request.POST.get("commitment", ""),
            documents=docs,
            on=_today(),
        )
    except DomainError as exc:
        for r in exc.extra.get("reasons", [{"message": exc.message}]):
            messages.error(request, r["message"])
        return redirect("credit:repair")
    messages.success(request, _("信用修复申请已提交，处罚机关将审核并书面答复。"))
    return redirect("credit:detail", app.pk)


@login_required
def repair_desk(request):
    qs = access.repairs_visible_to(request.user)
    status = request.GET.get("status", "pending")
    if status in CreditRepairApplication.Status.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "cases/repair_desk.html",
        {"applications": qs[:200], "status": status, "statuses": CreditRepairApplication.Status},
    )


@login_required
def repair_detail(request, application_id: int):
    app = get_object_or_404(access.repairs_visible_to(request.user), pk=application_id)
    today = _today()
    kinds = set(app.documents.values_list("kind", flat=True))
    now = services.check_repair(app.case, on=today, commitment=app.commitment, documents=kinds)
    staff = not _is_party(request.user) or has_role(request.user, *access.CASE_ROLES)
    labels = {d.code: d.label for r in rule.default_regimes() for d in r.documents}
    documents = [(d, labels.get(d.kind, d.kind)) for d in app.documents.all()]
    return render(
        request,
        "cases/repair_detail.html",
        {
            "app": app,
            "stored": app.conditions,
            "documents": documents,
            "now": now,
            "staff": staff,
            "duty": access.repair_decision(request.user, app) if staff else None,
            "levels": LEVELS,
        },
    )


@login_required
@require_POST
def repair_decide(request, application_id: int):
    app = get_object_or_404(access.repairs_visible_to(request.user), pk=application_id)
    try:
        services.decide_credit_repair(
            actor=request.user,
            application=app,
            grant=request.POST.get("grant") == "1",
            reason=request.POST.get("reason", ""),
            credit_level=request.POST.get("credit_level", ""),
            on=_today(),
        )
    except DomainError as exc:
        for r in exc.extra.get("reasons", [{"message": exc.message}]):
            messages.error(request, r["message"])
    else:
        messages.success(request, _("已作出审核决定。"))
    return redirect("credit:detail", app.pk)


@login_required
def repair_document(request, application_id: int, document_id: int):
    app = get_object_or_404(access.repairs_visible_to(request.user), pk=application_id)
    doc = app.documents.filter(pk=document_id).first()
    if doc is None:
        raise NotFound()
    resp = FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.original_name)
    resp["X-Content-Type-Options"] = "nosniff"
    return resp
