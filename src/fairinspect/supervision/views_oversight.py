"""Pages for breaches (R8.4), case-file review (R8.3) and officers' training (R1.4, R1.2)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fairinspect.cases.models import Case
from fairinspect.core import paging
from fairinspect.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from fairinspect.core.schemas import form_int, form_values, validate_form
from fairinspect.registry.models import Officer
from fairinspect.rules.breaches import RULE_LABELS, Rule

from . import access, detection
from .api import CaseReviewIn, ReviewPlanIn, TrainingIn  # one schema for the API and the form
from .models import Breach, CertificateAuditRun, ReviewFinding, ReviewPlan, TrainingRecord
from .services import breaches as breach_services
from .services import imports
from .services import reviews as review_services
from .services import training as training_services

EVIDENCE_URLS = {
    "visit": lambda i: reverse("visits:detail", args=[i]),
    "case": lambda i: reverse("cases:case_detail", args=[i]),
    "complaint": lambda i: reverse("supervision:complaint_detail", args=[i]),
    "order": lambda i: reverse("visits:order_document", args=[i]),
    "officer": lambda i: reverse("registry:officer_detail", args=[i]),
}


def evidence_links(b: Breach) -> list[dict]:
    out = []
    for e in b.evidence:
        url = EVIDENCE_URLS.get(e["type"])
        out.append({**e, "url": url(e["id"]) if url else ""})
    return out


@login_required
def breach_list(request):
    from fairinspect.registry.access import is_staff

    if not is_staff(request.user):
        raise Forbidden("只有工作人员可以查看违规线索。")
    qs = access.breaches_visible_to(request.user).select_related("enterprise", "department")
    rule, status = request.GET.get("rule", ""), request.GET.get("status", "")
    if rule:
        qs = qs.filter(rule=rule)
    if status == "open":
        qs = qs.exclude(status="closed")
    elif status:
        qs = qs.filter(status=status)
    if request.GET.get("year", "").isdigit():
        qs = qs.filter(year=int(request.GET["year"]))
    if request.GET.get("found", ""):
        qs = qs.filter(found_on__startswith=request.GET["found"][:7])
    page = paging.paginate(request, qs.order_by("-found_on", "-id"), scope="supervision.breaches")
    from .models import DetectionRun

    return render(
        request,
        "supervision/breach_list.html",
        {
            "page": page,
            "rules": RULE_LABELS.items(),
            "rule": rule,
            "status": status,
            "statuses": Breach.Status.choices,
            "last_run": DetectionRun.objects.first(),
            "can_run": access.is_supervision(request.user),
        },
    )


@login_required
@require_POST
def breach_run(request):
    access.require_supervision_staff(request.user)
    run = detection.run(by=request.user.username)
    messages.success(
        request,
        _("检测完成：共检出%(count)s条线索（已有的不重复登记）。")
        % {"count": sum(run.counts.values())},
    )
    return redirect("supervision:breach_list")


@login_required
def breach_detail(request, pk: int):
    b = access.get_breach(request.user, pk)
    if request.method == "POST":
        d = request.POST
        try:
            action = d.get("action")
            if action == "assign":
                breach_services.assign(actor=request.user, breach=b, username=d.get("username", ""))
            elif action in ("explained", "rectified"):
                breach_services.respond(
                    actor=request.user, breach=b, kind=action, text=d.get("text", "")
                )
            elif action == "close":
                breach_services.close(
                    actor=request.user, breach=b, note=d.get("note", ""), on=timezone.localdate()
                )
            else:
                raise NotFound()
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("supervision:breach_detail", pk=b.pk)
    return render(
        request,
        "supervision/breach_detail.html",
        {
            "b": b,
            "evidence": evidence_links(b),
            "label": RULE_LABELS[Rule(b.rule)],
            "supervision": access.is_supervision(request.user),
        },
    )


# ------------------------------------------------------------------ case-file review


@login_required
def review_list(request):
    access.require_supervision_staff(request.user)
    posted = None
    if request.method == "POST":
        d = request.POST
        try:
            if d.get("action") == "create":
                # The API's schema: a year or a count that is not a whole number names it.
                raw = form_values(d, ints=("year", "per_unit"))
                clean = validate_form(
                    ReviewPlanIn, {k: raw[k] for k in ("year", "title", "per_unit") if k in raw}
                )
                plan = review_services.create_plan(
                    actor=request.user,
                    year=clean.year,
                    title=clean.title,
                    per_unit=clean.per_unit,
                    today=timezone.localdate(),
                )
                return redirect("supervision:review_detail", pk=plan.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            posted = d
        if posted is None:
            return redirect("supervision:review_list")
    year = _year(request)
    return render(
        request,
        "supervision/review_list.html",
        {
            "plans": ReviewPlan.objects.all(),
            "report": review_services.yearly_report(year),
            "year": year,
            "posted": posted,
        },
        status=422 if posted is not None else 200,
    )


def _year(request) -> int:
    """`?year=` as a whole number in range, else this year (a typed-over URL is not a 500)."""
    y = form_int(request.GET.get("year", ""))
    return y if isinstance(y, int) and 2000 <= y <= 2100 else timezone.localdate().year


@login_required
def review_detail(request, pk: int):
    access.require_supervision_staff(request.user)
    plan = ReviewPlan.objects.filter(pk=pk).first()
    if plan is None:
        raise NotFound()
    posted = None
    if request.method == "POST":
        d = request.POST
        try:
            if d.get("action") == "publish":
                review_services.publish_plan(
                    actor=request.user,
                    plan=plan,
                    seed=d.get("seed", ""),
                    today=timezone.localdate(),
                )
            elif d.get("action") == "review":
                cl = review_services.checklist()
                _clean_review_form(d, [i.code for i in cl.items])
                case = Case.objects.filter(number=d.get("case", "")).first()
                if case is None:
                    raise NotFound("没有该案卷。")
                review_services.record_review(
                    actor=request.user,
                    plan=plan,
                    case=case,
                    kind=d.get("kind", ""),
                    scores={i.code: d.get(f"score_{i.code}", "") for i in cl.items},
                    comment=d.get("comment", ""),
                    findings=[
                        {
                            "item_code": d.get("finding_item", ""),
                            "text": d.get("finding", ""),
                            "due_on": d.get("finding_due", ""),
                        }
                    ]
                    if d.get("finding")
                    else [],
                    today=timezone.localdate(),
                )
            elif d.get("action") == "rectify":
                f = ReviewFinding.objects.get(pk=int(d.get("finding_id") or 0), review__plan=plan)
                review_services.rectify_finding(
                    actor=request.user, finding=f, text=d.get("text", ""), on=timezone.localdate()
                )
            elif d.get("action") == "refer":
                f = ReviewFinding.objects.get(pk=int(d.get("finding_id") or 0), review__plan=plan)
                c = review_services.refer_finding(
                    actor=request.user, finding=f, today=timezone.localdate()
                )
                return redirect("supervision:conduct_detail", pk=c.pk)
        except (DomainError, ReviewFinding.DoesNotExist, ValueError) as exc:
            messages.error(request, getattr(exc, "message", "输入不正确。"))
            if d.get("action") == "review":
                posted = d  # the review form again with what was typed
        if posted is None:
            return redirect("supervision:review_detail", pk=plan.pk)
    cl = review_services.checklist()
    return render(
        request,
        "supervision/review_detail.html",
        {
            "plan": plan,
            "checklist": cl,
            "scores": [
                (i, posted.get(f"score_{i.code}", "") if posted is not None else i.points)
                for i in cl.items
            ],
            "verified": review_services.verify_plan(plan) if plan.status != "draft" else None,
            "reviews": plan.reviews.select_related("case", "reviewer").prefetch_related("findings"),
            "kinds": [("self", "自查"), ("peer", "互查"), ("spot", "抽查")],
            "posted": posted,
        },
        status=422 if posted is not None else 200,
    )


def _clean_review_form(d, codes: list[str]) -> None:
    """The review form through the API's schema (CaseReviewIn): a score that is not a number
    or a due date that is not a date is refused naming the form's field."""
    raw = {
        "case_number": d.get("case", "").strip() or "-",
        "kind": d.get("kind", ""),
        "scores": {c: d.get(f"score_{c}", "").strip() for c in codes if d.get(f"score_{c}", "")},
        "comment": d.get("comment", ""),
        "findings": [
            {
                "item_code": d.get("finding_item", ""),
                "text": d.get("finding", ""),
                "due_on": d.get("finding_due", "").strip() or None,
            }
        ]
        if d.get("finding") or d.get("finding_due")
        else [],
    }
    try:
        validate_form(CaseReviewIn, raw)
    except ValidationFailed as exc:
        errors = [(_review_field(e["field"]), e["message"]) for e in exc.extra["errors"]]
        # A value typed wrong is named before a value left out (a due date of "abc" with
        # no finding names the date).
        errors.sort(key=lambda e: not d.get(e[0], "").strip())
        name, message = errors[0]
        raise ValidationFailed("invalid", f"{name}: {message}", field=name) from None


