"""Pages of the expert pool (R12.1) and the plan page's expert block (R12.2)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fairinspect.core.errors import DomainError, Forbidden, ValidationFailed
from fairinspect.registry.models import Enterprise, Expert
from fairinspect.rules.experts import default_policy
from fairinspect.visits import access as visit_access

from . import access, queries, services
from .models import Appointment, Tie


def _opt_date(raw: str, field: str) -> dt.date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    return _date(raw, field)


def _date(raw: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat((raw or "").strip())
    except ValueError:
        raise ValidationFailed(
            "bad_date", f"{field}：日期格式应为 YYYY-MM-DD。", field=field
        ) from None


def _flash(request, exc: DomainError) -> None:
    for r in exc.extra.get("reasons", [{"message": exc.message}]):
        messages.error(request, r["message"])


@login_required
def pool(request):
    access.require_staff(request.user)
    return _render_pool(request)


def _render_pool(request, status: int = 200):
    """The pool; after a refused selection, its form shows what was typed (`data`)."""
    today = timezone.localdate()
    return render(
        request,
        "experts/pool.html",
        {
            "experts": queries.pool(today),
            "today": today,
            "can_manage": access.can_manage(request.user),
            "methods": Appointment.Method.choices,
            "policy": default_policy(),
            "data": request.POST,
        },
        status=status,
    )


@login_required
@require_POST
def select(request):
    access.require_staff(request.user)
    p = request.POST
    try:
        e = services.select_expert(
            actor=request.user,
            name=p.get("name", ""),
            title=p.get("title", ""),
            employer=p.get("employer", ""),
            specialties=[
                s for s in p.get("specialties", "").replace("，", ",").split(",") if s.strip()
            ],
            phone=p.get("phone", ""),
            method=p.get("method", ""),
            selected_on=_date(p.get("selected_on", ""), "selected_on"),
            basis=p.get("basis", ""),
            term_from=_date(p.get("term_from", ""), "term_from"),
            term_to=_date(p.get("term_to", ""), "term_to"),
            document_number=p.get("document_number", ""),
        )
    except DomainError as exc:
        _flash(request, exc)
        return _render_pool(request, status=422)
    messages.success(request, _("已遴选并聘任专家%(name)s。") % {"name": e.name})
    return redirect("experts:detail", e.pk)


@login_required
def detail(request, expert_id: int):
    access.require_staff(request.user)
    e = get_object_or_404(Expert, pk=expert_id)
    return _render_detail(request, e)


def _render_detail(request, e: Expert, *, action: str = "", typed=None, status: int = 200):
    """The expert's page; after a refusal, the refused form (`action`) shows what was typed."""
    return render(
        request,
        "experts/detail.html",
        {
            "typed_action": action,
            "typed": typed or {},
            "e": e,
            "appointments": e.appointments.select_related("appointed_by"),
            "trainings": e.trainings.all(),
            "ties": e.ties.select_related("enterprise"),
            "evaluations": e.evaluations.select_related("visit__enterprise"),
            "advice": e.advice.select_related("visit__enterprise"),
            "can_manage": access.can_manage(request.user),
            "tie_kinds": Tie.KINDS,
            "methods": Appointment.Method.choices,
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
@require_POST
def act(request, expert_id: int, action: str):
    access.require_staff(request.user)
    e = get_object_or_404(Expert, pk=expert_id)
    p = request.POST
    try:
        if action == "training":
            services.record_training(
                actor=request.user, expert=e, on=_date(p.get("on", ""), "on"),
                topic=p.get("topic", ""), hours=p.get("hours", ""), provider=p.get("provider", ""),
            )  # fmt: skip
        elif action == "tie":
            ent = Enterprise.objects.filter(credit_code=p.get("credit_code", "").strip()).first()
            if ent is None:
                raise ValidationFailed(
                    "enterprise_unknown",
                    "credit_code：没有这个统一社会信用代码的企业。",
                    field="credit_code",
                )
            services.declare_tie(
                actor=request.user, expert=e, enterprise=ent, kind=p.get("kind", ""),
                started_on=_opt_date(p.get("started_on", ""), "started_on"),
                ended_on=_opt_date(p.get("ended_on", ""), "ended_on"),
                note=p.get("note", ""),
            )  # fmt: skip
        elif action == "appoint":
            services.appoint(
                actor=request.user, expert=e, method=p.get("method", ""),
                selected_on=_date(p.get("selected_on", ""), "selected_on"), basis=p.get("basis", ""),
                term_from=_date(p.get("term_from", ""), "term_from"),
                term_to=_date(p.get("term_to", ""), "term_to"),
                document_number=p.get("document_number", ""),
            )  # fmt: skip
        else:
            raise Forbidden("未知操作。")
    except DomainError as exc:
        # Refused: the page again, with the message naming the field and what was typed kept;
        # nothing saved.
        _flash(request, exc)
        return _render_detail(request, e, action=action, typed=p, status=422)
    messages.success(request, _("已记录。"))
    return redirect("experts:detail", e.pk)


@login_required
@require_POST
def visit_act(request, visit_id: int, action: str):
    """The plan page's expert block: add, remove, advice, evaluate."""
    v = visit_access.get_visit(request.user, visit_id)
    e = get_object_or_404(Expert, pk=request.POST.get("expert") or 0)
    p = request.POST
    try:
        if action == "add":
            services.add_to_visit(actor=request.user, visit=v, expert=e)
        elif action == "remove":
            services.remove_from_visit(actor=request.user, visit=v, expert=e)
        elif action == "advice":
            services.record_advice(actor=request.user, visit=v, expert=e, text=p.get("text", ""))
        elif action == "evaluate":
            raw = p.get("score", "")
            score = int(raw) if raw.isdigit() else raw
            services.evaluate(
                actor=request.user, visit=v, expert=e, score=score,
                comment=p.get("comment", ""), on=timezone.localdate(),
            )  # fmt: skip
        else:
            raise Forbidden("未知操作。")
    except DomainError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("已办理。"))
    return redirect(f"/visits/{v.pk}/#experts")
