from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fairinspect.core import paging
from fairinspect.core.errors import DomainError, NotFound
from fairinspect.core.roles import Role, has_role
from fairinspect.registry.access import enterprises_visible_to
from fairinspect.registry.tabular import write_csv, write_xlsx
from fairinspect.rules import discretion as d

from . import access, documents, legal, queries, services
from .inputs import step_data_from_form
from .models import Case, Disclosure, NoPenaltyListVersion
from .procedure import STEPS, procedure_rule

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _today() -> dt.date:
    return timezone.localdate()


# ---- the violation catalogue and the no-penalty list: public legal information -------------


def violation_list(request):
    law, q = request.GET.get("law", ""), request.GET.get("q", "").strip()[:50]
    try:
        article = int(request.GET["article"]) if request.GET.get("article") else None
    except ValueError:
        article = None
    rows = [
        (
            v,
            legal.fine_text(
                v.sanction(d.Party.UNIT, d.Stage.INITIAL)
                or next((s for p, _, s in v.sanctions if p == d.Party.UNIT), None)
            ),
            legal.fine_text(next((s for p, _, s in v.sanctions if p == d.Party.PERSON), None)),
        )
        for v in legal.filter_violations(law=law, article=article, q=q)
    ]
    cat = legal.catalogue()
    return render(
        request,
        "cases/violation_list.html",
        {
            "rows": rows,
            "law": law,
            "article": article or "",
            "q": q,
            "catalogue": cat,
            "articles": sorted({v.article for v in cat.violations}),
        },
    )


def violation_detail(request, code: str):
    try:
        v = legal.catalogue().get(code)
    except d.DiscretionError:
        raise NotFound() from None
    sanctions = [(p, st, s, legal.fine_text(s)) for p, st, s in v.sanctions]
    entries = [e for e in legal.catalogue().baseline.entries if e.violation == v.code]
    return render(
        request,
        "cases/violation_detail.html",
        {
            "v": v,
            "sanctions": sanctions,
            "entries": entries,
            "baseline": legal.catalogue().baseline,
        },
    )


def no_penalty_list(request, version: str | None = None):
    versions = queries.no_penalty_versions()
    current: NoPenaltyListVersion | None = (
        get_object_or_404(versions, version=version)
        if version
        else versions.filter(status="published").first()
    )
    return render(
        request,
        "cases/no_penalty_list.html",
        {
            "current": current,
            "doc": current.document if current else None,
            "versions": versions,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def no_penalty_manage(request):
    access.require_publisher(request.user)
    if request.method == "POST":
        version = get_object_or_404(NoPenaltyListVersion, pk=request.POST.get("version_id"))
        try:
            services.publish_no_penalty_list(actor=request.user, version=version, on=_today())
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已公布：%(version)s") % {"version": version})
        return redirect("cases:no_penalty_manage")
    return render(
        request, "cases/no_penalty_manage.html", {"versions": NoPenaltyListVersion.objects.all()}
    )


# ---- discretion (R7.2) ------------------------------------------------------------------------


def _facts_from_post(post) -> dict:
    raw = {k: post.get(k) for k in legal.FACT_FIELDS if post.get(k) not in (None, "")}
    raw["mitigations"] = post.getlist("mitigations")
    raw["aggravations"] = post.getlist("aggravations")
    for b in (
        "first_offence",
        "corrected_in_time",
        "overdue_uncorrected",
        "no_fault",
        "minor",
        "fatal_accident_within_3_years",
        "serious_dishonesty_listed",
        "high_risk",
    ):
        raw[b] = post.get(b) == "on"
    return raw


def _facts_context(facts: dict | None = None) -> dict:
    return {
        "violations": legal.catalogue().violations,
        "mitigations": d.MITIGATIONS.items(),
        "aggravations": d.AGGRAVATIONS.items(),
        "f": facts or {},
    }


@login_required
@require_http_methods(["GET", "POST"])
def discretion_page(request):
    access.require_case_staff(request.user)
    ctx = _facts_context()
    ctx.update(code=request.GET.get("violation", "AQSCF2021-97-4"), party="unit")
    if request.method == "POST":
        raw = _facts_from_post(request.POST)
        ctx.update(
            f=raw,
            code=request.POST.get("violation_code", ""),
            party=request.POST.get("party", "unit"),
        )
        try:
            ctx["result"] = legal.result_dict(
                legal.decide(ctx["code"], ctx["party"], legal.clean_facts(raw))
            )
        except DomainError as exc:
            ctx["error"] = exc
        if request.headers.get("HX-Request"):
            return render(request, "cases/_discretion_result.html", ctx)
    return render(request, "cases/discretion.html", ctx)


# ---- cases ------------------------------------------------------------------------------------


@login_required
def case_list(request):
    qs = access.cases_visible_to(request.user)
    status, q = request.GET.get("status", ""), request.GET.get("q", "").strip()[:50]
    outside = request.GET.get("outside") == "1"
    found = queries.filter_cases(qs, status=status, q=q, outside=outside)
    page = paging.paginate(request, found, queries.CASE_ORDER, scope=queries.CASE_SCOPE)
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "params": page.params,
            "status": status,
            "q": q,
            "outside": outside,
            "statuses": Case.Status.choices,
        },
    )


