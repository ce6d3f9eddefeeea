"""Complaints as leads (R3.3): the resolver visits calls for a `complaint_record` reference."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from fairinspect.rules.caps import JustificationKind
from fairinspect.rules.complaints import ACCEPTED_STATES
from fairinspect.visits.justifications import JustifyingRecord

from .models import Complaint


def resolve_complaint(reference: str) -> JustifyingRecord | None:
    """The accepted complaint about an enterprise named by its number (TS…) or its 12345
    work-order number; None for a refused, merged, unaccepted or non-enterprise complaint."""
    ref = (reference or "").strip()
    if not ref:
        return None
    c = (
        Complaint.objects.filter(Q(number=ref.upper()) | Q(work_order_number=ref))
        .filter(
            subject="enterprise",
            enterprise__isnull=False,
            state__in=[s.value for s in ACCEPTED_STATES],
        )
        .only("pk", "number", "enterprise_id", "accepted_on", "category", "content")
        .first()
    )
    if c is None or c.accepted_on is None or c.enterprise_id is None:
        return None
    return JustifyingRecord(
        kind=JustificationKind.COMPLAINT_RECORD,
        reference=c.number,
        enterprise_id=c.enterprise_id,
        dated=c.accepted_on,
        summary=f"投诉举报{c.number}（{c.get_category_display()}）：{c.content[:60]}",
        url=reverse("supervision:complaint_detail", args=[c.pk]),
    )
