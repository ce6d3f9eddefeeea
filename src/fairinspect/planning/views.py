"""Pages for plans, draws, special inspections and joint visits; the public pages need no
login. Thin: access, one service, render or redirect."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from fairinspect.catalog.queries import items_in_force
from fairinspect.core.errors import DomainError
from fairinspect.core.http import paginate
from fairinspect.core.roles import Role, has_role
from fairinspect.registry.models import Department, Enterprise
from fairinspect.registry.queries import district_names
from fairinspect.registry.tabular import write_xlsx

from . import access, draws, joint, queries, services
from .models import AnnualPlan, Draw, Pool, SamplingTask, SpecialInspection, SpecialQuota

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _act(request, fn, success: str) -> bool:
    """Run one service; show its refusal (with every reason) as a message."""
    try:
        fn()
    except DomainError as exc:
        reasons = exc.extra.get("reasons") or []
        detail = "".join(f"\n· {r['message']}" for r in reasons[1:]) if len(reasons) > 1 else ""
        messages.error(request, exc.message + detail)
        return False
    messages.success(request, success)
    return True


def _can_plan(user, department) -> bool:
    try:
        access.require_planner(user, department)
    except DomainError:
        return False
    return True


def _can_approve(user, department) -> bool:
    try:
        access.require_approver(user, department)
    except DomainError:
        return False
    return True


@login_required
def index(request):
    access.require_staff(request.user)
    return render(
        request,
        "planning/index.html",
        {
            "plans": access.plans_visible_to(request.user)[:10],
            "tasks": access.tasks_visible_to(request.user)[:10],
            "specials": access.specials_visible_to(request.user)[:10],
            "bureau": access.bureau_of(request.user),
        },
    )


# ---- conflicts of interest (回避) ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def conflicts(request):
    """Officers declare their own 回避 (the administrator for anyone); approvers, supervisors
    and the administrator see the declarations of their bureau's officers."""
    from . import conflicts as cf
    from .models import OfficerConflict

    user = request.user
    may_declare = has_role(user, Role.ADMIN) or cf.officer_of(user) is not None
    if not (may_declare or cf.can_review(user)):
        from fairinspect.core.errors import Forbidden

        raise Forbidden("只有执法人员、审批负责人、监督人员或管理员可以查看回避登记。")
    error = None
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            c = cf.declare(actor=user, data=request.POST.dict())
        except DomainError as exc:
            error = exc
        else:
            messages.success(
                request,
                f"已登记：{c.officer.name}对{c.enterprise.name}回避。此后公布的执法人员名录库将排除该组合。",
            )
            return redirect("planning:conflicts")
    qs = cf.conflicts_visible_to(user)
    q = (request.GET.get("q") or "").strip()[:50]
    kind = request.GET.get("kind", "")
    if q:
        from django.db.models import Q

        qs = qs.filter(
            Q(officer__name__icontains=q)
            | Q(enterprise__name__icontains=q)
            | Q(enterprise__credit_code__icontains=q)
        )
    if kind in OfficerConflict.Kind.values:
        qs = qs.filter(kind=kind)
    page, params = paginate(request, qs, per_page=30)
    from fairinspect.registry.models import Officer

    return render(
        request,
        "planning/conflicts.html",
        {
            "page": page,
            "params": params,
            "q": q,
            "kind": kind,
            "kinds": OfficerConflict.Kind.choices,
            "may_declare": may_declare,
            "is_admin": has_role(user, Role.ADMIN),
            "me": cf.officer_of(user),
            "officers": (
                Officer.objects.select_related("department").order_by("department__code", "name")[
                    :500
                ]
                if has_role(user, Role.ADMIN)
                else []
            ),
            "values": values,
            "error": error,
        },
        status=422 if error else 200,
    )


@login_required
@require_POST
def conflict_withdraw(request, conflict_id: int):
    from . import conflicts as cf

    if _act(
        request,
        lambda: cf.withdraw(
            actor=request.user, conflict_id=conflict_id, reason=request.POST.get("reason", "")
        ),
        "回避登记已撤销。",
    ):
        pass
    return redirect("planning:conflicts")


