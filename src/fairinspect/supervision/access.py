"""Who may see or change supervision records. Pages and the API both go through here.

The complainant's identity (name, phone) is shown only to the staff handling the complaint —
supervisors and administrators, and the handler it was assigned to — and never to the officer
complained about or to anyone of the unit complained about, whatever other role they hold.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from fairinspect.core.errors import Forbidden, NotFound
from fairinspect.core.roles import Role, has_role

from .models import Breach, Complaint, ConductCase

HANDLING_ROLES = (Role.OFFICER, Role.APPROVER)


def require_supervisor(user) -> None:
    if not has_role(user, Role.SUPERVISOR, Role.ADMIN):
        raise Forbidden("只有监督人员或管理员可以查看审计记录。")


def require_supervision_staff(user) -> None:
    if not has_role(user, Role.SUPERVISOR, Role.ADMIN):
        raise Forbidden("只有监督人员或管理员可以办理此项。")


def is_supervision(user) -> bool:
    return has_role(user, Role.SUPERVISOR, Role.ADMIN)


def _about_user(user) -> Q:
    """Complaints about this user or their unit: never theirs to read."""
    q = Q(officer__user_id=user.pk)
    if user.department_id:
        q |= Q(complained_unit_id=user.department_id)
    return q


def complaints_visible_to(user) -> QuerySet[Complaint]:
    qs = Complaint.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if is_supervision(user):
        return qs.exclude(_about_user(user))
    if has_role(user, *HANDLING_ROLES) and user.department_id:
        return qs.filter(handling_unit_id=user.department_id).exclude(_about_user(user))
    return qs.none()


def get_complaint(user, pk: int) -> Complaint:
    c = (
        complaints_visible_to(user)
        .select_related("enterprise", "officer", "handling_unit", "complained_unit", "handler")
        .filter(pk=pk)
        .first()
    )
    if c is None:
        raise NotFound("没有找到该投诉举报，或您无权查看。")
    return c


def can_see_identity(user, complaint: Complaint) -> bool:
    if not user.is_authenticated:
        return False
    if complaint.officer_id and complaint.officer and complaint.officer.user_id == user.pk:
        return False
    if user.department_id and user.department_id == complaint.complained_unit_id:
        return False
    if is_supervision(user):
        return True
    return complaint.handler_id == user.pk


def complaint_actor(user, complaint: Complaint) -> str | None:
    """The rule's actor this user is for this complaint ("supervision" / "handler")."""
    if is_supervision(user):
        return "supervision"
    if (
        has_role(user, *HANDLING_ROLES)
        and user.department_id
        and user.department_id == complaint.handling_unit_id
    ):
        return "handler"
    return None


def breaches_visible_to(user) -> QuerySet[Breach]:
    """Supervisors and administrators see every breach; a staff member the ones assigned to
    them (to explain or rectify)."""
    if not user.is_authenticated:
        return Breach.objects.none()
    if is_supervision(user):
        return Breach.objects.all()
    return Breach.objects.filter(assigned_to_id=user.pk)


def get_breach(user, pk: int) -> Breach:
    b = breaches_visible_to(user).select_related("enterprise", "department").filter(pk=pk).first()
    if b is None:
        raise NotFound("没有找到该违规线索，或您无权查看。")
    return b


def get_conduct_case(user, pk: int) -> ConductCase:
    require_supervision_staff(user)
    c = ConductCase.objects.exclude(officer__user_id=user.pk).filter(pk=pk).first()
    if c is None:
        raise NotFound()
    return c