@login_required
def overdue_list(request):
    qs = access.cases_visible_to(request.user)
    today = _today()
    page = paging.paginate(request, queries.overdue(qs, today=today), scope="cases.overdue")
    rows = [(c, queries.DUE_LABELS.get(c.next_due_kind, "")) for c in page]
    return render(
        request,
        "cases/overdue.html",
        {"page": page, "today": today, "rows": rows},
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request):
    access.require_officer(request.user)
    ents = enterprises_visible_to(request.user)
    from fairinspect.visits.models import Hazard

    hazards = (
        Hazard.objects.filter(enterprise__in=ents, cases__isnull=True, status="open")
        .select_related("enterprise")
        .order_by("-created_at", "-id")[:20]
    )
    ctx = {
        "violations": legal.catalogue().violations,
        "data": request.POST or request.GET,
        "hazards": hazards,
    }
    if request.method == "POST":
        p = request.POST
        ent = ents.filter(credit_code=p.get("credit_code", "").strip().upper()).first()
        if ent is None:
            ctx["error"] = "统一社会信用代码：未找到该企业，或不在您的执法范围内。"
        else:
            try:
                case = services.open_case(
                    actor=request.user,
                    enterprise=ent,
                    party=p.get("party", "unit"),
                    violation_code=p.get("violation_code", ""),
                    cause=p.get("cause", ""),
                    facts_text=p.get("facts_text", ""),
                    source=p.get("source", ""),
                    person_name=p.get("person_name", ""),
                    person_role=p.get("person_role", ""),
                    on=_today(),
                )
            except DomainError as exc:
                ctx["error"] = exc.message
            else:
                messages.success(request, _("已登记，待单位负责人批准立案。"))
                return redirect("cases:case_detail", case.pk)
    return render(request, "cases/case_form.html", ctx, status=422 if ctx.get("error") else 200)


@login_required
def case_detail(request, case_id: int):
    case = access.get_case(request.user, case_id)
    return render(request, "cases/case_detail.html", _detail_context(request, case))


def _detail_context(request, case: Case, *, posted=None, action: str = "") -> dict:
    """The case page; with `posted` (a refused step's form) the step's fields show what was
    typed, and the facts the form sent."""
    all_due = services.deadlines(case)
    open_names = {x.name for x in services.open_deadlines(case, all_due)}
    today = _today()
    ctx = {
        "case": case,
        "rule": procedure_rule(case.procedure_rule),
        "deadlines": [
            (x, x.name in open_names and x.due < today, x.name in open_names)
            for x in sorted(all_due.values(), key=lambda x: x.due)
        ],
        "steps": [
            (
                s,
                STEPS[s.action].label if s.action in STEPS else "登记案件",
                Case.Status(s.to_status).label,
            )
            for s in case.steps.select_related("actor")
        ],
        "extensions": case.extensions.all(),
        "actions": access.case_actions(request.user, case),
        "refused_steps": access.refused_steps(request.user, case),
        "docs": documents.available(case),
        "disclosure": getattr(case, "disclosure", None),
        "listings": case.dishonesty_listings.all(),
        "grade_label": d.Grade(case.grade).label if case.grade else "",
        "today": today,
        "labels": queries.DUE_LABELS,
        "is_reviewer": has_role(request.user, Role.LEGAL_REVIEWER),
        "can_publish": has_role(request.user, Role.OFFICER, Role.APPROVER, Role.ADMIN),
        "can_list": has_role(request.user, Role.APPROVER),
        "manual_grounds": services.MANUAL_GROUNDS.items(),
    }
    refused_facts = posted is not None and action == "investigate"
    ctx.update(_facts_context(_facts_from_post(posted) if refused_facts else case.facts))
    ctx["v"] = posted.dict() if posted is not None else {}
    return ctx