# ---- annual plans -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan_list(request):
    plans = access.plans_visible_to(request.user)
    if request.method == "POST":
        try:
            plan = services.create_plan(actor=request.user, data=request.POST)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已起草年度计划，请填写各类企业的计划检查次数。")
            return redirect("planning:plan_detail", plan.pk)
    return render(
        request,
        "planning/plan_list.html",
        {"plans": plans, "next_year": timezone.localdate().year},
    )


@login_required
def plan_detail(request, plan_id: int):
    plan = access.get_plan(request.user, plan_id)
    return render(request, "planning/plan_detail.html", _plan_context(request, plan))


def _plan_context(request, plan: AnnualPlan) -> dict:
    check = queries.plan_check(plan)
    lines = list(plan.lines.all())
    by_line = {(c.line.high_risk, c.line.grade.value): c for c in check.lines}
    return {
        "plan": plan,
        "rows": [(li, by_line[(li.high_risk, li.grade)]) for li in lines],
        "check": check,
        "cap_table_change": queries.cap_table_change(plan),
        "keys": plan.key_enterprises.select_related("enterprise"),
        "editable": plan.status == "draft" and _can_plan(request.user, plan.department),
        "can_submit": plan.status == "draft" and _can_plan(request.user, plan.department),
        "can_approve": _can_approve(request.user, plan.department),
        "approval": access.approval(request.user, access.plan_duty(plan)),
        "today": timezone.localdate(),
    }


@login_required
@require_POST
def plan_lines(request, plan_id: int):
    plan = access.get_plan(request.user, plan_id)
    rows = []
    for li in plan.lines.all():
        prefix = f"{'hr' if li.high_risk else 'nhr'}_{li.grade}_"
        rows.append(
            {
                "high_risk": li.high_risk,
                "grade": li.grade,
                "planned_visits": request.POST.get(prefix + "planned", li.planned_visits),
                "last_year_override": request.POST.get(prefix + "last", li.last_year_effective),
                "last_year_override_reason": request.POST.get(
                    prefix + "last_reason", li.last_year_override_reason
                ),
                "sampling_ratio": request.POST.get(prefix + "ratio", li.sampling_ratio),
            }
        )
    _act(
        request,
        lambda: services.update_plan_lines(actor=request.user, plan=plan, lines=rows),
        "已保存。",
    )
    return redirect("planning:plan_detail", plan.pk)


@login_required
@require_POST
def plan_key_add(request, plan_id: int):
    plan = access.get_plan(request.user, plan_id)
    _act(
        request,
        lambda: services.add_key_enterprise(actor=request.user, plan=plan, data=request.POST),
        "已列为重点检查企业。",
    )
    return redirect("planning:plan_detail", plan.pk)


@login_required
@require_POST
def plan_key_remove(request, plan_id: int, key_id: int):
    plan = access.get_plan(request.user, plan_id)
    _act(
        request,
        lambda: services.remove_key_enterprise(actor=request.user, plan=plan, key_id=key_id),
        "已移出重点检查企业。",
    )
    return redirect("planning:plan_detail", plan.pk)


PLAN_ACTIONS = {
    "submit": (lambda u, p, d: services.submit_plan(actor=u, plan=p), "已报市政府审批。"),
    "return": (
        lambda u, p, d: services.return_plan(actor=u, plan=p, reason=d.get("reason", "")),
        "已退回修改。",
    ),
    "approve": (
        lambda u, p, d: services.approve_plan(actor=u, plan=p, data=d),
        "已记录市政府批准。",
    ),
    "file": (lambda u, p, d: services.file_plan(actor=u, plan=p, data=d), "已记录备案。"),
    "publish": (lambda u, p, d: services.publish_plan(actor=u, plan=p), "已向社会公开。"),
}


@login_required
@require_POST
def plan_action(request, plan_id: int, action: str):
    plan = access.get_plan(request.user, plan_id)
    fn, msg = PLAN_ACTIONS.get(action, (None, ""))
    if fn is None:
        return HttpResponse(status=404)
    _act(request, lambda: fn(request.user, plan, request.POST), msg)
    return redirect("planning:plan_detail", plan.pk)


# ---- sampling tasks and draws -------------------------------------------------------------


