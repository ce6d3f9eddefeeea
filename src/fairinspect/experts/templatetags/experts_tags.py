"""`{% visit_experts v %}` on the visit (plan) page: the experts on the team, adding one from
the pool with the conflict rule's answer, their advice (apart from the decision) and the
evaluation after the visit."""

from __future__ import annotations

from django import template

from fairinspect.core.roles import Role, has_role
from fairinspect.registry.access import officer_of
from fairinspect.visits import queries as visit_queries

from .. import queries

register = template.Library()


@register.inclusion_tag("experts/_visit_experts.html", takes_context=True)
def visit_experts(context, visit):
    user = context["request"].user
    officer = officer_of(user)
    on_team = visit_queries.on_team(visit, officer)
    can_arrange = on_team or has_role(user, Role.APPROVER)
    experts = list(visit.experts.all())
    evaluated = set(visit.expert_evaluations.values_list("expert_id", flat=True))
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "v": visit,
        "experts": experts,
        "officers": visit_queries.team_size(visit),
        "on_team": on_team,
        "can_arrange": can_arrange and visit.status == "draft",
        "candidates": queries.candidates(visit) if can_arrange and visit.status == "draft" else [],
        "advice": visit.expert_advice.select_related("expert"),
        "evaluations": visit.expert_evaluations.select_related("expert"),
        "to_evaluate": [e for e in experts if e.pk not in evaluated]
        if visit.status == "done"
        else [],
    }
