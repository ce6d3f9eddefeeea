"""Pages for visits: the QR pre-check (officers) and transparency card (everyone else), the
poster, my visits, creating a visit, the visit page with its plan, check-in, recording,
findings, hazards, orders, check-out, follow-up, documents and the enterprise's rating."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fairinspect.catalog.queries import items_in_force
from fairinspect.core.errors import DomainError, Forbidden, NotFound
from fairinspect.core.http import paginate
from fairinspect.core.roles import Role, has_role
from fairinspect.registry import access as registry_access
from fairinspect.registry.access import is_staff
from fairinspect.registry.models import Certificate, Officer

from . import access, documents, guidance, qr, queries, services
from .models import Recording, Visit

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _back(visit_id: int):
    return redirect("visits:detail", visit_id)


def _flash(request, exc: DomainError) -> None:
    reasons = exc.extra.get("reasons") or []
    extra = "；".join(r["message"] for r in reasons if r["message"] != exc.message)
    messages.error(request, exc.message + (f"（{extra}）" if extra else ""))


# ------------------------------------------------ QR: pre-check or transparency card


def qr_landing(request, token: str):
    ent = qr.enterprise_for(token)
    today = timezone.localdate()
    if (
        request.user.is_authenticated
        and is_staff(request.user)
        and registry_access.enterprises_visible_to(request.user).filter(pk=ent.pk).exists()
    ):
        # Staff who may see the enterprise get the pre-check; everyone else (other districts'
        # staff included) the public transparency card.
        officer = services.officer_of(request.user)
        pc = queries.precheck(ent, officer=officer, today=today)
        verdicts = [
            (
                v,
                queries.verdict_for(
                    v, facts=pc.facts, today=today, officer=officer, city_items=pc.city_items
                ),
            )
            for v in pc.mine
        ]
        return render(
            request,
            "visits/precheck.html",
            {"pc": pc, "e": ent, "verdicts": verdicts, "token": token, "today": today},
        )
    return _card(request, ent, token=token)


def _card(request, ent, *, token: str):
    today = timezone.localdate()
    visits = [v for v in queries.visits_this_year(ent, today.year) if v.status != "draft"]
    own = (
        request.user.is_authenticated
        and has_role(request.user, Role.ENTERPRISE)
        and request.user.enterprise_id == ent.pk
    )
    rated = set()
    if own:
        from .models import VisitRating

        rated = set(
            VisitRating.objects.filter(visit__in=[v.pk for v in visits]).values_list(
                "visit_id", flat=True
            )
        )
    cert = (request.GET.get("cert") or "").strip()[:30]
    check = _verify(ent, cert, today) if cert else None
    return render(
        request,
        "visits/card.html",
        {
            "e": ent,
            "visits": visits,
            "own": own,
            "rated": rated,
            "cert": cert,
            "check": check,
            "token": token,
            "year": today.year,
        },
    )


def _verify(ent, number: str, today: dt.date) -> dict:
    c = (
        Certificate.objects.select_related("officer", "officer__department")
        .filter(number=number)
        .first()
    )
    if c is None:
        return {"found": False}
    valid = c.status == "valid" and c.valid_from <= today <= c.valid_to
    on_visit = Visit.objects.filter(
        enterprise=ent, team__officer=c.officer, planned_date__year=today.year
    ).exists()
    return {
        "found": True,
        "name": c.officer.name,
        "department": c.officer.department.name,
        "valid": valid and c.officer.status == "on_duty",
        "valid_to": c.valid_to,
        "on_visit": on_visit,
    }


def my_card(request):
    """The enterprise user's own card (the same page the QR code opens)."""
    if not (request.user.is_authenticated and has_role(request.user, Role.ENTERPRISE)):
        raise Forbidden("只有企业用户可以查看本企业的检查记录。")
    ent = request.user.enterprise
    return _card(request, ent, token=qr.token_for(ent))