@login_required
def task_list(request):
    tasks = access.tasks_visible_to(request.user)
    page, params = paginate(request, tasks)
    return render(request, "planning/task_list.html", {"page": page, "params": params})


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request):
    access.require_planner(request.user)
    values = request.POST if request.method == "POST" else {}
    error = None
    if request.method == "POST":
        data = request.POST.dict()
        data["items"] = request.POST.getlist("items")
        try:
            task = draws.create_task(actor=request.user, data=data)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, "已创建抽查任务。下一步：公布名录库。")
            return redirect("planning:task_detail", task.pk)
    return render(
        request,
        "planning/task_form.html",
        {
            "values": values,
            "chosen": request.POST.getlist("items") if request.method == "POST" else [],
            "error": error,
            "items": items_in_force(),
            "districts": sorted(district_names().items()),
        },
        status=422 if error else 200,
    )


@login_required
def task_detail(request, task_id: int):
    task = access.get_task(request.user, task_id)
    pools = {p.kind: p for p in task.pools.defer("text", "facts")}
    all_draws = list(task.draws.order_by("-sequence").select_related("approved_by"))
    live = draws.live_draw(task)
    pending = next((d for d in all_draws if d.status == "awaiting_approval"), None)
    return render(
        request,
        "planning/task_detail.html",
        {
            "task": task,
            "ent_pool": pools.get("enterprises"),
            "off_pool": pools.get("officers"),
            "draws": all_draws,
            "live": live,
            "pending": pending,
            "can_plan": _can_plan(request.user, task.department),
            "can_approve": _can_approve(request.user, task.department),
            "redraw_approval": (
                access.approval(request.user, access.redraw_duty(pending)) if pending else None
            ),
            "count": draws.draw_count(task, pools["enterprises"].size) if pools else None,
            "names": _names(live.selected if live else []),
            "officer_names": _officer_names(task) if live and live.selected else {},
        },
    )


def _officer_names(task: SamplingTask) -> dict[str, str]:
    facts = task.pools.filter(kind="officers").values_list("facts", flat=True).first() or {}
    return {k: v["name"] for k, v in facts.items()}


def _names(codes) -> dict[str, str]:
    return dict(
        Enterprise.objects.filter(credit_code__in=list(codes)).values_list("credit_code", "name")
    )


@login_required
@require_POST
def task_publish_pools(request, task_id: int):
    task = access.get_task(request.user, task_id)
    _act(
        request,
        lambda: draws.publish_pools(actor=request.user, task=task),
        "名录库已固定并公布（含SHA-256）。请在公开抽取现场产生随机种子。",
    )
    return redirect("planning:task_detail", task.pk)


@login_required
@require_POST
def task_redraw(request, task_id: int):
    task = access.get_task(request.user, task_id)
    _act(
        request,
        lambda: draws.request_redraw(
            actor=request.user, task=task, reason=request.POST.get("reason", "")
        ),
        "已提交重新抽取申请，待审批负责人批准。",
    )
    return redirect("planning:task_detail", task.pk)


DRAW_ACTIONS = {
    "seed": (
        lambda u, d, p: draws.record_seed(
            actor=u, draw=d, seed=p.get("seed", ""), entered_by=p.get("entered_by", "")
        ),
        "随机种子已录入。",
    ),
    "run": (lambda u, d, p: draws.run(actor=u, draw=d), "抽取完成。"),
    "publish": (lambda u, d, p: draws.publish_result(actor=u, draw=d), "抽取结果已公布。"),
    "approve": (
        lambda u, d, p: draws.decide_redraw(actor=u, draw=d, approve=True),
        "已批准重新抽取。",
    ),
    "reject": (
        lambda u, d, p: draws.decide_redraw(actor=u, draw=d, approve=False),
        "未批准重新抽取。",
    ),
}


@login_required
@require_POST
def draw_action(request, draw_id: int, action: str):
    draw = access.get_draw(request.user, draw_id)
    fn, msg = DRAW_ACTIONS.get(action, (None, ""))
    if fn is None:
        return HttpResponse(status=404)
    _act(request, lambda: fn(request.user, draw, request.POST), msg)
    return redirect("planning:task_detail", draw.task_id)


# ---- special inspections ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def special_list(request):
    qs = access.specials_visible_to(request.user)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    bureau = access.bureau_of(request.user)
    this_year = timezone.localdate().year
    quota = (
        SpecialQuota.objects.filter(department=bureau, year=this_year).first() if bureau else None
    )
    return render(
        request,
        "planning/special_list.html",
        {
            "specials": qs,
            "year": year,
            "quota": quota,
            "used": queries.special_used(bureau, this_year) if bureau else 0,
            "this_year": this_year,
            "can_approve": bureau is not None and _can_approve(request.user, bureau),
        },
    )


