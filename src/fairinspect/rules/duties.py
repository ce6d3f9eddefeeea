"""Separation of duties (R1.5): who may approve, review or decide an object.

One rule for every approving, reviewing or deciding step in the system (on-site plans,
special inspections, annual plans, re-draws, merges, case filing, legal review, collective
discussion, decisions, the serious-dishonesty list and its removal):

1. Whoever drafted, submitted, proposed, requested or is on the team of an object never
   approves, reviews or decides it (重大执法决定法制审核、谁处罚谁决定谁负责).
2. Holding two roles is allowed; using both on one object is not: a person who already acted
   on the object in one role (for example 法制审核 as legal reviewer) does not act on it again
   in another role (for example 作出决定 as approver). Acting twice in the same role is fine
   (the approver who approved filing also decides).
3. An approver acts only within their own bureau: the city's sections act for the city bureau
   (市应急管理局), a district's staff for that district's bureau. A joint or merged visit
   belongs to the bureau of its lead department, so only the lead's approvers approve it.

Inputs are plain values the services build from their records; the result lists every reason,
so a page can show why the button is disabled and the service refuses with the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .results import Reason

REFUSAL_CODE = "separation_of_duties"


class Capacity(StrEnum):
    """How a person took part in an object."""

    DRAFTED = "drafted"  # 起草、登记、编制
    SUBMITTED = "submitted"  # 提交审批、报批
    TEAM = "team"  # 检查组成员、案件承办人员
    PROPOSED = "proposed"  # 提出建议（如建议列入名单）
    REQUESTED = "requested"  # 申请（如申请重新抽取）
    ACTED = "acted"  # took an approving, reviewing or deciding step in a role


# Capacities that always exclude a person from approving, reviewing or deciding the object.
AUTHORING = frozenset(
    {Capacity.DRAFTED, Capacity.SUBMITTED, Capacity.TEAM, Capacity.PROPOSED, Capacity.REQUESTED}
)

ROLE_LABELS = {
    "officer": "执法人员",
    "approver": "审批负责人",
    "legal_reviewer": "法制审核人员",
    "supervisor": "监督人员",
    "admin": "管理员",
    "case_file_reviewer": "案卷评查人员",
}

_CAPACITY_TEXT = {
    Capacity.DRAFTED: ("drafted_by_actor", "您起草（登记）了该{obj}"),
    Capacity.SUBMITTED: ("submitted_by_actor", "您提交（报批）了该{obj}"),
    Capacity.TEAM: ("actor_on_team", "您是该{obj}的检查组成员或承办人员"),
    Capacity.PROPOSED: ("proposed_by_actor", "您提出了该{obj}"),
    Capacity.REQUESTED: ("requested_by_actor", "您申请了该{obj}"),
}

# The codes of participation_reasons: a refusal for what the person did, not where they work.
PARTICIPATION_CODES = frozenset({code for code, _ in _CAPACITY_TEXT.values()} | {"other_role_used"})


@dataclass(frozen=True)
class Participation:
    """One person's part in an object: `role` and `step` only matter for ACTED. A part
    nobody holds (a record without its author, from before authors were stored) is None."""

    user_id: int | None
    capacity: Capacity
    role: str = ""
    step: str = ""


@dataclass(frozen=True)
class DutyObject:
    """What is to be approved: a label for messages (e.g. 现场检查方案), the bureau whose work
    it is, and everyone who took part in it so far."""

    label: str
    bureau_id: int | None
    bureau_name: str
    participations: tuple[Participation, ...] = ()


@dataclass(frozen=True)
class Actor:
    user_id: int
    bureau_id: int | None
    bureau_name: str = ""


@dataclass(frozen=True)
class Act:
    """The step about to be taken (e.g. 批准, 法制审核) and the role it is taken in."""

    label: str
    role: str


@dataclass(frozen=True)
class DutyDecision:
    allowed: bool
    reasons: tuple[Reason, ...]

    @property
    def message(self) -> str:
        return "；".join(r.message for r in self.reasons)


def participation_reasons(actor_id: int, act: Act, obj: DutyObject) -> list[Reason]:
    """Rules 1 and 2 alone: every reason the person's own part in `obj` keeps them from
    taking `act` on it. A step whose reviewer must come from elsewhere (a peer review of a
    case file by another unit) applies these and its own unit rule instead of rule 3."""
    reasons: list[Reason] = []
    seen: set[str] = set()
    for p in obj.participations:
        if p.user_id != actor_id:
            continue
        if p.capacity in AUTHORING:
            code, text = _CAPACITY_TEXT[p.capacity]
            if code in seen:
                continue
            seen.add(code)
            reasons.append(
                Reason(
                    code,
                    f"{text.format(obj=obj.label)}，不能{act.label}：起草、提交、建议或参与的人"
                    "不得审批、审核或决定同一事项（R1.5）。",
                )
            )
        elif p.role and p.role != act.role:
            code = "other_role_used"
            if code in seen:
                continue
            seen.add(code)
            used = ROLE_LABELS.get(p.role, p.role)
            now = ROLE_LABELS.get(act.role, act.role)
            reasons.append(
                Reason(
                    code,
                    f"您已以{used}身份对该{obj.label}办理“{p.step}”，不能再以{now}身份"
                    f"{act.label}：可以同时持有两种角色，但不能在同一事项上兼用（R1.5）。",
                )
            )
    return reasons


def check_duty(actor: Actor, act: Act, obj: DutyObject) -> DutyDecision:
    """Whether `actor` may take `act` on `obj`; every reason it may not, in order."""
    reasons = participation_reasons(actor.user_id, act, obj)
    if actor.bureau_id is None:
        reasons.append(
            Reason(
                "actor_without_bureau",
                f"您的账号未关联所在单位，不能{act.label}；请联系管理员设置所在部门。",
            )
        )
    elif obj.bureau_id is None:
        reasons.append(
            Reason("object_without_bureau", f"该{obj.label}未记录所属单位，不能{act.label}。")
        )
    elif actor.bureau_id != obj.bureau_id:
        reasons.append(
            Reason(
                "other_bureau",
                f"该{obj.label}属于{obj.bureau_name}，只能由{obj.bureau_name}的人员{act.label}"
                f"（您属于{actor.bureau_name or '其他单位'}）：审批只在本单位内进行（R1.5）。",
            )
        )
    return DutyDecision(not reasons, tuple(reasons))