@login_required
def poster(request, credit_code: str):
    registry_access.require_staff(request.user)
    ent = registry_access.get_enterprise(request.user, credit_code)
    return render(request, "visits/poster.html", {"e": ent, "url": qr.url_for(ent)})


@login_required
def qr_svg(request, credit_code: str):
    registry_access.require_staff(request.user)
    ent = registry_access.get_enterprise(request.user, credit_code)
    resp = HttpResponse(qr.svg_for(ent), content_type="image/svg+xml")
    resp["Cache-Control"] = "private, max-age=300"
    return resp


@login_required
@require_POST
def revoke_qr(request, credit_code: str):
    registry_access.require_admin(request.user)
    ent = registry_access.get_enterprise(request.user, credit_code)
    from fairinspect.registry.services import revoke_qr as revoke

    revoke(actor=request.user, enterprise=ent)
    messages.success(request, "旧二维码已作废，请打印新的二维码张贴。")
    return redirect("visits:poster", credit_code)


@require_POST
def rate(request, visit_id: int):
    if not request.user.is_authenticated:
        raise Forbidden()
    v = access.get_visit(request.user, visit_id, staff_only=False)
    try:
        services.rate_visit(
            actor=request.user,
            visit=v,
            score=request.POST.get("score"),
            comment=request.POST.get("comment", ""),
        )
        messages.success(request, "感谢您的评价。评价只有监督人员可见，检查单位看不到。")
    except DomainError as exc:
        _flash(request, exc)
    return redirect("visits:my_card")


# ------------------------------------------------ supervisors: the enterprises' ratings (R8)


@login_required
def ratings(request):
    """Supervisors and administrators: the enterprises' ratings of finished visits, filtered
    by inspecting unit, score and date. The inspecting units never see this page."""
    from django.db.models import Avg, Count

    from fairinspect.registry.models import Department

    if not access.can_see_ratings(request.user):
        raise Forbidden("企业评价只有监督人员和管理员可以查看，检查单位看不到。")
    qs = queries.ratings_visible_to(request.user)
    g = request.GET
    unit = (g.get("unit") or "").strip()
    score = (g.get("score") or "").strip()
    errors = []
    if unit:
        qs = qs.filter(visit__department__code=unit)
    if score:
        if score in {"1", "2", "3", "4", "5"}:
            qs = qs.filter(score=int(score))
        else:
            errors.append("评分：应为1至5分。")
    dates = {}
    for key, label in (("date_from", "评价日期起"), ("date_to", "评价日期止")):
        raw = (g.get(key) or "").strip()
        if not raw:
            continue
        try:
            dates[key] = dt.date.fromisoformat(raw)
        except ValueError:
            errors.append(f"{label}：格式应为 YYYY-MM-DD。")
    if "date_from" in dates:
        qs = qs.filter(created_at__date__gte=dates["date_from"])
    if "date_to" in dates:
        qs = qs.filter(created_at__date__lte=dates["date_to"])
    for e in errors:
        messages.error(request, e)
    summary = qs.aggregate(n=Count("id"), avg=Avg("score"))
    units = Department.objects.filter(
        pk__in=queries.ratings_visible_to(request.user).values("visit__department")
    ).order_by("code")
    page, params = paginate(request, qs, per_page=30)
    return render(
        request,
        "visits/ratings.html",
        {
            "page": page,
            "params": params,
            "units": units,
            "unit": unit,
            "score": score,
            "date_from": g.get("date_from", ""),
            "date_to": g.get("date_to", ""),
            "summary": summary,
        },
        status=422 if errors else 200,
    )


# ------------------------------------------------ officers: my visits, new visit


@login_required
def my_visits(request):
    registry_access.require_staff(request.user)
    officer = services.officer_of(request.user)
    qs = access.visits_visible_to(request.user).select_related("enterprise", "department")
    status = request.GET.get("status", "")
    scope = request.GET.get("scope", "mine" if officer else "all")
    if scope == "mine" and officer:
        qs = qs.filter(team__officer=officer)
    elif scope == "approve":
        qs = qs.filter(status="plan_submitted")
    if status:
        qs = qs.filter(status=status)
    page, params = paginate(request, qs.order_by("-planned_date", "-id"), per_page=30)
    return render(
        request,
        "visits/my_visits.html",
        {
            "page": page,
            "params": params,
            "status": status,
            "scope": scope,
            "statuses": Visit.Status.choices,
        },
    )


