"""Template tags: one self-check answer's fields (the form re-renders what was typed), and the
enterprise's rectification reports on the officer's visit page (issued orders and the
follow-up's order), with the review form for the team."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("enterprise/_answer_fields.html")
def answer_fields(code: str, post, items, optional: bool = False) -> dict:
    def v(name: str) -> str:
        return (post.get(f"{name}_{code}") or "") if post else ""

    return {
        "code": code,
        "optional": optional,
        "items": items,
        "result": v("result"),
        "place": v("place"),
        "note": v("note"),
        "inspection_item": v("inspection_item"),
        "measures": v("measures"),
        "deadline": v("deadline"),
    }


@register.inclusion_tag("enterprise/_visit_reports.html", takes_context=True)
def visit_reports(context, visit) -> dict:
    from django.db.models import Q

    from fairinspect.core.roles import Role, has_role
    from fairinspect.registry.access import officer_of
    from fairinspect.visits import queries as visit_queries

    from ..models import RectificationReport

    request = context.get("request")
    user = getattr(request, "user", None)
    q = Q(order__visit=visit)
    if visit.follow_up_order_id:
        q |= Q(order_id=visit.follow_up_order_id)
    reports = list(
        RectificationReport.objects.filter(q)
        .select_related("order")
        .prefetch_related("evidence")
        .order_by("-reported_at")
    )
    can_review = bool(
        user
        and has_role(user, Role.OFFICER, Role.APPROVER)
        and (has_role(user, Role.APPROVER) or visit_queries.on_team(visit, officer_of(user)))
    )
    return {"reports": reports, "can_review": can_review, "request": request}


@register.inclusion_tag("enterprise/_plan_self_inspecting.html")
def plan_self_inspecting(plan) -> dict:
    """On the annual plan: the enterprises of the plan's bureau whose self-inspection report
    for the plan's year was accepted (R10.4): no routine planned visit, no draw."""
    from fairinspect.planning.queries import plan_enterprises

    from ..queries import self_inspecting_enterprise_ids

    ents = list(
        plan_enterprises(plan.department)
        .filter(pk__in=self_inspecting_enterprise_ids(plan.year))
        .order_by("name")[:500]
    )
    return {"ents": ents, "year": plan.year}