def _review_field(path: str) -> str:
    """The review form's field for a path of CaseReviewIn."""
    if path.startswith("scores."):
        return "score_" + path.split(".", 1)[1]
    return {
        "findings.0.due_on": "finding_due",
        "findings.0.text": "finding",
        "findings.0.item_code": "finding_item",
        "case_number": "case",
    }.get(path, path)


# ------------------------------------------------------------------ training and certificates


@login_required
def training(request):
    access.require_supervision_staff(request.user)
    year = _year(request)
    posted = None
    if request.method == "POST":
        d = request.POST
        try:
            if d.get("action") == "import":
                f = request.FILES.get("file")
                if f is None:
                    raise DomainError("file_missing", "请选择文件。", field="file")
                n = imports.import_training(actor=request.user, name=f.name, data=f.read())
                messages.success(request, _("已导入%(n)s条培训记录。") % {"n": n})
            else:
                # The API's schema first: a date, hours or a score of the wrong type names
                # the field, and the form comes back with what was typed.
                raw = form_values(d, ints=("officer_id",))
                clean = validate_form(
                    TrainingIn, {k: v for k, v in raw.items() if k in TrainingIn.model_fields}
                )
                officer = Officer.objects.filter(pk=clean.officer_id).first()
                if officer is None:
                    raise NotFound("没有该执法人员。")
                training_services.add_training(
                    actor=request.user,
                    officer=officer,
                    course=d.get("course", ""),
                    provider=d.get("provider", ""),
                    on=_date(d.get("on")),
                    hours=d.get("hours", ""),
                    assessment=d.get("assessment", "none"),
                    score=d.get("score", ""),
                )
                messages.success(request, _("已登记。"))
        except DomainError as exc:
            messages.error(request, exc.message)
            for row in exc.extra.get("errors", [])[:50]:
                messages.error(
                    request,
                    _("第%(row)s行 %(field)s：%(message)s")
                    % {
                        "row": row.get("row") or "-",
                        "field": row.get("field") or "",
                        "message": row["message"],
                    },
                )
            if d.get("action") != "import":
                posted = d
        if posted is None:
            return redirect(f"{reverse('supervision:training')}?year={year}")
    below, hours, source = training_services.below_required(year)
    page = paging.paginate(request, below, scope="supervision.training")
    return render(
        request,
        "supervision/training.html",
        {
            "year": year,
            "page": page,
            "hours": hours,
            "source": source,
            "recent": TrainingRecord.objects.select_related("officer")[:20],
            "officers": Officer.objects.filter(status="on_duty").order_by("name"),
            "columns": imports.TRAINING_COLUMNS.values(),
            "audits": CertificateAuditRun.objects.all()[:24],
            "posted": posted,
        },
        status=422 if posted is not None else 200,
    )


def _date(v):
    import datetime as dt

    try:
        return dt.date.fromisoformat(v or "")
    except ValueError:
        raise DomainError("date_invalid", "培训日期格式应为 2025-06-18。", field="on") from None


@login_required
def certificate_audit_run(request, pk: int):
    access.require_supervision_staff(request.user)
    run = CertificateAuditRun.objects.filter(pk=pk).first()
    if run is None:
        raise NotFound()
    return render(request, "supervision/certificate_audit_run.html", {"run": run})


@login_required
@require_POST
def certificate_audit_now(request):
    access.require_supervision_staff(request.user)
    run = training_services.snapshot_certificate_audit()
    return redirect("supervision:certificate_audit_run", pk=run.pk)
