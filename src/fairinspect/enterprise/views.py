"""The enterprise's pages (its home, group, self-checks, rectification reports, self-inspection)
and the bureau's pages over them (missing quarters, self-reported hazards, unreported major
hazards, self-inspection reports). Thin: access, one service, render."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fairinspect.core.errors import DomainError
from fairinspect.core.schemas import form_values, validate_form
from fairinspect.registry.access import enterprises_visible_to

from . import access, queries, services, standards
from .inputs import (
    EnterpriseMemberIn,
    EnterpriseMemberLeaveIn,
    EnterpriseReviewIn,
    EnterpriseSelfCheckIn,
    EnterpriseSelfInspectionDecisionIn,
    EnterpriseSelfInspectionIn,
)
from .models import GroupChange, RectificationReport, SelfInspection, SelfReportedHazard


def _today() -> dt.date:
    return timezone.localdate()


def _error(request, exc: DomainError) -> None:
    reasons = exc.extra.get("reasons") or exc.extra.get("errors") or []
    extra = "；".join(r.get("message", "") for r in reasons[1:]) if reasons else ""
    messages.error(request, exc.message + (f"；{extra}" if extra else ""))


# ---- the enterprise's home -------------------------------------------------------------------


@login_required
def home(request):
    """The enterprise user's landing: QR poster, this year's inspections and cap, open hazards
    and orders, the documents served on it, its credit record and listings, its ratings,
    and its self-checks."""
    from fairinspect.cases import access as case_access
    from fairinspect.cases import documents as case_documents
    from fairinspect.visits import queries as visit_queries
    from fairinspect.visits.models import Hazard, RectificationOrder, VisitRating

    ent = access.own_enterprise(request.user)
    today = _today()
    visits = [v for v in visit_queries.visits_this_year(ent, today.year) if v.status != "draft"]
    quota = visit_queries.quota_for(ent, year=today.year, today=today)
    orders = list(
        RectificationOrder.objects.filter(enterprise=ent)
        .prefetch_related("hazards", "enterprise_reports")
        .order_by("-issued_on")[:50]
    )
    # Hazards found and not yet on an order (those on an order are listed under it above).
    open_hazards = list(
        Hazard.objects.filter(enterprise=ent, status="open", orders__isnull=True)
        .exclude(visit__status__in=["draft", "plan_submitted", "approved"])
        .select_related("visit", "item")
        .order_by("-created_at")[:50]
    )
    self_hazards = list(
        SelfReportedHazard.objects.filter(enterprise=ent, status="rectifying").prefetch_related(
            "reports"
        )
    )
    served = []
    for v in queries_served_visits(ent):
        if v.status == "done":
            served.append((v, "record", "现场检查记录", v.record_number))
        if v.guidance_given.exists():
            served.append((v, "guidance", "安全生产合规指导告知书", ""))
        if v.follow_up_result:
            served.append((v, "review", "整改复查意见书", v.review_number))
    cases = [
        (c, case_documents.served_to_party(c))
        for c in case_access.party_cases(request.user).order_by("-id")[:50]
    ]
    return render(
        request,
        "enterprise/home.html",
        {
            "e": ent,
            "today": today,
            "visits": visits,
            "quota": quota,
            "orders": orders,
            "open_hazards": open_hazards,
            "self_hazards": self_hazards,
            "served": served,
            "cases": cases,
            "credit_records": ent.credit_records.select_related("case")[:50],
            "listings": case_access.party_listings(request.user),
            "ratings": VisitRating.objects.filter(visit__enterprise=ent).select_related("visit"),
            "coverage": queries.coverage_for(ent.pk, today.year, today),
            "group_gaps": queries.group_gaps(ent.pk),
        },
    )


def queries_served_visits(ent):
    from fairinspect.visits.models import Visit

    return (
        Visit.objects.filter(enterprise=ent, status__in=["in_progress", "done"])
        .prefetch_related("guidance_given")
        .order_by("-planned_date", "-id")[:100]
    )


@login_required
def poster(request):
    """The enterprise prints its own QR poster: visits' poster page, which lets the
    enterprise's own user in."""
    ent = access.own_enterprise(request.user)
    return redirect("visits:poster", ent.credit_code)