@login_required
def new_visit(request):
    access.require_officer(request.user)
    credit_code = request.GET.get("enterprise") or request.POST.get("enterprise", "")
    ent = registry_access.get_enterprise(request.user, credit_code) if credit_code else None
    officers = Officer.objects.filter(status="on_duty").select_related("department")
    if request.user.department_id:
        officers = officers.filter(department__in=_my_bureau_departments(request.user))
    ctx = {
        "e": ent,
        "items": items_in_force(),
        "officers": officers.order_by("department__code", "name")[:300],
        "triggers": Visit._meta.get_field("trigger").choices,
        "justification_kinds": Visit._meta.get_field("justification_kind").choices,
        "entry_kinds": guidance.entry_kinds().values(),
        "me": services.officer_of(request.user),
        "today": timezone.localdate(),
        "data": request.POST,
    }
    if request.method == "POST" and ent is not None:
        p = request.POST
        try:
            planned = dt.date.fromisoformat(p.get("planned_date", ""))
        except ValueError:
            messages.error(request, "计划检查日期：格式应为 YYYY-MM-DD。")
            return render(request, "visits/new.html", ctx, status=422)
        upload = request.FILES.get("justification_attachment")
        try:
            if upload is not None:
                services.check_justification_file(upload)  # refused before anything is saved
            with transaction.atomic():
                v = _create_from_form(request, ent, p, planned, upload)
        except DomainError as exc:
            _flash(request, exc)
            return render(request, "visits/new.html", ctx, status=422)
        messages.success(
            request, "检查已安排，现场检查方案已按事项和企业情况起草，请完善后提交审批。"
        )
        return _back(v.pk)
    return render(request, "visits/new.html", ctx)


def _create_from_form(request, ent, p, planned, upload):
    v = services.create_visit(
        actor=request.user,
        enterprise=ent,
        kind=p.get("kind", "on_site"),
        trigger=p.get("trigger", ""),
        planned_date=planned,
        item_codes=p.getlist("item_codes"),
        officer_ids=[int(i) for i in p.getlist("officer_ids") if i.isdigit()],
        justification={
            "kind": p.get("justification_kind", ""),
            "reference": p.get("justification_reference", ""),
            "date": p.get("justification_date", ""),
            "summary": p.get("justification_summary", ""),
        },
        entry_kind=p.get("entry_kind", "inspection"),
    )
    if upload is not None:
        services.attach_justification(actor=request.user, visit=v, upload=upload)
    return v


def _my_bureau_departments(user):
    from fairinspect.registry.models import Department

    bureau = user.department.bureau
    return Department.objects.filter(pk=bureau.pk) | Department.objects.filter(parent=bureau)


# ------------------------------------------------ 谁执法谁普法 (R2.4)


@login_required
def guidance_received(request):
    """The enterprise's own record of the guidance it received, visit by visit."""
    if not request.user.enterprise_id:
        raise Forbidden("只有企业用户可以查看本企业接受的普法指导。")
    rows = list(guidance.received_by(request.user.enterprise_id))
    return render(request, "visits/guidance_received.html", {"rows": rows})


@login_required
def guidance_sheet_mine(request, visit_id: int):
    """The enterprise downloads the 合规指导告知书 of one of its own visits."""
    v = Visit.objects.select_related("enterprise").filter(pk=visit_id).first()
    if v is None or not request.user.enterprise_id or v.enterprise_id != request.user.enterprise_id:
        raise NotFound("没有这份普法告知书。")
    if not v.guidance_given.exists():
        raise NotFound("该次检查未记录普法指导内容。")
    return _docx(documents.guidance_docx(v), f"安全生产合规指导告知书-{v.pk}.docx")


