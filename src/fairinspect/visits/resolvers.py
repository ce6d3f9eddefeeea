"""The resolvers visits registers for the records it owns (R3.3): rectification orders,
the enterprise's inspection applications and referrals. Registered in `VisitsConfig.ready()`
through `justifications.register`, the same interface the other apps use."""

from __future__ import annotations

from fairinspect.rules.caps import JustificationKind
from fairinspect.rules.exemptions import order_window_end

from . import justifications
from .justifications import JustifyingRecord


def resolve_order(reference: str) -> JustifyingRecord | None:
    from .models import RectificationOrder

    o = RectificationOrder.objects.filter(number=reference).first()
    if o is None:
        return None
    return JustifyingRecord(
        kind=JustificationKind.RECTIFICATION_ORDER,
        reference=o.number,
        enterprise_id=o.enterprise_id,
        dated=o.issued_on,
        summary=f"责令限期整改指令书{o.number}，整改期限{o.deadline:%Y-%m-%d}",
        url=f"/visits/{o.visit_id}/",
        open=o.status == "issued",
        state_label=o.get_status_display(),
        valid_until=order_window_end(o.deadline),
    )


def resolve_application(reference: str) -> JustifyingRecord | None:
    from .records import InspectionApplication

    a = InspectionApplication.objects.filter(number=reference).first()
    if a is None:
        return None
    return JustifyingRecord(
        kind=JustificationKind.ENTERPRISE_APPLICATION,
        reference=a.number,
        enterprise_id=a.enterprise_id,
        dated=a.submitted_on,
        summary=f"企业检查申请{a.number}：{a.reason[:60]}",
        url="/visits/applications/",
        open=a.status == "accepted",
        state_label=a.get_status_display(),
        round=a.round,
    )


def resolve_referral(reference: str) -> JustifyingRecord | None:
    from .records import Referral

    r = Referral.objects.filter(document_number=reference).first()
    if r is None:
        return None
    return JustifyingRecord(
        kind=JustificationKind.REFERRAL_DOCUMENT,
        reference=r.document_number,
        enterprise_id=r.enterprise_id,
        dated=r.document_date,
        summary=f"{r.issuing_body}{r.document_number}：{r.summary[:60]}",
        url="/visits/referrals/",
        open=r.status == "open",
        state_label=r.get_status_display(),
        round=r.round,
    )


def register_all() -> None:
    justifications.register(JustificationKind.RECTIFICATION_ORDER, resolve_order)
    justifications.register(JustificationKind.ENTERPRISE_APPLICATION, resolve_application)
    justifications.register(JustificationKind.REFERRAL_DOCUMENT, resolve_referral)
