"""The drafted 现场检查方案 of new visits (R6.2): from the items, the enterprise profile, its
open hazards and the findings of its last visit done; read set-based for a whole batch
(creation.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber

from fairinspect.catalog.models import InspectionItem
from fairinspect.registry.models import Enterprise

from ..models import Finding, Hazard, InspectionPlan, Visit

# Open hazards named in a drafted plan, newest first.
PLAN_HAZARDS = 20


def _plan_item(i: InspectionItem) -> dict[str, Any]:
    return {
        "code": i.code,
        "name": i.name,
        "domain": i.domain,
        "content": list(i.content or []),
        "method": i.method_on_site or i.method_documents,
        "offsite_capable": i.offsite_capable,
        "offsite_insufficient_reason": "",
    }


def draft_plans(visits: Sequence[Visit], items: list[InspectionItem]) -> list[InspectionPlan]:
    """The drafted 现场检查方案 of each visit, from the items, the enterprise profile, its open
    hazards (newest first) and the findings of its last visit done. Three reads for the batch:
    the hazards (at most PLAN_HAZARDS an enterprise, by a window), each enterprise's last
    visit done (a subquery) and those visits' non-compliant findings."""
    ent_ids = {v.enterprise_id for v in visits}
    newest = Window(
        RowNumber(),
        partition_by=[F("enterprise_id")],
        order_by=[F("created_at").desc(), F("id").desc()],
    )
    hazards: dict[int, list[tuple[str, str, str]]] = {}
    for ent_id, level, desc, place in (
        Hazard.objects.filter(enterprise_id__in=ent_ids, status="open")
        .annotate(n=newest)
        .filter(n__lte=PLAN_HAZARDS)
        .order_by("enterprise_id", "n")
        .values_list("enterprise_id", "level", "description", "place")
    ):
        hazards.setdefault(ent_id, []).append((level, desc, place))
    # The new visits are drafts, so "done" never picks one of them.
    last_done = Visit.objects.filter(enterprise=OuterRef("pk"), status="done").order_by(
        "-checked_out_at", "-pk"
    )
    last: dict[int, int | None] = dict(
        Enterprise.objects.filter(pk__in=ent_ids)
        .annotate(last=Subquery(last_done.values("pk")[:1]))
        .values_list("pk", "last")
    )
    findings: dict[int, list[tuple[str, str]]] = {}
    for visit_id, code, notes in (
        Finding.objects.filter(
            visit_id__in={v for v in last.values() if v is not None}, result="non_compliant"
        )
        .order_by("visit_id", "item__code", "pk")
        .values_list("visit_id", "item__code", "notes")
    ):
        findings.setdefault(visit_id, []).append((code, notes))
    codes = [i.code for i in items]
    plans = []
    for visit in visits:
        ent = visit.enterprise
        own_hazards = hazards.get(ent.pk, [])
        last_pk = last.get(ent.pk)
        last_findings = findings.get(last_pk, []) if last_pk is not None else []
        points = []
        for level, desc, place in own_hazards:
            tag = "重大隐患" if level == "major" else "一般隐患"
            points.append(f"复核未整改的{tag}：{desc}{'（' + place + '）' if place else ''}")
        for code, notes in last_findings:
            points.append(f"上次检查不符合项 {code}：{notes}")
        profile = (
            f"{ent.name}（{ent.credit_code}），{'高危行业领域' if ent.high_risk else '非高危行业'}，"
            f"标准化{ent.get_standardization_grade_display() or '未定级'}，"
            f"风险等级{ent.get_risk_level_display()}。"
        )
        plans.append(
            InspectionPlan(
                visit=visit,
                items=[_plan_item(i) for i in items],
                key_points="\n".join([profile, *points]),
                methods="查阅资料、现场查看、询问有关人员，全程执法记录仪记录。",
                steps="1. 出示执法证件，告知检查事项和依据；\n2. 按检查事项逐项检查并记录；\n"
                "3. 发现隐患的，责令限期整改；\n4. 制作现场检查记录，由企业负责人签字确认。",
                drafted_from={
                    "enterprise": {
                        "credit_code": ent.credit_code,
                        "high_risk": ent.high_risk,
                        "grade": ent.standardization_grade,
                        "risk_level": ent.risk_level,
                    },
                    "items": list(codes),
                    "open_hazards": len(own_hazards),
                    "last_visit": last_pk,
                    "last_findings": [c for c, _n in last_findings],
                },
            )
        )
    return plans