@login_required
def guidance_activity(request):
    """Guidance given per year and per enterprise, for supervisors: activity, never a target
    and never per officer (R8.6, 严禁下达检查指标)."""
    if not access.can_see_ratings(request.user):
        raise Forbidden("只有监督人员可以查看普法指导情况。")
    enterprises = registry_access.enterprises_visible_to(request.user)
    years = guidance.activity_by_year(enterprises)
    try:
        year = int(
            request.GET.get("year") or (years[0]["year"] if years else timezone.localdate().year)
        )
    except ValueError:
        year = timezone.localdate().year
    return render(
        request,
        "visits/guidance_activity.html",
        {"years": years, "year": year, "rows": guidance.activity_by_enterprise(enterprises, year)},
    )


# ------------------------------------------------ the visit page and its actions


@login_required
def detail(request, visit_id: int):
    v = access.get_visit(request.user, visit_id)
    officer = services.officer_of(request.user)
    team = queries.team_of(v)
    confirmed = {c.officer_id for c in v.checkins.all()}
    on_team = officer is not None and any(m.officer_id == officer.pk for m in team)
    items = list(v.items.all())
    found = {f.item_id: f for f in v.findings.all()}
    for i in items:
        i.finding = found.get(i.pk)  # type: ignore[attr-defined]  # read by the template
    ctx = {
        "v": v,
        "plan": v.plan if hasattr(v, "plan") else None,
        "team": team,
        "confirmed": confirmed,
        "on_team": on_team,
        "i_confirmed": officer is not None and officer.pk in confirmed,
        "is_approver": has_role(request.user, Role.APPROVER),
        "nonce": uuid.uuid4().hex,
        "items": items,
        "hazards": list(v.hazards.all()),
        "orders": list(v.orders.prefetch_related("hazards")),
        "recordings": list(v.recordings.prefetch_related("files")),
        "experts": list(v.experts.all()),
        "rating": getattr(v, "rating", None) if access.can_see_ratings(request.user) else None,
        "can_see_ratings": access.can_see_ratings(request.user),
        "follow_ups": list(v.follow_ups.all()),
        "today": timezone.localdate(),
        "qr_token": qr.token_for(v.enterprise),
    }
    ctx.update(_guidance_context(v))
    if v.status == "plan_submitted" and ctx["is_approver"]:
        ctx["approval"] = access.plan_approval(request.user, v)
        # What pressing 批准方案 will answer: the approval service's own rule.
        ctx["approval_verdict"] = queries.approval_verdict(v, today=timezone.localdate())
    if v.status == "approved":
        pc_facts = queries.visit_facts(v.enterprise_id, timezone.localdate().year)
        ctx["verdict"] = queries.verdict_for(
            v, facts=pc_facts, today=timezone.localdate(), officer=officer
        )
    return render(request, "visits/detail.html", ctx)


def _guidance_context(v: Visit) -> dict:
    from fairinspect.catalog import guidance as guidance_list
    from fairinspect.catalog.models import Audience

    given = list(guidance.given_at(v))
    proposals = guidance.proposals_for(v)
    version = guidance_list.version_in_force()
    chosen = set(given[0].audiences) if given else set()
    return {
        "guidance_given": given,
        "guidance_proposals": proposals,
        "guidance_entries": list(version.entries.order_by("code")) if version else [],
        "guidance_checked": {g.entry.code for g in given} or {p.code for p in proposals},
        "audiences": Audience.choices,
        "guidance_audiences": chosen or {Audience.MAIN_PERSON, Audience.SAFETY_MANAGER},
        "guidance_audience_labels": [str(Audience(a).label) for a in sorted(chosen)],
    }


def _action(fn):
    """A POST on the visit page: run one service, show its refusal, go back to the page."""

    @login_required
    @require_POST
    def view(request, visit_id: int, **kw):
        v = access.get_visit(request.user, visit_id)
        try:
            msg = fn(request, v, **kw)
        except DomainError as exc:
            _flash(request, exc)
        else:
            if msg:
                messages.success(request, msg)
        return _back(v.pk)

    view.__name__ = fn.__name__
    return view


