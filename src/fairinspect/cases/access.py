"""Who may see cases. Pages and the API both fetch cases only through here.

Staff see the cases of the enterprises they may see (city staff all, district staff their
district's); enterprise users and experts see no case pages: the party receives its documents
by service (送达), and the public reads the redacted disclosure list.
"""

from __future__ import annotations

from django.db.models import QuerySet

from fairinspect.core.errors import Forbidden, NotFound
from fairinspect.core.roles import Role, has_role
from fairinspect.registry.access import enterprises_visible_to

from .models import Case, DishonestyListing

CASE_ROLES = (Role.OFFICER, Role.APPROVER, Role.LEGAL_REVIEWER, Role.SUPERVISOR, Role.ADMIN)


def require_case_staff(user) -> None:
    if not has_role(user, *CASE_ROLES):
        raise Forbidden("只有执法、审批、法制审核、监督人员可以查看行政处罚案件。")


def cases_visible_to(user) -> QuerySet[Case]:
    require_case_staff(user)
    ents = enterprises_visible_to(user)
    if not ents.query.where:  # city-wide staff: no filter, no subquery (the overdue list's count)
        return Case.objects.all()
    return Case.objects.filter(enterprise__in=ents)


def get_case(user, case_id: int) -> Case:
    case = (
        cases_visible_to(user)
        .select_related("enterprise", "created_by", "pair")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound()
    return case


def require_officer(user) -> None:
    if not has_role(user, Role.OFFICER):
        raise Forbidden("只有执法人员可以登记立案。")


def listings_visible_to(user) -> QuerySet[DishonestyListing]:
    require_case_staff(user)
    return DishonestyListing.objects.filter(enterprise__in=enterprises_visible_to(user))


def require_publisher(user) -> None:
    if not has_role(user, Role.ADMIN, Role.APPROVER):
        raise Forbidden("只有管理员或单位负责人可以公布包容免罚清单。")
