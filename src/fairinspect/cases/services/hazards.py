"""Cases from hazards found on visits: 一案双罚 and self-reported hazards (R7.6, R11.3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from fairinspect.audit import trail
from fairinspect.core.errors import Conflict, ValidationFailed

from ..models import (
    Case,
)
from .procedure import open_case

# ---- cases from hazards found on visits: 一案双罚 and self-reported hazards (R7.6, R11.3) ---------

SELF_REPORTED_BASIS = (
    "依据《关于规范行政执法行为的措施》第九条（附件九）：“对企业自查查出的重大事故隐患，已按规定报告并"
    "正在采取有效措施消除的依法不予处罚”（R11.3）"
)
UNIT_HAZARD_VIOLATION = "AQSCF2021-101-5"  # 重大事故隐患排查治理情况未按照规定报告
GENERAL_HAZARD_VIOLATION = "AQSCF2021-102"  # 未采取措施消除事故隐患
MAIN_PERSON_VIOLATION = "AQSCF2021-94"  # 主要负责人未履行安全生产管理职责（第二十一条第五项）


def hazard_plan(hazard) -> dict[str, Any]:
    """What opening a case from this hazard would do, and why (shown before the officer
    confirms; the service applies the same rule). R11.3 and R7.6 are decided by one rule,
    `rules.selfcheck.decide_found_hazard`, over the enterprise's own reports
    (`enterprise.queries.hazard_decision`): a major hazard the enterprise reported and is
    rectifying (same item, same place, reported first) is not penalised without anyone
    having to mark it; an unreported one is 一案双罚."""
    from fairinspect.enterprise.queries import hazard_decision
    from fairinspect.rules.selfcheck import HazardOutcome

    d = hazard_decision(hazard)
    return {
        "allowed": d.penalise,
        "double": d.outcome is HazardOutcome.DOUBLE_PENALTY,
        "reason": d.reasons[0].message,
        "match": list(d.match.explanation),
        "self_report": d.match.report.number if d.match.report else "",
    }


def open_cases_from_hazard(
    *, actor, hazard, on: dt.date, violation_code: str = "", facts_text: str = ""
) -> list[Case]:
    """One case (general hazard) or two linked cases (一案双罚: the unit and its main person
    in charge) for a hazard officers found; refused for a hazard the enterprise reported."""
    plan = hazard_plan(hazard)
    if not plan["allowed"]:
        raise Conflict(
            "self_reported_hazard",
            plan["reason"],
            extra={"reasons": [{"code": "self_reported_hazard", "message": plan["reason"]}]},
        )
    if Case.objects.filter(hazard=hazard).exists():
        raise Conflict("hazard_has_case", "该隐患已立案，不得重复立案。")
    ent = hazard.enterprise
    level = "重大事故隐患" if hazard.level == "major" else "事故隐患"
    source = f"执法检查发现（检查编号{hazard.visit_id}，{level}：{hazard.description[:60]}）"
    text = facts_text or (
        f"{on.year}年{on.month}月{on.day}日前，执法人员在检查中发现该单位"
        f"{hazard.place or ''}存在{level}：{hazard.description}。"
        + ("该隐患未经企业自查报告。" if hazard.level == "major" else "")
    )
    link = {"hazard": hazard, "visit_id": hazard.visit_id}
    with transaction.atomic():
        unit_code = violation_code or (
            UNIT_HAZARD_VIOLATION if plan["double"] else GENERAL_HAZARD_VIOLATION
        )
        unit = open_case(
            actor=actor,
            enterprise=ent,
            party="unit",
            violation_code=unit_code,
            facts_text=text,
            source=source,
            on=on,
            extra_fields=link,
        )
        if not plan["double"]:
            return [unit]
        if not ent.main_person.strip():
            raise ValidationFailed(
                "missing_main_person",
                "企业未登记主要负责人，无法对主要负责人立案"
                "（一案双罚）。请先在企业登记中补充主要负责人。",
                field="main_person",
            )
        person = open_case(
            actor=actor,
            enterprise=ent,
            party="person",
            violation_code=MAIN_PERSON_VIOLATION,
            person_name=ent.main_person,
            person_role="主要负责人",
            cause=f"{ent.main_person}（{ent.name}主要负责人）未履行安全生产管理职责",
            facts_text=text + "该单位主要负责人未组织落实隐患排查治理、及时消除事故隐患。",
            source=source,
            on=on,
            extra_fields=link,
        )
        Case.objects.filter(pk=unit.pk).update(pair=person)
        Case.objects.filter(pk=person.pk).update(pair=unit)
        trail.record(
            actor=actor,
            action="case.double_penalty",
            obj=unit,
            summary=f"一案双罚：{ent.name}及其主要负责人",
            data={"person_case": person.pk},
        )
        unit.refresh_from_db()
        person.refresh_from_db()
        return [unit, person]