@_action
def edit_plan(request, v):
    p = request.POST
    reasons = {k[len("offsite_") :]: val for k, val in p.items() if k.startswith("offsite_")}
    services.update_plan(
        actor=request.user,
        visit=v,
        data={
            "key_points": p.get("key_points"),
            "methods": p.get("methods"),
            "steps": p.get("steps"),
            "offsite_reasons": reasons,
        },
    )
    if p.get("then") == "submit":
        services.submit_plan(actor=request.user, visit=v)
        return "方案已提交审批。"
    return "方案已保存。"


@_action
def approve(request, v):
    services.approve_plan(actor=request.user, visit=v)
    return "方案已批准。"


@_action
def reject(request, v):
    services.reject_plan(actor=request.user, visit=v, reason=request.POST.get("reason", ""))
    return "方案已退回。"


@_action
def cancel(request, v):
    services.cancel_visit(actor=request.user, visit=v, reason=request.POST.get("reason", ""))
    return "检查已取消。"


@_action
def check_in(request, v):
    p = request.POST
    out = services.confirm_check_in(
        actor=request.user,
        visit_id=v.pk,
        nonce=p.get("nonce", ""),
        lat=p.get("lat") or None,
        lng=p.get("lng") or None,
        accuracy=p.get("accuracy") or None,
    )
    for w in out.warnings:
        messages.warning(request, w["message"])
    if out.started:
        return "两名执法人员已确认，检查开始。请开启执法记录仪。"
    return "您已确认入企，等待同组另一名执法人员在本人手机上确认。"


@_action
def start_recording(request, v):
    services.start_recording(actor=request.user, visit=v, device=request.POST.get("device", ""))
    return "已登记执法记录仪。"


@_action
def end_recording(request, v, recording_id: int):
    rec = access.get_recording(request.user, v, recording_id)
    services.end_recording(actor=request.user, recording=rec)
    return "执法记录已结束。"


@_action
def upload(request, v):
    f = request.FILES.get("file")
    if f is None:
        from fairinspect.core.errors import ValidationFailed

        raise ValidationFailed("file_missing", "请选择要上传的文件。", field="file")
    rec = finding = None
    if request.POST.get("recording", "").isdigit():
        rec = Recording.objects.filter(visit=v, pk=request.POST["recording"]).first()
    if request.POST.get("finding", "").isdigit():
        finding = v.findings.filter(pk=request.POST["finding"]).first()
    m = services.upload_media(actor=request.user, visit=v, upload=f, recording=rec, finding=finding)
    return f"已上传 {m.original_name}（SHA-256 {m.sha256[:12]}…）。"


@_action
def finding(request, v):
    p = request.POST
    services.record_finding(
        actor=request.user,
        visit=v,
        item_code=p.get("item_code", ""),
        result=p.get("result", ""),
        notes=p.get("notes", ""),
    )
    return "检查结果已记录。"


@_action
def hazard(request, v):
    p = request.POST
    services.record_hazard(
        actor=request.user,
        visit=v,
        level=p.get("level", ""),
        description=p.get("description", ""),
        place=p.get("place", ""),
        item_code=p.get("item_code", ""),
    )
    return "隐患已记录。"


@_action
def order(request, v):
    p = request.POST
    try:
        deadline = dt.date.fromisoformat(p.get("deadline", ""))
    except ValueError:
        from fairinspect.core.errors import ValidationFailed

        raise ValidationFailed(
            "deadline_invalid", "整改期限：请选择日期。", field="deadline"
        ) from None
    o = services.issue_order(
        actor=request.user,
        visit=v,
        hazard_ids=[int(i) for i in p.getlist("hazard_ids") if i.isdigit()],
        deadline=deadline,
        requirements=p.get("requirements", ""),
    )
    return f"已下达责令限期整改指令书 {o.number}。"


