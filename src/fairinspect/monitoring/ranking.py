"""The risk ranking (风险排序, R4.3): every factor derived from records, scored by the pure
rule `rules.monitoring.risk_score`, each factor's share shown. It orders officers' work and
offers a documented weight for a 双随机 pool; it never touches a cap."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Count
from django.utils import timezone

from fairinspect.registry.access import enterprises_visible_to
from fairinspect.rules import monitoring as rules

from .models import EarlyWarning, MonitoringPoint

FACTOR_LABELS = {
    "warnings": "未办结预警",
    "open_hazards": "未整改隐患",
    "major_hazards": "重大危险源",
    "credit": "信用等级",
    "standardization": "标准化等级",
    "accidents": "近三年事故",
    "complaints": "近一年投诉举报",
}


@dataclass(frozen=True)
class Ranked:
    enterprise_id: int
    name: str
    district_code: str
    score: rules.RiskScore

    def as_api(self) -> dict:
        return {
            "enterprise_id": self.enterprise_id,
            "name": self.name,
            "total": round(self.score.total, 2),
            "pool_weight": round(rules.pool_weight(self.score), 3),
            "factors": [
                {"factor": n, "points": round(p, 2), "share": round(s, 4)}
                for (n, p), (_n, s) in zip(self.score.parts, self.score.shares(), strict=True)
            ],
        }

    def factors(self) -> list[dict]:
        return [
            {"factor": n, "label": FACTOR_LABELS[n], "points": p, "share": s}
            for (n, p), (_n, s) in zip(self.score.parts, self.score.shares(), strict=True)
        ]


def _count_by_enterprise(model_label: str, ent_ids, **filters) -> dict[int, int]:
    try:
        model = apps.get_model(model_label)
    except LookupError:
        return {}  # the app that owns these records is not installed
    rows = (
        model.objects.filter(enterprise_id__in=ent_ids, **filters)
        .values("enterprise_id")
        .annotate(n=Count("id"))
    )
    return {r["enterprise_id"]: r["n"] for r in rows}


def _complaints(ent_ids, since: dt.datetime) -> dict[int, int]:
    """Complaints about enterprises, once a complaints model exists (R8.1)."""
    for label in ("supervision.Complaint", "complaints.Complaint"):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        names = {f.name for f in model._meta.get_fields()}
        if "enterprise" not in names:
            return {}
        stamp = next((n for n in ("received_at", "created_at") if n in names), None)
        flt = {f"{stamp}__gte": since} if stamp else {}
        return _count_by_enterprise(label, ent_ids, **flt)
    return {}


def _scores(ents: Sequence[Mapping[str, Any]], today: dt.date) -> dict[int, rules.RiskScore]:
    """{enterprise id: its risk score} for enterprise rows (id, credit_level,
    standardization_grade)."""
    ids = [e["id"] for e in ents]
    warnings: dict[int, dict[rules.Grade, int]] = defaultdict(lambda: defaultdict(int))
    for ent_id, grade, n in (
        EarlyWarning.objects.filter(enterprise_id__in=ids)
        .exclude(stage=EarlyWarning.Stage.CLOSED)
        .values_list("enterprise_id", "grade")
        .annotate(n=Count("id"))
    ):
        warnings[ent_id][rules.Grade.from_code(grade)] = n
    hazards = _count_by_enterprise("visits.Hazard", ids, status="open")
    majors = {
        r["enterprise_id"]: r["n"]
        for r in MonitoringPoint.objects.filter(
            enterprise_id__in=ids, kind=MonitoringPoint.Kind.MAJOR_HAZARD
        )
        .values("enterprise_id")
        .annotate(n=Count("id"))
    }
    accidents = _count_by_enterprise(
        "cases.CreditRecord", ids, kind="accident", on__gte=today - dt.timedelta(days=3 * 365)
    )
    since = timezone.now() - dt.timedelta(days=365)
    complaints = _complaints(ids, since)
    out = {}
    for e in ents:
        f = rules.RiskFactors(
            open_warnings=dict(warnings.get(e["id"], {})),
            open_hazards=hazards.get(e["id"], 0),
            major_hazards=majors.get(e["id"], 0),
            credit_level=e["credit_level"],
            standardization_grade=e["standardization_grade"],
            accidents_3y=accidents.get(e["id"], 0),
            complaints_1y=complaints.get(e["id"], 0),
        )
        out[e["id"]] = rules.risk_score(f)
    return out


def ranking_for(user, *, today: dt.date | None = None) -> list[Ranked]:
    today = today or timezone.localdate()
    ents = list(
        enterprises_visible_to(user).values(
            "id", "name", "district_code", "credit_level", "standardization_grade"
        )
    )
    scores = _scores(ents, today)
    by_id = {e["id"]: Ranked(e["id"], e["name"], e["district_code"], scores[e["id"]]) for e in ents}
    return [by_id[i] for i, _s in rules.rank(scores)]


def draw_weights(enterprises, *, today: dt.date) -> dict[int, int]:
    """{enterprise id: draw weight (rules.monitoring.draw_weight)} for a queryset of
    enterprises: the weights a 双随机 task weighted by risk ranking freezes into its pool."""
    ents = list(enterprises.order_by().values("id", "credit_level", "standardization_grade"))
    return {pk: rules.draw_weight(s) for pk, s in _scores(ents, today).items()}
