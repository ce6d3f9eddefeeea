"""What the visit page adds for the phone (issue 12): proof of presence, the evidence chain
finding ↔ item ↔ legal clause ↔ hazard ↔ order ↔ follow-up, and what stops check-out."""

from __future__ import annotations

from fairinspect.rules.evidence import checkout_refusals

from .. import presence
from ..services.onsite import hazard_states


def _clauses(item) -> list[str]:
    out = []
    for b in item.legal_basis or []:
        if isinstance(b, dict) and b.get("law"):
            art = f"第{b['article']}条" if b.get("article") else ""
            out.append(f"《{b['law']}》{art}")
    return out


def field_context(request, v) -> dict:
    ctx: dict = {}
    if v.checked_in_at or v.status in ("approved", "in_progress", "done"):
        ctx["presence"] = presence.presence_of(v)
        ctx["registered_location"] = presence.registered_location(v.enterprise)
    if v.status not in ("in_progress", "done"):
        return ctx
    hazards = list(
        v.hazards.select_related("item", "finding").prefetch_related(
            "photos", "orders__follow_ups", "cases"
        )
    )
    chain = []
    for h in hazards:
        orders = list(h.orders.all())
        chain.append(
            {
                "hazard": h,
                "item": h.item,
                "clauses": _clauses(h.item) if h.item else [],
                "finding": h.finding,
                "orders": orders,
                "follow_ups": [f for o in orders for f in o.follow_ups.all()],
                "cases": list(h.cases.all()),
                "photos": list(h.photos.all()),
            }
        )
    ctx["chain"] = chain
    if v.status == "in_progress":
        ctx["checkout_refusals"] = checkout_refusals(hazard_states(v))
    return ctx
