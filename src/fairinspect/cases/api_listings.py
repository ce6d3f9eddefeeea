"""API of the serious-dishonesty listing procedure (令第11号, R10.2): the notice, the party's
statement, and the decision by someone other than the proposer. Registered on the cases
router (`cases/api.py` imports this module)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Field, Schema

from fairinspect.core.errors import NotFound
from fairinspect.core.roles import Role, has_role
from fairinspect.core.schemas import Bool, Input

from . import access, services
from .api import CaseError as Error
from .api import router
from .models import DishonestyListing

ERRORS = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


class ListingOut(Schema):
    id: int
    case_id: int
    enterprise_credit_code: str
    ground: str
    basis: str
    status: str
    proposed_on: dt.date
    notice_number: str
    notice_served_on: dt.date | None
    statement_due: dt.date | None
    statement: str
    statement_on: dt.date | None
    hearing_requested: bool
    decided_on: dt.date | None
    decision_note: str
    listed_on: dt.date | None
    expires_on: dt.date | None


class StatementIn(Input):
    statement: str = Field(min_length=1, max_length=4000)
    hearing: Bool = False


class ListingDecisionIn(Input):
    approve: Bool
    note: str = Field("", max_length=4000)


def listing_out(x: DishonestyListing) -> dict[str, Any]:
    return {
        "id": x.pk,
        "case_id": x.case_id,
        "enterprise_credit_code": x.enterprise.credit_code,
        "ground": x.ground,
        "basis": x.basis,
        "status": x.status,
        "proposed_on": x.proposed_on,
        "notice_number": x.notice_number,
        "notice_served_on": x.notice_served_on,
        "statement_due": x.statement_due,
        "statement": x.statement,
        "statement_on": x.statement_on,
        "hearing_requested": x.hearing_requested,
        "decided_on": x.decided_on,
        "decision_note": x.decision_note,
        "listed_on": x.listed_on,
        "expires_on": x.expires_on,
    }


def _staff_listing(user, listing_id: int) -> DishonestyListing:
    x = access.listings_visible_to(user).select_related("enterprise").filter(pk=listing_id).first()
    if x is None:
        raise NotFound()
    return x


def _party_or_staff_listing(user, listing_id: int) -> DishonestyListing:
    if has_role(user, Role.ENTERPRISE):
        x = access.party_listings(user).select_related("enterprise").filter(pk=listing_id).first()
        if x is None:
            raise NotFound()
        return x
    return _staff_listing(user, listing_id)


@router.get(
    "/dishonesty-listings/{listing_id}",
    response={200: ListingOut, **ERRORS},
    summary="A listing matter: staff of the bureau, or the party once notified",
)
def get_listing(request, listing_id: int):
    return listing_out(_party_or_staff_listing(request.user, listing_id))


@router.post(
    "/dishonesty-listings/{listing_id}/notice",
    response={200: ListingOut, **ERRORS},
    summary="Serve the listing notice on the party (告知); the statement period starts",
)
def notify(request, listing_id: int):
    x = services.notify_listing(
        actor=request.user,
        listing=_staff_listing(request.user, listing_id),
        on=timezone.localdate(),
    )
    return listing_out(x)


@router.post(
    "/dishonesty-listings/{listing_id}/statement",
    response={200: ListingOut, **ERRORS},
    summary="The party's statement and defence (陈述、申辩) or hearing request, within the period",
)
def statement(request, listing_id: int, payload: StatementIn):
    x = services.submit_listing_statement(
        actor=request.user,
        listing=_party_or_staff_listing(request.user, listing_id),
        statement=payload.statement,
        hearing=payload.hearing,
        on=timezone.localdate(),
    )
    return listing_out(x)


@router.post(
    "/dishonesty-listings/{listing_id}/decision",
    response={200: ListingOut, **ERRORS},
    summary="List or decline, by an approver of the bureau who did not propose it",
)
def decide(request, listing_id: int, payload: ListingDecisionIn):
    listing = _staff_listing(request.user, listing_id)
    if payload.approve:
        x = services.list_dishonest(
            actor=request.user, listing=listing, on=timezone.localdate(), note=payload.note
        )
    else:
        x = services.decline_listing(
            actor=request.user, listing=listing, on=timezone.localdate(), note=payload.note
        )
    return listing_out(x)