# ---- R11.1 the group -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def group(request):
    ent = access.own_enterprise(request.user)
    typed: dict = {}
    if request.method == "POST":
        typed = form_values(request.POST)
        try:
            if request.POST.get("member"):
                member_id = int(request.POST["member"])
                services.member_leaves(
                    actor=request.user,
                    member_id=member_id,
                    data=validate_form(
                        EnterpriseMemberLeaveIn, {k: typed[k] for k in typed if k != "member"}
                    ),
                )
                messages.success(request, _("已登记成员退出检查组。"))
            else:
                services.add_member(
                    actor=request.user, data=validate_form(EnterpriseMemberIn, typed)
                )
                messages.success(request, _("已登记检查组成员。"))
            return redirect("enterprise:group")
        except (DomainError, ValueError) as exc:
            if isinstance(exc, DomainError):
                _error(request, exc)
            else:
                messages.error(request, _("成员编号无效。"))
    from .models import GroupMember

    return render(
        request,
        "enterprise/group.html",
        {
            "e": ent,
            "current": GroupMember.objects.filter(enterprise=ent, left_on__isnull=True),
            "changes": GroupChange.objects.filter(enterprise=ent).select_related("member"),
            "gaps": queries.group_gaps(ent.pk),
            "typed": typed,
            # The member whose leaving was refused: its form shows what was typed.
            "leaving": str(typed.get("member", "")) if typed.get("member") else "",
            "roles": GroupMember._meta.get_field("role").choices,
            "today": _today(),
        },
    )


# ---- R11.2 self-checks -----------------------------------------------------------------------


def _answers_from(post, std) -> list[dict]:
    out = []
    for code in std.item_codes:
        result = post.get(f"result_{code}", "")
        if code == standards.OTHER and not any(
            (post.get(f"{f}_{code}") or "").strip() for f in (*ANSWER_LABELS, "result")
        ):
            continue  # the free line is optional: left untouched, it is no answer
        a = {"item": code, "result": result}
        for f in ("place", "note", "inspection_item", "measures", "deadline"):
            v = (post.get(f"{f}_{code}") or "").strip()
            if v:
                a[f] = v
        out.append(a)
    return out


# The self-check form's labels, so a refusal names the box the user typed in.
SELF_CHECK_LABELS = {
    "checked_on": "检查日期",
    "participant_ids": "参加人员",
    "main_person_took_part": "主要负责人参加",
    "reported_to_main_person_on": "报告主要负责人日期",
    "summary": "检查情况",
    "answers": "自查条款",
}
ANSWER_LABELS = {
    "place": "部位",
    "note": "隐患情况",
    "inspection_item": "所属检查事项",
    "measures": "整改措施",
    "deadline": "整改期限",
}


def _self_check_error(request, exc: DomainError, answers: list[dict]) -> None:
    """One message per field at fault, each naming the form's box (`整改期限（HG-01）：应为
    日期（YYYY-MM-DD）`); the service's own refusals carry their reasons."""
    errors = exc.extra.get("errors")
    if not errors:
        _error(request, exc)
        return
    for e in errors:
        parts = (e.get("field") or "").split(".")
        label = SELF_CHECK_LABELS.get(parts[0], parts[0])
        if parts[0] == "answers" and len(parts) >= 2 and parts[1].isdigit():
            i = int(parts[1])
            code = answers[i]["item"] if i < len(answers) else parts[1]
            name = parts[2] if len(parts) > 2 else "result"
            label = f"{ANSWER_LABELS.get(name, '检查结果')}（{code}）"
        messages.error(request, f"{label}：{e.get('message', '')}")


@login_required
@require_http_methods(["GET", "POST"])
def self_check_new(request):
    from fairinspect.catalog.queries import items_in_force

    ent = access.own_enterprise(request.user)
    std = standards.standard_for(ent.industry_id)
    typed: dict = {}
    if request.method == "POST":
        typed = form_values(
            request.POST,
            booleans=("main_person_took_part",),
            ints=("participant_ids",),
            lists=("participant_ids",),
        )
        typed["participant_ids"] = [
            int(v) if str(v).isdigit() else v for v in typed.get("participant_ids", [])
        ]
        raw = {
            k: typed[k]
            for k in (
                "checked_on",
                "participant_ids",
                "main_person_took_part",
                "reported_to_main_person_on",
                "summary",
            )
            if k in typed
        }
        raw["answers"] = _answers_from(request.POST, std)
        try:
            sc = services.file_self_check(
                actor=request.user, data=validate_form(EnterpriseSelfCheckIn, raw)
            )
        except DomainError as exc:
            _self_check_error(request, exc, raw["answers"])
        else:
            messages.success(request, _("自查%(number)s已报告本局。") % {"number": sc.number})
            return redirect("enterprise:self_check", sc.pk)
    return render(
        request,
        "enterprise/self_check_form.html",
        {
            "e": ent,
            "std": std,
            "other": standards.OTHER,
            "members": queries.current_members(ent.pk),
            "items": items_in_force().only("code", "name"),
            "post": request.POST,
            "typed": typed,
            "typed_ids": request.POST.getlist("participant_ids"),
            "checked_on": request.POST.get("checked_on") or _today().isoformat(),
        },
    )


@login_required
def self_checks(request):
    ent = access.own_enterprise(request.user)
    today = _today()
    year = _year(request, today)
    return render(
        request,
        "enterprise/self_checks.html",
        {
            "e": ent,
            "year": year,
            "coverage": queries.coverage_for(ent.pk, year, today),
            "checks": access.self_checks_visible_to(request.user).filter(year=year),
            "std": standards.standard_for(ent.industry_id),
            "counting_note": standards.counting_note(),
        },
    )