@login_required
@require_POST
def case_act(request, case_id: int, action: str):
    case = access.get_case(request.user, case_id)
    try:
        # The same schema as the API's step: `paused_days=abc` is a message, not a 500.
        data = step_data_from_form(action, request.POST)
        if action == "investigate":
            data["facts"] = _facts_from_post(request.POST)
        services.transition(actor=request.user, case=case, action=action, data=data, today=_today())
    except DomainError as exc:
        # The page again, with the refusal and what was typed (nothing is saved), as the
        # other forms do; a step refused for the case's state or the person's role is the
        # same page with the message.
        ctx = _detail_context(
            request, access.get_case(request.user, case_id), posted=request.POST, action=action
        )
        ctx.update(error=exc, posted_action=action)
        return render(request, "cases/case_detail.html", ctx, status=422)
    else:
        messages.success(request, _("已办理：%(step)s") % {"step": STEPS[action].label})
    return redirect("cases:case_detail", case.pk)


@login_required
def case_document(request, case_id: int, kind: str):
    case = access.get_case(request.user, case_id)
    name, data = documents.build(case, kind)
    resp = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    from urllib.parse import quote

    resp["Content-Disposition"] = (
        f"attachment; filename=\"case-{case.pk}-{kind}.docx\"; filename*=UTF-8''{quote(name)}"
    )
    return resp


@login_required
@require_POST
def disclosure_publish(request, case_id: int):
    case = access.get_case(request.user, case_id)
    disc = get_object_or_404(Disclosure, case=case)
    try:
        services.publish_disclosure(actor=request.user, disclosure=disc, on=_today())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已在公示系统公开。"))
    return redirect("cases:case_detail", case.pk)


@login_required
def credit_record(request, credit_code: str):
    access.require_case_staff(request.user)
    ent = get_object_or_404(enterprises_visible_to(request.user), credit_code=credit_code)
    return render(
        request,
        "cases/credit.html",
        {
            "e": ent,
            "records": ent.credit_records.select_related("case"),
            "listings": ent.dishonesty_listings.all(),
        },
    )


# ---- public disclosure (R8.2) -------------------------------------------------------------------

DISCLOSURE_LABELS = {
    "decision_number": "行政处罚决定书文号",
    "party_name": "行政相对人名称",
    "credit_code": "统一社会信用代码",
    "violation": "违法行为类型",
    "basis": "处罚依据",
    "content": "处罚内容",
    "fine_amount": "罚款金额（万元）",
    "decided_on": "处罚决定日期",
    "authority": "处罚机关",
    "published_on": "公示日期",
}


def _disclosure_row(x: Disclosure) -> dict:
    return {
        "decision_number": x.decision_number,
        "party_name": x.party_name,
        "credit_code": x.credit_code,
        "violation": x.violation,
        "basis": x.basis,
        "content": x.content,
        "fine_amount": "" if x.fine_amount is None else f"{x.fine_amount / 10000:.4f}",
        "decided_on": x.decided_on.isoformat(),
        "authority": x.authority,
        "published_on": x.published_on.isoformat() if x.published_on else "",
    }


def disclosure_list(request):
    page = paging.paginate(request, queries.published_disclosures(), scope="cases.disclosures")
    return render(request, "cases/disclosure_list.html", {"page": page})


