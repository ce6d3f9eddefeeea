"""Check-in (R1.3, R3.4, R6.1): each officer confirms on their own phone; the enterprise row is locked first."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from fairinspect.audit import trail
from fairinspect.core.errors import Forbidden, NotFound, ValidationFailed
from fairinspect.core.roles import Role, has_role
from fairinspect.registry.models import Enterprise
from fairinspect.rules.caps import (
    CapDecision,
    Reason,
)
from fairinspect.rules.checkin import (
    OfficerConfirmation,
    TeamDecision,
    decide_team,
)
from fairinspect.rules.entry import EntryDecision, decide_entry

from .. import queries
from ..models import (
    CheckIn,
    Visit,
    VisitOfficer,
)
from .common import _decision_data, _reasons, _refuse, officer_of
from .plans import _check_reinspection

# ------------------------------------------------ check-in (R1.3, R3.4, R6.1)


@dataclass
class CheckInOutcome:
    visit: Visit
    started: bool
    replay: bool
    confirmed: list[str]
    team: TeamDecision
    cap: CapDecision | None
    reasons: list[dict[str, str]] = field(default_factory=list)
    # R5.4, not blocking: other units' visits this year for the same items.
    warnings: list[dict[str, str]] = field(default_factory=list)


def _coord(value, lo, hi, name):
    if value in (None, ""):
        return None
    try:
        from decimal import Decimal

        v = Decimal(str(value)).quantize(Decimal("0.000001"))
    except Exception:
        raise ValidationFailed("location_invalid", f"{name}格式不正确。", field=name) from None
    if not lo <= v <= hi:
        raise ValidationFailed("location_out_of_range", f"{name}超出范围。", field=name)
    return v


def _team_decision(visit, team, confirmed_ids: set[int], *, on: dt.date) -> TeamDecision:
    domains = queries.item_domains(visit)
    confs = []
    for m in team:
        e = queries.eligibility(m.officer, on=on, domains=domains)
        confs.append(
            OfficerConfirmation(
                str(m.officer_id),
                m.officer.name,
                e.eligible,
                m.officer_id in confirmed_ids,
                tuple(Reason(r.code, r.message) for r in e.reasons),
            )
        )
    return decide_team(confs, experts=visit.experts.count())


def _outcome(visit: Visit, *, replay: bool, now) -> CheckInOutcome:
    team = queries.team_of(visit)
    confirmed = set(CheckIn.objects.filter(visit=visit).values_list("officer_id", flat=True))
    decision = _team_decision(visit, team, confirmed, on=timezone.localdate(now))
    names = [m.officer.name for m in team if m.officer_id in confirmed]
    return CheckInOutcome(
        visit,
        visit.status in ("in_progress", "done"),
        replay,
        names,
        decision,
        None,
        _reasons(decision.reasons) if visit.status == "approved" else [],
        queries.same_item_warnings(visit),
    )


def _raise_refusal(visit: Visit, entry: EntryDecision, *, year: int) -> None:
    r = entry.refusal
    assert r is not None
    if r.code == "not_on_team":
        raise Forbidden(r.message)
    if entry.field:  # the record behind an exempt trigger (R3.3): the input is named
        raise ValidationFailed(
            r.code, r.message, field=entry.field, extra={"reasons": _reasons(entry.reasons)}
        )
    if r.code == "city_already_inspected":
        _check_reinspection(visit, year=year)  # the same refusal, naming the city's visits
    raise _refuse(r.code, r.message, entry.reasons)


def confirm_check_in(
    *,
    actor,
    visit_id: int,
    nonce: str,
    lat=None,
    lng=None,
    accuracy=None,
    officer_ids: Iterable[int] | None = None,
    now: dt.datetime | None = None,
) -> CheckInOutcome:
    """One officer confirms entry on their own phone. The visit starts (status in_progress,
    one slot used) when two eligible officers of its team have confirmed and the cap allows.

    The enterprise row is locked before the cap is computed, so two check-ins racing for the
    last slot are serialised: exactly one succeeds. A retry with the same nonce (or a second
    confirmation by the same officer) changes nothing and returns the current state.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    nonce = (nonce or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_\-]{8,64}", nonce):
        raise ValidationFailed(
            "nonce_invalid", "nonce 须为8至64位字母、数字、下划线或连字符。", field="nonce"
        )
    officer = officer_of(actor)
    if officer is None:
        if has_role(actor, Role.EXPERT):
            raise Forbidden(
                "专家只提供技术支持，不是执法人员，不能确认入企，也不计入两名执法人员。"
            )
        raise Forbidden("只有本次检查的执法人员可以在本人手机上确认入企。")
    lat = _coord(lat, -90, 90, "lat")
    lng = _coord(lng, -180, 180, "lng")
    try:
        accuracy = float(accuracy) if accuracy not in (None, "") else None
    except (TypeError, ValueError):
        accuracy = None
    enterprise_id = (
        Visit.objects.filter(pk=visit_id).values_list("enterprise_id", flat=True).first()
    )
    if enterprise_id is None:
        raise NotFound()
    with transaction.atomic():
        # Lock order everywhere: enterprise, then visit. (On PostgreSQL the visit's FOR UPDATE
        # with select_related locks the joined enterprise row too; the explicit lock first
        # keeps the order and documents the intent.)
        Enterprise.objects.select_for_update().get(pk=enterprise_id)
        visit = Visit.objects.select_for_update().select_related("enterprise").get(pk=visit_id)
        same = CheckIn.objects.filter(visit=visit, nonce=nonce).first()
        if same is not None:
            if same.officer_id != officer.pk:
                raise _refuse("nonce_reused", "该 nonce 已被其他执法人员使用，请重新生成。")
            return _outcome(visit, replay=True, now=now)
        if CheckIn.objects.filter(visit=visit, officer=officer).exists():
            return _outcome(visit, replay=True, now=now)
        team = queries.team_of(visit)
        team_ids = {m.officer_id for m in team}
        if officer.pk not in team_ids:
            raise Forbidden("您不是本次检查方案中的执法人员，不能确认入企。")
        if officer_ids is not None:
            listed = {int(i) for i in officer_ids}
            if not listed <= team_ids:
                raise ValidationFailed(
                    "officer_not_on_team",
                    "officer_ids 中有不属于本次检查方案的执法人员。",
                    field="officer_ids",
                )
            if officer.pk not in listed:
                raise ValidationFailed(
                    "caller_not_listed", "调用者须是 officer_ids 中的一人。", field="officer_ids"
                )
            if len(listed) < 2:
                raise _refuse(
                    "too_few_officers",
                    "入企须由2名以上执法人员共同确认，officer_ids 只列了1人。",
                    [Reason("too_few_officers", "现场检查须由2名以上持有效执法证的执法人员实施。")],
                )
        confirmed = set(CheckIn.objects.filter(visit=visit).values_list("officer_id", flat=True))
        # The one decision the pre-check page predicts (rules.entry), over the same facts.
        entry = decide_entry(
            queries.entry_facts(
                visit, today=today, caller=officer, confirmed=confirmed | {officer.pk}, team=team
            )
        )
        if not entry.allowed:
            _raise_refusal(visit, entry, year=today.year)
        decision = entry.team
        assert decision is not None
        own = queries.eligibility(
            next(m.officer for m in team if m.officer_id == officer.pk),
            on=today,
            domains=queries.item_domains(visit),
        )
        cap = entry.cap
        try:
            with transaction.atomic():
                CheckIn.objects.create(
                    visit=visit,
                    officer=officer,
                    user=actor,
                    nonce=nonce,
                    certificate_number=own.certificate or "",
                    confirmed_at=now,
                    lat=lat,
                    lng=lng,
                    accuracy=accuracy,
                )
        except IntegrityError:
            return _outcome(visit, replay=True, now=now)
        VisitOfficer.objects.filter(visit=visit, officer=officer).update(
            confirmed_at=now, certificate_number=own.certificate or ""
        )
        started = False
        if decision.ready and visit.status == "approved" and lat is None:
            # The visit's location: this phone's, or else the first colleague's that had one.
            first = (
                CheckIn.objects.filter(visit=visit, lat__isnull=False)
                .order_by("confirmed_at", "id")
                .values_list("lat", "lng", "accuracy")
                .first()
            )
            if first:
                lat, lng, accuracy = first
        if decision.ready and visit.status == "approved":
            n = Visit.objects.filter(pk=visit.pk, status="approved").update(
                status="in_progress",
                checked_in_at=now,
                checkin_lat=lat,
                checkin_lng=lng,
                checkin_accuracy=accuracy,
            )
            started = bool(n)
        trail.record(
            actor=actor,
            action="check_in" if started else "confirm_check_in",
            obj=visit,
            summary=(
                f"{officer.name}确认入企，检查开始（{visit.enterprise.name}）"
                if started
                else f"{officer.name}确认入企（{visit.enterprise.name}）"
            ),
            data={
                "nonce": nonce,
                "certificate": own.certificate,
                "lat": lat,
                "lng": lng,
                "cap": _decision_data(cap) if cap else None,
            },
        )
    visit.refresh_from_db()
    out = _outcome(visit, replay=False, now=now)
    out.cap = cap
    return out