def _year(request, today: dt.date) -> int:
    try:
        y = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return y if 2000 <= y <= 2100 else today.year


@login_required
def self_check(request, check_id: int):
    sc = access.get_self_check(request.user, check_id)
    return render(
        request,
        "enterprise/self_check.html",
        {
            "sc": sc,
            "hazards": sc.hazards.prefetch_related("reports__evidence"),
            "std": standards.standard_by_code(sc.standard),
        },
    )


# ---- rectification reports -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request):
    ent = access.own_enterprise(request.user)
    order = hazard = None
    try:
        if request.GET.get("order"):
            order = access.get_own_order(request.user, int(request.GET["order"]))
        elif request.GET.get("hazard"):
            hazard = access.get_self_hazard(request.user, int(request.GET["hazard"]))
    except ValueError:
        pass
    if request.method == "POST":
        try:
            r = services.report_rectification(
                actor=request.user,
                description=request.POST.get("description", ""),
                files=request.FILES.getlist("files"),
                order_id=order.pk if order else None,
                self_hazard_id=hazard.pk if hazard else None,
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("整改情况已报告，待执法人员审核。"))
            return redirect("enterprise:report", r.pk)
    return render(
        request,
        "enterprise/report_form.html",
        {"e": ent, "order": order, "hazard": hazard, "post": request.POST},
    )


@login_required
def report(request, report_id: int):
    r = access.get_report(request.user, report_id)
    return render(request, "enterprise/report.html", {"r": r, "evidence": r.evidence.all()})


@login_required
@require_POST
def review(request, report_id: int):
    r = access.get_report(request.user, report_id)
    typed = form_values(request.POST, booleans=("accepted",))
    typed["accepted"] = request.POST.get("accepted") == "1"
    try:
        data = validate_form(EnterpriseReviewIn, typed)
        services.review_report(actor=request.user, report=r, accepted=data.accepted, note=data.note)
        messages.success(request, _("已审核整改报告。"))
    except DomainError as exc:
        _error(request, exc)
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect("enterprise:report", r.pk)


@login_required
def evidence(request, evidence_id: int):
    ev = access.get_evidence(request.user, evidence_id)
    resp = FileResponse(ev.file.open("rb"), content_type=ev.content_type)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(ev.original_name)}"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


# ---- R10.4 self-inspection -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def self_inspection(request):
    ent = access.own_enterprise(request.user)
    today = _today()
    typed: dict = {}
    if request.method == "POST":
        typed = form_values(request.POST, ints=("year",))
        try:
            services.submit_self_inspection(
                actor=request.user, data=validate_form(EnterpriseSelfInspectionIn, typed)
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("自我检查报告已提交，待本局审核。"))
            return redirect("enterprise:self_inspection")
    return render(
        request,
        "enterprise/self_inspection.html",
        {
            "e": ent,
            "today": today,
            "decision": queries.eligibility_for(ent, today),
            "notes": standards.eligibility_notes(),
            "reports": SelfInspection.objects.filter(enterprise=ent),
            "typed": typed,
        },
    )


# ---- the bureau's pages ----------------------------------------------------------------------


@login_required
def bureau(request):
    """Staff: enterprises with missing quarters (R11.2), self-reported hazards being rectified
    with reports to review (R11.3), major hazards officers found that no one reported (R7.6),
    and self-inspection reports (R10.4)."""
    access.require_staff(request.user)
    today = _today()
    year = _year(request, today)
    ents = enterprises_visible_to(request.user)
    flagged, total = queries.flagged_enterprises(ents, year=year, today=today)
    return render(
        request,
        "enterprise/bureau.html",
        {
            "year": year,
            "flagged": flagged,
            "flagged_total": total,
            "self_hazards": access.self_hazards_visible_to(request.user)
            .filter(status="rectifying")
            .prefetch_related("reports")[:200],
            "pending": access.reports_visible_to(request.user)
            .filter(review=RectificationReport.Review.PENDING)
            .prefetch_related("evidence")[:200],
            "unreported": queries.unreported_major_hazards(ents),
            "self_inspections": access.self_inspections_visible_to(request.user)[:200],
            "counting_note": standards.counting_note(),
        },
    )


@login_required
@require_POST
def decide_self_inspection(request, si_id: int):
    si = access.get_self_inspection(request.user, si_id)
    typed = form_values(request.POST)
    typed["accept"] = request.POST.get("accept") == "1"
    try:
        data = validate_form(EnterpriseSelfInspectionDecisionIn, typed)
        services.decide_self_inspection(
            actor=request.user, si=si, accept=data.accept, note=data.note
        )
        messages.success(request, _("已审核自我检查报告。"))
    except DomainError as exc:
        _error(request, exc)
    return redirect("enterprise:bureau")