@login_required
def special_ledger(request):
    qs = access.specials_visible_to(request.user)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    data = write_xlsx(queries.LEDGER_LABELS, queries.special_ledger(qs), "专项检查台账")
    resp = HttpResponse(data, content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="special-inspections-{year or "all"}.xlsx"'
    return resp


@login_required
@require_POST
def special_quota(request):
    # Without a bureau, require_planner refuses with the reason.
    bureau = access.bureau_of(request.user) or access.require_planner(request.user)
    _act(
        request,
        lambda: services.set_special_quota(
            actor=request.user, department=bureau, data=request.POST
        ),
        "已设定年度专项检查限额。",
    )
    return redirect("planning:special_list")


@login_required
@require_http_methods(["GET", "POST"])
def special_create(request):
    access.require_planner(request.user)
    error = None
    if request.method == "POST":
        data = request.POST.dict()
        data["enterprises"] = [
            c
            for c in request.POST.get("enterprises", "")
            .replace("，", ",")
            .replace("\n", ",")
            .split(",")
        ]
        try:
            s = services.create_special(actor=request.user, data=data)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, "已起草。请提交单位负责人审批。")
            return redirect("planning:special_detail", s.pk)
    return render(
        request,
        "planning/special_form.html",
        {"values": request.POST, "error": error, "kinds": SpecialInspection.Kind.choices},
        status=422 if error else 200,
    )


@login_required
def special_detail(request, special_id: int):
    s = access.get_special(request.user, special_id)
    return render(
        request,
        "planning/special_detail.html",
        {
            "s": s,
            "can_plan": _can_plan(request.user, s.department),
            "can_approve": _can_approve(request.user, s.department),
            "approval": access.approval(request.user, access.special_duty(s)),
        },
    )


SPECIAL_ACTIONS = {
    "submit": (lambda u, s, p: services.submit_special(actor=u, special=s), "已提交审批。"),
    "approve": (
        lambda u, s, p: services.decide_special(
            actor=u, special=s, approve=True, note=p.get("note", "")
        ),
        "已批准并登记台账。",
    ),
    "reject": (
        lambda u, s, p: services.decide_special(
            actor=u, special=s, approve=False, note=p.get("note", "")
        ),
        "已不予批准。",
    ),
    "announce": (
        lambda u, s, p: services.announce_special(actor=u, special=s),
        "已在公开网站公告。",
    ),
}


@login_required
@require_POST
def special_action(request, special_id: int, action: str):
    s = access.get_special(request.user, special_id)
    fn, msg = SPECIAL_ACTIONS.get(action, (None, ""))
    if fn is None:
        return HttpResponse(status=404)
    _act(request, lambda: fn(request.user, s, request.POST), msg)
    return redirect("planning:special_detail", s.pk)


# ---- joint and merged visits --------------------------------------------------------------


