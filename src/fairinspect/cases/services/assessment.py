"""The no-penalty list's versions (R7.3) and the assessment of a violation against the enterprise's own record."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.db import transaction

from fairinspect.audit import trail
from fairinspect.core.errors import Conflict, Forbidden
from fairinspect.core.roles import has_role
from fairinspect.registry.models import Enterprise
from fairinspect.rules import discretion as d

from .. import legal
from ..models import (
    Case,
    CreditRecord,
    DishonestyListing,
    NoPenaltyListVersion,
)
from .common import DECIDED_STATUSES

# ---- the no-penalty list: versions and publication (R7.3) -----------------------------------


def load_no_penalty_list(*, actor=None, path: Path | None = None) -> NoPenaltyListVersion:
    """Load a list version from its JSON (idempotent by version number); parsed first, so a
    file the rule cannot read is refused whole."""
    path = path or d.LEGAL_DATA / "no_penalty_list_2025.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    d.parse_no_penalty_list(doc, legal.catalogue())
    with transaction.atomic():
        version, created = NoPenaltyListVersion.objects.get_or_create(
            version=doc["version"], defaults={"name": doc["name"], "document": doc}
        )
        if created:
            trail.record(
                actor=actor,
                action="nopenalty.load",
                obj=version,
                summary=f"载入包容免罚清单 {version.version}",
                data={"items": len(doc["items"])},
            )
    return version


def publish_no_penalty_list(
    *, actor, version: NoPenaltyListVersion, on: dt.date
) -> NoPenaltyListVersion:
    from fairinspect.core.roles import Role

    if not has_role(actor, Role.ADMIN, Role.APPROVER):
        raise Forbidden("只有管理员或单位负责人可以公布包容免罚清单。")
    with transaction.atomic():
        NoPenaltyListVersion.objects.filter(status="published").exclude(pk=version.pk).update(
            status="superseded"
        )
        n = NoPenaltyListVersion.objects.filter(pk=version.pk, status="draft").update(
            status="published", published_on=on
        )
        if n != 1:
            raise Conflict("not_draft", "只有草稿状态的清单版本可以公布。")
        version.refresh_from_db()
        trail.record(
            actor=actor,
            action="nopenalty.publish",
            obj=version,
            summary=f"公布包容免罚清单 {version.version}",
            data={"on": on},
        )
    legal._parse_npl.cache_clear()
    return version


# ---- history facts (R7.3: checked against the enterprise's record, not typed in) -------------


def history_facts(
    *, enterprise: Enterprise, violation_code: str, on: dt.date, exclude: Case | None = None
) -> dict[str, Any]:
    earlier = Case.objects.filter(
        enterprise=enterprise,
        violation_code=violation_code,
        status__in=DECIDED_STATUSES,
        decided_on__lte=on,
    )
    if exclude is not None:
        earlier = earlier.exclude(pk=exclude.pk)
    since = (
        on.replace(year=on.year - 3)
        if not (on.month == 2 and on.day == 29)
        else on - dt.timedelta(days=3 * 365)
    )
    fatal = CreditRecord.objects.filter(
        enterprise=enterprise, kind="accident", fatalities__gt=0, on__gte=since, on__lte=on
    ).exists()
    listed = DishonestyListing.objects.filter(enterprise=enterprise, status="listed").exists()
    return {
        "first_offence": not earlier.exists(),
        "fatal_accident_within_3_years": fatal,
        "serious_dishonesty_listed": listed,
        "high_risk": enterprise.high_risk,
    }


# The officer's note when the typed facts disagreed with the records: shown on the case page,
# left out of the documents served on the party (cases/documents.py).
CORRECTED_NOTE = "（已按系统记录更正录入的事实。）"


def history_reasons(history: dict[str, Any], claimed: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    texts = {
        "first_offence": (
            "当事人此前没有同一违法行为的已决定案件，认定为初次违法。",
            "当事人此前因同一违法行为已有行政处理决定，不属于初次违法。",
        ),
        "fatal_accident_within_3_years": (
            "当事人三年内有造成人员死亡的生产安全事故记录。",
            "当事人三年内没有造成人员死亡的生产安全事故记录。",
        ),
        "serious_dishonesty_listed": (
            "当事人在安全生产严重失信主体名单中。",
            "当事人不在安全生产严重失信主体名单中。",
        ),
    }
    for key, (yes, no) in texts.items():
        msg = yes if history[key] else no
        if key in claimed and bool(claimed[key]) != history[key]:
            msg += CORRECTED_NOTE
        out.append({"code": f"history_{key}", "message": "依据信用记录：" + msg})
    return out


def assess(
    *,
    enterprise: Enterprise | None,
    violation_code: str,
    party: str,
    facts: dict[str, Any],
    on: dt.date,
    exclude: Case | None = None,
):
    """Discretion with the enterprise's history applied: (result, clean facts, extra reasons)."""
    clean = legal.clean_facts(facts)
    extra: list[dict[str, str]] = []
    if enterprise is not None:
        history = history_facts(
            enterprise=enterprise, violation_code=violation_code, on=on, exclude=exclude
        )
        extra = history_reasons(history, facts)
        clean.update(history)
    return legal.decide(violation_code, party, clean), clean, extra
