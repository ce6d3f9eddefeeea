"""Who may see or change plans, tasks, draws and special inspections.

Plans and tasks belong to a bureau (the city's or a district's). City staff see all of
them, district staff their own bureau's. Officers (or the administrator) of the bureau draft
and run them; the bureau's approver (审批负责人, the unit head) approves. The public sees
only what is published, without logging in.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import F, FilteredRelation, Q, QuerySet

from fairinspect.core.errors import Forbidden, NotFound
from fairinspect.core.prepared import Prepared
from fairinspect.core.roles import Role, has_role
from fairinspect.registry.access import is_staff
from fairinspect.registry.models import Department

from .models import AnnualPlan, Draw, Pool, SamplingTask, SpecialInspection


def bureau_of(user) -> Department | None:
    dept = getattr(user, "department", None)
    return dept.bureau if dept is not None else None


def _city_wide(user) -> bool:
    if has_role(user, Role.ADMIN):
        return True
    bureau = bureau_of(user)
    return bureau is not None and bureau.level == "city"


def require_staff(user) -> None:
    if not is_staff(user):
        raise Forbidden("只有本局工作人员可以查看。")


def _own(user, qs: QuerySet) -> QuerySet:
    require_staff(user)
    if _city_wide(user):
        return qs
    bureau = bureau_of(user)
    return qs.filter(department=bureau) if bureau else qs.none()


def require_planner(user, department: Department | None = None) -> Department:
    """An officer (or the administrator) of the bureau that owns the plan; returns it."""
    if not has_role(user, Role.OFFICER, Role.ADMIN):
        raise Forbidden("只有执法人员（计划编制人员）可以执行此操作。")
    bureau = bureau_of(user)
    if department is not None:
        if has_role(user, Role.ADMIN) or (bureau is not None and bureau.pk == department.pk):
            return department
        raise Forbidden("只能办理本单位的计划与抽查。")
    if bureau is None:
        raise Forbidden("您的账号未关联所在部门，请联系管理员。")
    return bureau


def require_approver(user, department: Department) -> None:
    """The unit head (审批负责人) of the owning bureau, or the administrator."""
    if has_role(user, Role.ADMIN):
        return
    bureau = bureau_of(user)
    if not has_role(user, Role.APPROVER) or bureau is None or bureau.pk != department.pk:
        raise Forbidden("只有本单位审批负责人可以审批。")


def plans_visible_to(user) -> QuerySet[AnnualPlan]:
    return _own(user, AnnualPlan.objects.select_related("department"))


def get_plan(user, plan_id: int) -> AnnualPlan:
    plan = plans_visible_to(user).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound()
    return plan


def tasks_visible_to(user) -> QuerySet[SamplingTask]:
    return _own(user, SamplingTask.objects.select_related("department"))


def get_task(user, task_id: int) -> SamplingTask:
    task = tasks_visible_to(user).filter(pk=task_id).first()
    if task is None:
        raise NotFound()
    return task


def get_draw(user, draw_id: int) -> Draw:
    draw = Draw.objects.select_related("task__department").filter(pk=draw_id).first()
    if draw is None or not tasks_visible_to(user).filter(pk=draw.task_id).exists():
        raise NotFound()
    return draw


def specials_visible_to(user) -> QuerySet[SpecialInspection]:
    return _own(user, SpecialInspection.objects.select_related("department"))


def get_special(user, special_id: int) -> SpecialInspection:
    special = specials_visible_to(user).filter(pk=special_id).first()
    if special is None:
        raise NotFound()
    return special


# ---- the public site (no login) -----------------------------------------------------------


def public_plans() -> QuerySet[AnnualPlan]:
    return AnnualPlan.objects.filter(status=AnnualPlan.Status.PUBLISHED).select_related(
        "department"
    )


def get_public_plan(plan_id: int) -> AnnualPlan:
    plan = public_plans().filter(pk=plan_id).first()
    if plan is None:
        raise NotFound()
    return plan


def public_tasks() -> QuerySet[SamplingTask]:
    """Tasks whose pools are published: the public may watch a draw from that moment."""
    return SamplingTask.objects.exclude(status=SamplingTask.Status.DRAFT).select_related(
        "department"
    )


def get_public_task(task_id: int) -> SamplingTask:
    task = public_tasks().filter(pk=task_id).first()
    if task is None:
        raise NotFound()
    return task


def public_draws() -> QuerySet[Draw]:
    """Every draw that has been run: the seed was made in public, so its result is public
    at once, and a draw superseded by a re-draw stays visible (it cannot be hidden and
    repeated until the result suits someone)."""
    return Draw.objects.filter(drawn_at__isnull=False).select_related("task__department")


# The public draw page's read, prepared (core/prepared.py): anyone may open it, often.
_PUBLIC_DRAW = Prepared(lambda pk: public_draws().defer("visit_ids").filter(pk=pk), pk=-1_000_021)


def get_public_draw(draw_id: int) -> Draw:
    # The result is rows (DrawPairing): the public page reads a page of them and checks the
    # digests stored on the draw; the visits' ids (as many as the selected) stay unread.
    found = _PUBLIC_DRAW.objects(pk=draw_id)
    if not found:
        raise NotFound()
    return found[0]


# What the public draw page shows of the task (the rest loads if ever read).
PAGE_TASK_FIELDS = ("title", "pools_published_at", "weighted_by_risk")


def _public_draw_page_qs(pk: int) -> QuerySet[Draw]:
    """The draw, its task and both pools' published facts (id, hash, size, and the stored
    text's digest; on SQLite the text itself, which the verification hashes there), the
    pools joined by kind (one per task and kind): one statement."""
    draw_fields = [f.name for f in Draw._meta.concrete_fields if f.name != "visit_ids"]
    qs = (
        public_draws()
        .select_related(None)
        .select_related("task")
        .only(*draw_fields, *(f"task__{f}" for f in PAGE_TASK_FIELDS))
        .order_by()
    )
    for kind in Pool.Kind.values:
        qs = qs.annotate(
            **{
                f"_pool_{kind}": FilteredRelation(
                    "task__pools", condition=Q(task__pools__kind=kind)
                )
            }
        )
        qs = qs.annotate(**{f"_{kind}_{c}": F(f"_pool_{kind}__{c}") for c in _page_pool_fields()})
    return qs.filter(pk=pk)


def _page_pool_fields() -> list[str]:
    fields = ["id", "sha256", "text_sha256", "size"]
    return fields if connection.vendor == "postgresql" else [*fields, "text"]


_PUBLIC_DRAW_PAGE = Prepared(_public_draw_page_qs, pk=-1_000_024)


def get_public_draw_page(draw_id: int) -> tuple[Draw, Pool, Pool]:
    """The public draw page's read (core/prepared.py): the draw and its two pools (enterprises,
    officers; the pools' other fields deferred), one prepared statement."""
    found = _PUBLIC_DRAW_PAGE.objects(pk=draw_id)
    if not found:
        raise NotFound()
    draw = found[0]
    names = _page_pool_fields()
    order = [f.attname for f in Pool._meta.concrete_fields]
    pools = []
    for kind in (Pool.Kind.ENTERPRISES, Pool.Kind.OFFICERS):
        loaded = {c: getattr(draw, f"_{kind}_{c}") for c in names}
        if loaded["id"] is None:
            raise NotFound()  # a run draw always has its pools; never a half-read page
        loaded |= {"task_id": draw.task_id, "kind": kind.value}
        pools.append(
            Pool.from_db(draw._state.db, list(loaded), [loaded[a] for a in order if a in loaded])
        )
    return draw, pools[0], pools[1]