@login_required
def joint_index(request):
    access.require_staff(request.user)
    window = request.GET.get("window", "30")
    window_days = int(window) if window.isdigit() and 1 <= int(window) <= 180 else 30
    return render(
        request,
        "planning/joint.html",
        {
            "proposals": joint.merge_proposals(user=request.user, window_days=window_days),
            "window": window_days,
            "plans": joint.joint_plans_visible_to(request.user)[:50],
            "can_merge": has_role(request.user, Role.APPROVER, Role.ADMIN),
            "cross_items": items_in_force().filter(cross_department=True),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def merge_approve(request):
    data = {
        "visit_ids": request.POST.getlist("visit_ids"),
        "planned_date": request.POST.get("planned_date", ""),
        "reason": request.POST.get("reason", ""),
    }
    _act(
        request,
        lambda: joint.merge(actor=request.user, data=data),
        "已合并为一次检查（综合查一次）。",
    )
    return redirect("planning:joint")


@login_required
@require_http_methods(["GET", "POST"])
def joint_create(request):
    access.require_planner(request.user)
    error, check = None, None
    if request.method == "POST":
        p = request.POST
        parties = []
        for code, role, duties in zip(
            p.getlist("party_department"),
            p.getlist("party_role"),
            p.getlist("party_duties"),
            strict=False,
        ):
            if code.strip():
                key = (
                    "department_code"
                    if Department.objects.filter(code=code.strip()).exists()
                    else "external_name"
                )
                parties.append({key: code.strip(), "role": role, "duties": duties})
        data = {
            "credit_code": p.get("credit_code", ""),
            "items": p.getlist("items"),
            "planned_date": p.get("planned_date", ""),
            "trigger": p.get("trigger", "annual_plan"),
            "officer_ids": p.getlist("officer_ids"),
            "parties": parties,
            "notes": p.get("notes", ""),
        }
        try:
            plan = joint.create_joint_plan(actor=request.user, data=data)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, "已生成联合检查计划和检查（计为一次）。")
            for w in plan.warnings:
                messages.warning(request, w["message"])
            return redirect("planning:joint")
    from fairinspect.registry.access import officers_visible_to

    return render(
        request,
        "planning/joint_form.html",
        {
            "values": request.POST,
            "error": error,
            "check": check,
            "items": items_in_force(),
            "departments": Department.objects.filter(kind="bureau"),
            "officers": officers_visible_to(request.user).filter(status="on_duty")[:300],
            "today": timezone.localdate(),
        },
        status=422 if error else 200,
    )


# ---- the public site ----------------------------------------------------------------------


def public_index(request):
    return render(
        request,
        "planning/public_index.html",
        {
            "plans": access.public_plans()[:50],
            "tasks": access.public_tasks()[:50],
            "specials": access.public_specials()[:50],
        },
    )


def public_plan(request, plan_id: int):
    plan = access.get_public_plan(plan_id)
    ctx = _plan_context(request, plan) | {
        "editable": False,
        "can_submit": False,
        "can_approve": False,
    }
    return render(request, "planning/public_plan.html", ctx)


def public_task(request, task_id: int):
    task = access.get_public_task(task_id)
    ent, off = draws.pools_of(task)
    all_draws = list(task.draws.filter(drawn_at__isnull=False).order_by("-sequence"))
    seed = request.GET.get("seed", "").strip()
    count_text = request.GET.get("count", "").strip()
    recomputed, error = None, None
    if seed or count_text:
        try:
            count = int(count_text)
        except ValueError:
            error = "抽取数量须为整数。"
        else:
            try:
                recomputed = draws.recompute(task, seed=seed, count=count)
            except DomainError as exc:
                error = exc.message
    codes = {c for d in all_draws for c in d.selected} | set(recomputed or ())
    return render(
        request,
        "planning/public_task.html",
        {
            "task": task,
            "ent_pool": ent,
            "off_pool": off,
            "draws": all_draws,
            "pending": task.draws.exclude(drawn_at__isnull=False)
            .exclude(status="rejected")
            .first(),
            "count": draws.draw_count(task, ent.size),
            "names": _names(codes),
            "seed": seed,
            "count_text": count_text,
            "recomputed": recomputed,
            "error": error,
        },
    )


def public_draw(request, draw_id: int):
    draw = access.get_public_draw(draw_id)
    ent, off = draws.pools_of(draw.task)
    check = draws.cached_verification(draw)
    officer_names = {k: v["name"] for k, v in off.facts.items()}
    return render(
        request,
        "planning/public_draw.html",
        {
            "draw": draw,
            "task": draw.task,
            "ent_pool": ent,
            "off_pool": off,
            "check": check,
            "names": _names(draw.selected),
            "officer_names": officer_names,
            "rows": [
                (i + 1, p, [(o, officer_names.get(o, "")) for o in p["officers"]])
                for i, p in enumerate(draw.pairings)
            ],
        },
    )


def public_pool_file(request, task_id: int, kind: str):
    task = access.get_public_task(task_id)
    if kind not in Pool.Kind.values:
        return HttpResponse(status=404)
    pool = task.pools.only("text").get(kind=kind)
    resp = HttpResponse(pool.text.encode("utf-8"), content_type="text/plain; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="task-{task.pk}-{kind}.txt"'
    return resp


def public_specials(request):
    return render(request, "planning/public_specials.html", {"specials": access.public_specials()})


def public_cross_items(request):
    return render(
        request,
        "planning/public_cross_items.html",
        {"items": items_in_force().filter(cross_department=True)},
    )


__all__ = ["Draw", "SamplingTask", "dt"]
