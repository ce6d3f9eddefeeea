from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from . import worklist
from .errors import Forbidden, NotFound
from .roles import has_role, roles_of


def home(request):
    return render(request, "core/home.html", {"roles": sorted(roles_of(request.user))})


@login_required
def work(request, queue: str):
    """One of the three work queues (today's visits, approvals, legal review)."""
    q = worklist.QUEUES.get(queue)
    if q is None:
        raise NotFound()
    if not has_role(request.user, q.role):
        raise Forbidden(f"这里是{q.role.label}的待办。")
    tabs = [t for t in worklist.QUEUES.values() if has_role(request.user, t.role)]
    today = timezone.localdate()
    return render(
        request,
        "core/work.html",
        {
            "queue": q,
            "tabs": tabs,
            "today": today,
            "sections": worklist.sections(queue, request.user, today),
        },
    )