def public_specials() -> QuerySet[SpecialInspection]:
    return SpecialInspection.objects.filter(
        status=SpecialInspection.Status.ANNOUNCED
    ).select_related("department")


# ---- separation of duties (R1.5) -------------------------------------------------------------
# The records as `rules.duties` sees them; services require the decision, pages show it.


def plan_duty(plan: AnnualPlan):
    from fairinspect.core.duties import Capacity, duty_object, part

    return duty_object(
        "年度监督检查计划",
        plan.department,
        [
            part(plan.created_by_id, Capacity.DRAFTED),
            part(plan.submitted_by_id, Capacity.SUBMITTED),
        ],
    )


def special_duty(special: SpecialInspection):
    from fairinspect.core.duties import Capacity, duty_object, part

    return duty_object(
        "专项检查申请",
        special.department,
        [
            part(special.requested_by_id, Capacity.DRAFTED),
            part(special.submitted_by_id, Capacity.SUBMITTED),
        ],
    )


def redraw_duty(draw: Draw):
    from fairinspect.core.duties import Capacity, duty_object, part

    task = draw.task
    return duty_object(
        "重新抽取申请",
        task.department,
        [
            part(draw.requested_by_id, Capacity.REQUESTED),
            part(task.created_by_id, Capacity.DRAFTED),
        ],
    )


def approval(user, obj, act: str = "审批"):
    """The duties decision for a page: whether `user` may approve `obj` and why not."""
    from fairinspect.core.duties import check

    return check(user, act, Role.APPROVER, obj)
