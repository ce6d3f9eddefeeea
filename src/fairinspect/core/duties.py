"""The Django side of separation of duties (R1.5): people and records into the values of
`rules.duties`, and one refusal every approving service raises.

Each app builds the `DutyObject` of its records in its `access.py` (`*_duty` functions); the
services call `require(...)` inside their transaction before changing anything, and the pages
call `check(...)` with the same object to hide or disable the button with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable

from fairinspect.rules import duties as rule
from fairinspect.rules.results import reason_dicts

from .errors import DomainError

Capacity = rule.Capacity
Participation = rule.Participation


class DutyRefused(DomainError):
    """403 with the stable code `separation_of_duties` and every reason."""

    status = 403


def bureau_of(department) -> tuple[int | None, str]:
    if department is None:
        return None, ""
    bureau = department.bureau
    return bureau.pk, bureau.name


def actor_of(user) -> rule.Actor:
    bureau_id, name = bureau_of(getattr(user, "department", None))
    return rule.Actor(user_id=user.pk, bureau_id=bureau_id, bureau_name=name)


def duty_object(
    label: str, department, participations: Iterable[rule.Participation]
) -> rule.DutyObject:
    bureau_id, name = bureau_of(department)
    return rule.DutyObject(
        label=label,
        bureau_id=bureau_id,
        bureau_name=name,
        participations=tuple(p for p in participations if p.user_id is not None),
    )


def part(
    user_id: int | None, capacity: rule.Capacity, role: str = "", step: str = ""
) -> rule.Participation:
    return rule.Participation(user_id=user_id, capacity=capacity, role=role, step=step)


def check(user, act_label: str, role: str, obj: rule.DutyObject) -> rule.DutyDecision:
    if user is None or not getattr(user, "is_authenticated", False):
        return rule.DutyDecision(False, (rule.Reason("not_logged_in", "请先登录。"),))
    return rule.check_duty(actor_of(user), rule.Act(act_label, str(role)), obj)


def require(user, act_label: str, role: str, obj: rule.DutyObject) -> None:
    """Raise `DutyRefused` (403, `separation_of_duties`) when the rule refuses."""
    decision = check(user, act_label, role, obj)
    if not decision.allowed:
        raise DutyRefused(
            rule.REFUSAL_CODE,
            decision.reasons[0].message,
            extra={"reasons": reason_dicts(decision.reasons)},
        )