@_action
def record_guidance(request, v):
    p = request.POST
    services.record_guidance(
        actor=request.user,
        visit=v,
        entry_codes=p.getlist("entry_codes"),
        audiences=p.getlist("audiences"),
    )
    return "普法指导内容已记录。"


@_action
def check_out(request, v):
    v = services.check_out(actor=request.user, visit=v, summary=request.POST.get("summary", ""))
    if v.missing_recording:
        return "检查已结束。注意：本次检查没有执法记录，已标记。"
    return "检查已结束。"


@login_required
@require_POST
def follow_up(request, visit_id: int, order_id: int):
    v = access.get_visit(request.user, visit_id)
    o = access.get_order(request.user, order_id)
    try:
        planned = dt.date.fromisoformat(request.POST.get("planned_date", ""))
        f = services.create_follow_up(
            actor=request.user,
            order=o,
            planned_date=planned,
            officer_ids=[m.officer_id for m in v.team.all()],
        )
    except ValueError:
        messages.error(request, "复查日期：请选择日期。")
        return _back(v.pk)
    except DomainError as exc:
        _flash(request, exc)
        return _back(v.pk)
    messages.success(request, "整改复查已安排（不受频次上限限制，依据为整改指令书）。")
    return _back(f.pk)


@_action
def follow_up_result(request, v):
    services.record_follow_up_result(
        actor=request.user,
        visit=v,
        result=request.POST.get("result", ""),
        notes=request.POST.get("notes", ""),
    )
    return "复查结论已记录。"


# ------------------------------------------------ the justification's attachment


ATTACHMENT_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".png": "image/png"}


def attachment_response(v: Visit):
    """The stored attachment, always as a download (never rendered by the browser on our
    origin): Content-Disposition attachment, X-Content-Type-Options nosniff, a sandboxing CSP,
    and the type from the extension the server chose from the file's bytes."""
    from django.http import FileResponse

    from fairinspect.core.errors import NotFound

    f = v.justification_attachment
    if not f:
        raise NotFound("本次检查没有依据附件。")
    ext = "." + f.name.rsplit(".", 1)[-1].lower()
    try:
        handle = f.open("rb")
    except FileNotFoundError:
        raise NotFound("依据附件文件不存在。") from None
    resp = FileResponse(
        handle,
        as_attachment=True,
        filename=f"依据附件-{v.pk}{ext}",
        content_type=ATTACHMENT_TYPES.get(ext, "application/octet-stream"),
    )
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Security-Policy"] = "default-src 'none'; sandbox"
    resp["Cache-Control"] = "private, no-store"
    return resp


@login_required
def justification_attachment(request, visit_id: int):
    v = access.get_visit(request.user, visit_id)
    return attachment_response(v)


@_action
def attach_justification(request, v):
    services.attach_justification(
        actor=request.user, visit=v, upload=request.FILES.get("justification_attachment")
    )
    return "依据附件已上传。"


# ------------------------------------------------ documents


def _docx(content: bytes, name: str) -> HttpResponse:
    from urllib.parse import quote

    resp = HttpResponse(content, content_type=DOCX)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


@login_required
def document(request, visit_id: int, kind: str):
    v = access.get_visit(request.user, visit_id)
    if kind == "plan":
        return _docx(documents.plan_docx(v), f"现场检查方案-{v.pk}.docx")
    if kind == "record" and v.status == "done":
        return _docx(documents.record_docx(v), f"现场检查记录-{v.pk}.docx")
    if kind == "guidance" and v.guidance_given.exists():
        return _docx(documents.guidance_docx(v), f"安全生产合规指导告知书-{v.pk}.docx")
    if kind == "review" and v.follow_up_result:
        return _docx(documents.review_docx(v), f"整改复查意见书-{v.pk}.docx")
    from fairinspect.core.errors import NotFound

    raise NotFound("该文书尚未生成。")


@login_required
def order_document(request, order_id: int):
    registry_access.require_staff(request.user)
    o = access.get_order(request.user, order_id)
    return _docx(documents.order_docx(o), f"责令限期整改指令书-{o.pk}.docx")
