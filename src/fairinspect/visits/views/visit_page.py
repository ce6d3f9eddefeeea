"""The visit page and its actions."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fairinspect.core.errors import DomainError, ValidationFailed
from fairinspect.core.roles import Role, has_role

from .. import access, guidance, qr, queries, services
from ..models import Recording, Visit
from ._common import _back, _flash
from .field_context import field_context


@login_required
def detail(request, visit_id: int):
    v = access.get_visit(request.user, visit_id)
    return render_detail(request, v)


def render_detail(request, v: Visit, *, typed: dict | None = None, status: int = 200):
    """The visit page. After a refused form `typed` is {form name: what was sent}, so that
    form shows again with what the officer typed (status 422, nothing saved)."""
    officer = services.officer_of(request.user)
    team = queries.team_of(v)
    confirmed = {c.officer_id for c in v.checkins.all()}
    on_team = officer is not None and any(m.officer_id == officer.pk for m in team)
    items = queries.items_of(v)
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
    ctx["typed"] = typed = typed or {}
    if "record_guidance" in typed:
        ctx["guidance_checked"] = set(typed["record_guidance"].getlist("entry_codes"))
        ctx["guidance_audiences"] = set(typed["record_guidance"].getlist("audiences"))
    if "order" in typed:
        ctx["order_hazards_typed"] = set(typed["order"].getlist("hazard_ids"))
    for key, sent in typed.items():
        if key.startswith("follow_up_") and key[len("follow_up_") :].isdigit():
            ctx["follow_up_typed"], ctx["follow_up_typed_order"] = sent, int(key[10:])
    ctx.update(field_context(request, v))
    if v.status == "plan_submitted" and ctx["is_approver"]:
        ctx["approval"] = access.plan_approval(request.user, v)
        # What pressing 批准方案 will answer: the approval service's own rule.
        ctx["approval_verdict"] = queries.approval_verdict(v, today=timezone.localdate())
    if v.status == "approved":
        pc_facts = queries.visit_facts(v.enterprise_id, timezone.localdate().year)
        ctx["verdict"] = queries.verdict_for(
            v, facts=pc_facts, today=timezone.localdate(), officer=officer
        )
    return render(request, "visits/detail.html", ctx, status=status)


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
            # The page again, with what was typed in the refused form (nothing was saved).
            v.refresh_from_db()
            return render_detail(request, v, typed={fn.__name__: request.POST}, status=422)
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
        raise ValidationFailed("file_missing", "请选择要上传的文件。", field="file")
    rec = finding = None
    if request.POST.get("recording", "").isdigit():
        rec = Recording.objects.filter(visit=v, pk=request.POST["recording"]).first()
    if request.POST.get("finding", "").isdigit():
        finding = v.findings.filter(pk=request.POST["finding"]).first()
    p = request.POST
    hazard = v.hazards.filter(pk=p["hazard"]).first() if p.get("hazard", "").isdigit() else None
    from ..services.field import _coord

    try:
        accuracy = float(p["accuracy"]) if p.get("accuracy") else None
    except ValueError:
        accuracy = None
    m = services.upload_media(
        actor=request.user,
        visit=v,
        upload=f,
        recording=rec,
        finding=finding,
        hazard=hazard,
        capture_lat=_coord(p.get("lat")),
        capture_lng=_coord(p.get("lng")),
        capture_accuracy=accuracy,
    )
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
        raise ValidationFailed(
            "deadline_invalid", "deadline：整改期限请选择日期。", field="deadline"
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
def set_location(request, v):
    from .. import presence

    p = request.POST
    presence.set_location(
        actor=request.user,
        enterprise=v.enterprise,
        lat=p.get("lat"),
        lng=p.get("lng"),
        accuracy=p.get("accuracy"),
    )
    return "企业位置已登记。"


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
        messages.error(request, _("planned_date：复查日期请选择日期。"))
        return render_detail(request, v, typed={f"follow_up_{o.pk}": request.POST}, status=422)
    except DomainError as exc:
        _flash(request, exc)
        return render_detail(request, v, typed={f"follow_up_{o.pk}": request.POST}, status=422)
    messages.success(request, _("整改复查已安排（不受频次上限限制，依据为整改指令书）。"))
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