def disclosure_export(request, fmt: str):
    rows = [_disclosure_row(x) for x in queries.published_disclosures()]
    if fmt == "csv":
        resp = HttpResponse(
            "".join(write_csv(DISCLOSURE_LABELS, rows)), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        resp = HttpResponse(write_xlsx(DISCLOSURE_LABELS, rows, "行政处罚"), content_type=XLSX)
    else:
        raise NotFound()
    resp["Content-Disposition"] = f'attachment; filename="xzcf-{_today():%Y%m%d}.{fmt}"'
    return resp


@login_required
@require_http_methods(["GET", "POST"])
def case_from_hazard(request, hazard_id: int):
    """Open a case from a hazard recorded during a visit (R7.6, R11.3)."""
    from fairinspect.visits.models import Hazard

    access.require_officer(request.user)
    hazard = get_object_or_404(
        Hazard.objects.select_related("enterprise", "visit").filter(
            enterprise__in=enterprises_visible_to(request.user)
        ),
        pk=hazard_id,
    )
    plan = services.hazard_plan(hazard)
    existing = list(Case.objects.filter(hazard=hazard))
    if request.method == "POST":
        try:
            cases = services.open_cases_from_hazard(
                actor=request.user,
                hazard=hazard,
                on=_today(),
                violation_code=request.POST.get("violation_code", ""),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("已登记%(count)s个案件，待单位负责人批准立案。") % {"count": len(cases)}
            )
            return redirect("cases:case_detail", cases[0].pk)
    return render(
        request,
        "cases/from_hazard.html",
        {
            "hazard": hazard,
            "plan": plan,
            "existing": existing,
            "violations": legal.catalogue().violations,
            "default_code": services.UNIT_HAZARD_VIOLATION
            if plan["double"]
            else services.GENERAL_HAZARD_VIOLATION,
        },
    )


# ---- the enterprise's own cases (the party's view) -------------------------------------------


@login_required
def my_cases(request):
    access.require_enterprise_user(request.user)
    today = _today()
    cases = list(access.party_cases(request.user).order_by("-id")[:200])
    rows = [(c, queries.party_deadlines(c, today), documents.served_to_party(c)) for c in cases]
    listings = access.party_listings(request.user).prefetch_related("removal_applications")
    return render(
        request,
        "cases/my_cases.html",
        {"rows": rows, "listings": listings, "today": today, "e": request.user.enterprise},
    )


@login_required
def my_case_document(request, case_id: int, kind: str):
    case = access.get_party_case(request.user, case_id)
    if kind not in {k.code for k in documents.served_to_party(case)}:
        raise NotFound()
    name, data = documents.build(case, kind)
    resp = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    from urllib.parse import quote

    resp["Content-Disposition"] = (
        f"attachment; filename=\"case-{case.pk}-{kind}.docx\"; filename*=UTF-8''{quote(name)}"
    )
    return resp


# ---- accidents (R10.1) -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def accident_create(request):
    from fairinspect.rules.accidents import LABELS

    access.require_accident_recorder(request.user)
    ents = enterprises_visible_to(request.user)
    data = request.POST if request.method == "POST" else request.GET
    ctx = {"levels": LABELS.items(), "data": data, "errors": {}}
    if request.method == "POST":
        p = request.POST
        ent = ents.filter(credit_code=p.get("credit_code", "").strip().upper()).first()
        errors = ctx["errors"]
        if ent is None:
            errors["credit_code"] = (
                "credit_code：统一社会信用代码未找到该企业，或不在您的执法范围内。"
            )
        counts = {}
        for key, label in (("fatalities", "死亡人数"), ("injuries", "重伤人数")):
            raw = (p.get(key) or "0").strip()
            if not raw.isdigit():
                errors[key] = f"{key}：{label}应为0或正整数。"
            else:
                counts[key] = int(raw)
        try:
            on = dt.date.fromisoformat(p.get("on", ""))
        except ValueError:
            errors["on"] = "on：事故日期格式应为 YYYY-MM-DD。"
        if not errors and ent is not None:
            try:
                rec = services.record_accident(
                    actor=request.user,
                    enterprise=ent,
                    on=on,
                    level=p.get("level", ""),
                    summary=p.get("summary", ""),
                    today=_today(),
                    **counts,
                )
            except DomainError as exc:
                errors[exc.field or "form"] = exc.message
            else:
                messages.success(
                    request,
                    _("已登记%(accident_level)s，记入信用记录。")
                    % {"accident_level": rec.get_accident_level_display()},
                )
                return redirect("cases:credit_record", ent.credit_code)
        return render(request, "cases/accident_form.html", ctx, status=422)
    return render(request, "cases/accident_form.html", ctx)
