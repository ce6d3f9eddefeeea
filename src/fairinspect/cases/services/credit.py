"""What a decision leads to: public disclosure (R8.2), the serious-dishonesty list with its terms and early removal (R10.2), and accidents on the credit record (R10.1)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db import transaction

from fairinspect.audit import trail
from fairinspect.core.duties import require as require_duty
from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.core.roles import Role, has_role
from fairinspect.registry.models import Enterprise
from fairinspect.rules import deadlines as dl
from fairinspect.rules import dishonesty as dishonesty_rule
from fairinspect.rules.results import reason_dicts
from fairinspect.visits.services.numbers import allocate

from .. import access, legal
from ..models import (
    Case,
    CreditRecord,
    Disclosure,
    DishonestyListing,
)
from ..procedure import is_workday
from .common import DECIDED_STATUSES
from .deadlines import refresh_due

# ---- public disclosure (R8.2) -------------------------------------------------------------------


def publish_disclosure(*, actor, disclosure: Disclosure, on: dt.date) -> Disclosure:
    from fairinspect.core.roles import Role

    if not has_role(actor, Role.OFFICER, Role.APPROVER, Role.ADMIN):
        raise Forbidden("只有执法人员或单位负责人可以公开处罚决定。")
    with transaction.atomic():
        n = Disclosure.objects.filter(pk=disclosure.pk, published_on__isnull=True).update(
            published_on=on
        )
        if n != 1:
            raise Conflict("already_published", "该处罚决定已公开。")
        disclosure.refresh_from_db()
        trail.record(
            actor=actor,
            action="disclosure.publish",
            obj=disclosure,
            summary=f"公开处罚决定 {disclosure.decision_number}",
            data={"on": on, "due": disclosure.due_on, "late": on > disclosure.due_on},
        )
        refresh_due(disclosure.case)
    return disclosure


# ---- the serious-dishonesty list (R10.2, 应急管理部令第11号) -----------------------------------
# proposal → notice to the party (告知) → statement period → decision by someone else of the
# bureau → publication of decisions only. The grounds and the timing are rules.dishonesty;
# who may decide is rules.duties.

DISHONESTY_BASIS = dishonesty_rule.BASIS
MANUAL_GROUNDS = dishonesty_rule.MANUAL_GROUNDS
TERM_TEXT = "管理期限三年，列入满十二个月可申请提前移出。"


def case_record(case: Case, *, on: dt.date | None = None) -> dishonesty_rule.CaseRecord:
    """What the case established, for the ground rule (values derived from the records)."""
    on = on or case.decided_on
    larger = 0
    if on is not None:
        larger = Case.objects.filter(
            enterprise=case.enterprise,
            violation_code=dishonesty_rule.LARGER_ACCIDENT_CODE,
            status__in=DECIDED_STATUSES,
            decided_on__gt=on - dt.timedelta(days=365),
            decided_on__lte=on,
        ).count()
    ordinary_min = None
    try:
        v = legal.catalogue().get(case.violation_code)
        fines = [s.fine.min for p, _st, s in v.sanctions if p == case.party and s.fine]
        ordinary_min = min(fines) if fines else None
    except Exception:  # a violation no longer in the catalogue: the ground check says so
        ordinary_min = None
    return dishonesty_rule.CaseRecord(
        decided=case.status in DECIDED_STATUSES,
        outcome=case.outcome,
        violation_code=case.violation_code,
        aggravations=frozenset((case.facts or {}).get("aggravations", ())),
        fine_amount=case.fine_amount,
        ordinary_fine_min=ordinary_min,
        larger_accidents_12m=larger,
    )


def dishonesty_grounds(case: Case, *, larger_accidents_12m: int | None = None):
    """Which automatic listing situations of 令第11号 the decided case meets, with their text."""
    record = case_record(case)
    if larger_accidents_12m is not None:
        record = dataclasses.replace(record, larger_accidents_12m=larger_accidents_12m)
    return [(g, dishonesty_rule.GROUNDS[g].text) for g in dishonesty_rule.detect_grounds(record)]


def _refuse_ground(check: dishonesty_rule.GroundCheck, field: str = "ground"):
    r = check.reasons[0]
    raise Conflict(
        r.code,
        r.message,
        field=field,
        extra={"reasons": reason_dicts(check.reasons)},
    )


def propose_listing_by_approver(
    *, actor, case: Case, ground: str, reason: str, on: dt.date
) -> DishonestyListing:
    """The approver proposes listing on a ground of 令第11号 that the case data cannot show
    (for example working without a required licence), writing the facts and evidence; the
    party is then notified and heard, and another person decides (`list_dishonest`)."""
    if not has_role(actor, Role.APPROVER):
        raise Forbidden("建议列入严重失信主体名单由作出处罚决定的单位负责人办理。")
    if ground not in MANUAL_GROUNDS:
        raise ValidationFailed("bad_ground", "ground：请选择列入情形。", field="ground")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "missing", "reason：必须写明认定该情形的事实和证据。", field="reason"
        )
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        check = dishonesty_rule.check_ground(ground, case_record(case), written_basis=reason)
        if not check.ok:
            if check.reasons[0].code == "case_not_decided":
                raise Conflict("not_decided", "只有已作出行政处罚决定的案件可以建议列入。")
            _refuse_ground(check)
        if DishonestyListing.objects.filter(
            case=case, ground=ground, status__in=("proposed", "notified", "listed")
        ).exists():
            raise Conflict("already_proposed", "本案已就该情形建议或列入名单。")
        listing = DishonestyListing.objects.create(
            enterprise=case.enterprise,
            case=case,
            ground=ground,
            proposed_on=on,
            proposed_by=actor,
            written_basis=reason[:4000],
            basis=f"依据{DISHONESTY_BASIS}，本案属于“{MANUAL_GROUNDS[ground]}”的情形"
            f"（{reason[:500]}），建议列入严重失信主体名单；{TERM_TEXT}",
        )
        trail.record(
            actor=actor,
            action="dishonesty.propose",
            obj=listing,
            summary=f"建议列入严重失信主体名单：{case.enterprise.name}",
            data={"case": case.pk, "ground": ground, "reason": reason},
        )
    return listing


def propose_dishonesty(*, case: Case, on: dt.date, actor=None) -> DishonestyListing | None:
    """At the decision: a ground the case established becomes a proposal by the person who
    decided the case (so someone else decides the listing). Nothing is published."""
    grounds = dishonesty_rule.detect_grounds(case_record(case, on=on))
    if not grounds:
        return None
    code = grounds[0]
    text = dishonesty_rule.GROUNDS[code].text
    listing = DishonestyListing.objects.create(
        enterprise=case.enterprise,
        case=case,
        ground=code,
        proposed_on=on,
        proposed_by=actor,
        basis=f"依据{DISHONESTY_BASIS}，本案属于“{text}”的情形，建议列入严重失信主体名单；{TERM_TEXT}",
    )
    trail.record(
        actor=actor,
        action="dishonesty.propose",
        obj=listing,
        summary=f"建议列入严重失信主体名单：{case.enterprise.name}",
        data={"case": case.pk, "ground": code, "automatic": True},
    )
    return listing


def notify_listing(*, actor, listing: DishonestyListing, on: dt.date) -> DishonestyListing:
    """Serve the written notice (列入告知书) on the party: the ground, the facts the case
    established, the right to state and defend within the period. An officer or approver
    of the bureau that penalised serves it."""
    if not has_role(actor, Role.OFFICER, Role.APPROVER):
        raise Forbidden("列入告知书由办案单位的执法人员或负责人送达。")
    with transaction.atomic():
        row = (
            DishonestyListing.objects.select_for_update().select_related("case").get(pk=listing.pk)
        )
        bureau = row.case.department_id
        mine = actor.department.bureau.pk if actor.department_id else None
        if bureau is None or mine != bureau:
            raise Forbidden("列入告知书由作出处罚决定的单位送达。")
        due = dl.add_working_days(on, dishonesty_rule.STATEMENT_WORKING_DAYS, is_workday)
        n = DishonestyListing.objects.filter(pk=row.pk, status="proposed").update(
            status="notified",
            notice_served_on=on,
            notified_by=actor,
            statement_due=due,
            notice_number=row.notice_number
            or allocate("listing_notice", department=row.case.department, on=on),
        )
        if n != 1:
            raise Conflict("not_proposed", "只有“建议列入”的事项可以送达告知书。")
        row.refresh_from_db()
        trail.record(
            actor=actor,
            action="dishonesty.notify",
            obj=row,
            summary=f"送达列入严重失信主体名单告知书：{row.enterprise.name}",
            data={
                "on": on,
                "statement_due": due,
                "number": row.notice_number,
                "statement_basis": dishonesty_rule.STATEMENT_PERIOD_BASIS,
            },
        )
    return row


def submit_listing_statement(
    *, actor, listing: DishonestyListing, statement: str, on: dt.date, hearing: bool = False
) -> DishonestyListing:
    """The party states its case (陈述、申辩) or asks to be heard, within the period: the
    enterprise's own user on its page or the API, or an officer recording a statement made on
    paper."""
    party = has_role(actor, Role.ENTERPRISE) and actor.enterprise_id == listing.enterprise_id
    if not (party or has_role(actor, Role.OFFICER)):
        raise Forbidden("只有当事人（本企业用户）或办案执法人员可以提交陈述、申辩。")
    statement = (statement or "").strip()
    if not statement:
        raise ValidationFailed(
            "missing", "statement：请写明陈述、申辩的事实和理由。", field="statement"
        )
    with transaction.atomic():
        row = DishonestyListing.objects.select_for_update().get(pk=listing.pk)
        if row.status != "notified":
            raise Conflict("not_notified", "该事项不在陈述、申辩期内。")
        if row.statement_due and on > row.statement_due:
            raise Conflict(
                "statement_period_over",
                f"陈述、申辩期限已于{row.statement_due.isoformat()}届满。",
                field="statement",
            )
        DishonestyListing.objects.filter(pk=row.pk).update(
            statement=statement[:4000],
            statement_on=on,
            statement_by=actor,
            hearing_requested=bool(hearing),
        )
        row.refresh_from_db()
        trail.record(
            actor=actor,
            action="dishonesty.statement",
            obj=row,
            summary=f"当事人陈述、申辩：{row.enterprise.name}",
            data={"on": on, "hearing": bool(hearing)},
        )
    return row


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _decide_listing(*, actor, listing: DishonestyListing, on: dt.date, note: str, approve: bool):
    if not has_role(actor, Role.APPROVER):
        raise Forbidden("列入严重失信主体名单由作出处罚决定的单位负责人决定。")
    note = (note or "").strip()
    with transaction.atomic():
        row = (
            DishonestyListing.objects.select_for_update().select_related("case").get(pk=listing.pk)
        )
        require_duty(
            actor,
            "决定列入" if approve else "决定不予列入",
            Role.APPROVER,
            access.listing_duty(row),
        )
        # Listing waits for the notice and the party's answer; declining (in the party's
        # favour) may also end a proposal before any notice.
        if approve or row.status not in ("proposed", "notified"):
            timing = dishonesty_rule.check_decision_timing(
                status=row.status,
                statement_due=row.statement_due,
                statement_given=bool(row.statement),
                on=on,
            )
            if not timing.allowed:
                r = timing.reasons[0]
                raise Conflict(r.code, r.message)
        if (row.statement or not approve) and not note:
            raise ValidationFailed(
                "missing",
                "note：请写明决定意见"
                + ("，并答复当事人的陈述、申辩。" if row.statement else "（不予列入的理由）。"),
                field="note",
            )
        if approve:
            check = dishonesty_rule.check_ground(
                row.ground, case_record(row.case), written_basis=row.written_basis
            )
            if not check.ok:
                _refuse_ground(check)
        ent = Enterprise.objects.select_for_update().get(pk=row.enterprise_id)
        fields = {"decided_by": actor, "decided_on": on, "decision_note": note[:4000]}
        if approve:
            fields.update(
                status="listed",
                listed_on=on,
                expires_on=_add_years(on, 3),
                early_removal_from=_add_years(on, 1),
                previous_credit_level=ent.credit_level,
            )
        else:
            fields.update(status="declined")
        n = DishonestyListing.objects.filter(
            pk=row.pk, status__in=("notified",) if approve else ("proposed", "notified")
        ).update(**fields)
        if n != 1:
            raise Conflict("concurrent_change", "名单状态已被他人改变，请刷新后重试。")
        row.refresh_from_db()
        if approve:
            Enterprise.objects.filter(pk=ent.pk).update(credit_level="D")
            CreditRecord.objects.create(
                enterprise=ent,
                case=row.case,
                kind="dishonest",
                on=on,
                summary=f"列入严重失信主体名单，至{row.expires_on}",
            )
        trail.record(
            actor=actor,
            action="dishonesty.list" if approve else "dishonesty.decline",
            obj=row,
            summary=("列入" if approve else "不予列入") + f"严重失信主体名单：{ent.name}",
            data={"expires": row.expires_on, "note": note},
        )
    return row


def list_dishonest(
    *, actor, listing: DishonestyListing, on: dt.date, note: str = ""
) -> DishonestyListing:
    """The listing decision: by an approver of the bureau that penalised who neither proposed
    it nor worked the case, after the party was notified and its period ended or it stated
    its case (then `note` answers it), with the ground checked again against the case."""
    return _decide_listing(actor=actor, listing=listing, on=on, note=note, approve=True)


def decline_listing(
    *, actor, listing: DishonestyListing, on: dt.date, note: str
) -> DishonestyListing:
    """Not listed (for example the statement showed the ground does not hold): reason required."""
    return _decide_listing(actor=actor, listing=listing, on=on, note=note, approve=False)


def remove_dishonest(
    *, actor, listing: DishonestyListing, on: dt.date, reason: str, early: bool
) -> DishonestyListing:
    from fairinspect.core.roles import Role

    if not has_role(actor, Role.APPROVER):
        raise Forbidden("移出严重失信主体名单由作出列入决定的单位负责人决定。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("missing", "reason：必须填写移出理由。", field="reason")
    if listing.status != "listed":
        raise Conflict("not_listed", "该主体不在名单中。")
    # Set with the term when the listing is decided (listing_listed_has_term).
    assert listing.early_removal_from is not None and listing.expires_on is not None
    if early and on < listing.early_removal_from:
        raise Conflict(
            "too_early",
            f"列入满十二个月（{listing.early_removal_from.isoformat()}起）方可申请提前移出。",
        )
    if not early and on < listing.expires_on:
        raise Conflict(
            "not_expired",
            f"管理期限至{listing.expires_on.isoformat()}届满；期满前只能依申请提前移出。",
        )
    with transaction.atomic():
        row = (
            DishonestyListing.objects.select_for_update().select_related("case").get(pk=listing.pk)
        )
        require_duty(actor, "移出名单", Role.APPROVER, access.listing_duty(row))
        if not _lift_listing(listing=listing, on=on, reason=reason, early=early, actor=actor):
            raise Conflict("concurrent_change", "名单状态已被他人改变。")
    listing.refresh_from_db()
    return listing


def _lift_listing(*, listing: DishonestyListing, on: dt.date, reason: str, early: bool, actor):
    """Remove a listed entry and lift its measures (credit level restored when no other listing
    holds the enterprise): one `UPDATE … WHERE status='listed'`, so it happens at most once.
    Returns False when the listing was no longer listed. Call inside a transaction."""
    Enterprise.objects.select_for_update().get(pk=listing.enterprise_id)
    n = DishonestyListing.objects.filter(pk=listing.pk, status="listed").update(
        status="removed",
        removed_on=on,
        removal_reason=reason,
        measures_lifted=True,
        removed_by=actor,
    )
    if n != 1:
        return False
    still = DishonestyListing.objects.filter(
        enterprise_id=listing.enterprise_id, status="listed"
    ).exists()
    if not still:
        Enterprise.objects.filter(pk=listing.enterprise_id).update(
            credit_level=listing.previous_credit_level or "C"
        )
    listing.refresh_from_db()
    CreditRecord.objects.create(
        enterprise=listing.enterprise,
        case=listing.case,
        kind="removed",
        on=on,
        summary=("提前移出" if early else "期满移出") + f"：{reason}"[:280],
    )
    trail.record(
        actor=actor,
        action="dishonesty.remove" if actor is not None else "dishonesty.expire",
        obj=listing,
        summary=f"移出严重失信主体名单，解除惩戒措施：{listing.enterprise.name}",
        data={"early": early, "reason": reason, "expires_on": listing.expires_on},
    )
    return True


EXPIRY_REASON = "管理期限三年届满，移出名单并解除惩戒措施"


def expire_listings(*, today: dt.date, actor=None) -> list[DishonestyListing]:
    """Remove every listing whose three-year term has ended by `today` (periodic, idempotent:
    a listing already removed is not touched again). Returns the listings removed now."""
    removed = []
    due = DishonestyListing.objects.filter(status="listed", expires_on__lte=today).order_by("id")
    for listing in due.select_related("enterprise"):
        with transaction.atomic():
            if _lift_listing(
                listing=listing, on=today, reason=EXPIRY_REASON, early=False, actor=actor
            ):
                removed.append(listing)
    return removed


# ---- early removal on the enterprise's application (R10.2) --------------------------------------


def apply_early_removal(*, actor, listing: DishonestyListing, statement: str, on: dt.date):
    """The listed enterprise's own user applies once twelve months have passed."""
    from fairinspect.core.roles import Role

    from ..models import RemovalApplication

    if not has_role(actor, Role.ENTERPRISE) or actor.enterprise_id != listing.enterprise_id:
        raise Forbidden("只有被列入名单的企业本身可以申请提前移出。")
    statement = (statement or "").strip()
    if not statement:
        raise ValidationFailed(
            "missing",
            "statement：必须写明申请理由（处罚决定履行、整改完成、信用承诺等情况）。",
            field="statement",
        )
    if listing.status != "listed":
        raise Conflict("not_listed", "该记录不在名单中，无需申请移出。")
    assert listing.early_removal_from is not None  # set with the term when the listing is decided
    if on < listing.early_removal_from:
        raise Conflict(
            "too_early",
            f"列入满十二个月（{listing.early_removal_from.isoformat()}起）方可申请提前移出。",
            field="statement",
        )
    with transaction.atomic():
        DishonestyListing.objects.select_for_update().get(pk=listing.pk)
        if RemovalApplication.objects.filter(listing=listing, status="pending").exists():
            raise Conflict("application_pending", "已有一份提前移出申请待审核，请等待审核结果。")
        app = RemovalApplication.objects.create(
            listing=listing, applied_by=actor, applied_on=on, statement=statement[:4000]
        )
        trail.record(
            actor=actor,
            action="dishonesty.apply_removal",
            obj=app,
            summary=f"申请提前移出严重失信主体名单：{listing.enterprise.name}",
            data={"listing": listing.pk, "on": on},
        )
    return app


def decide_early_removal(*, actor, application, approve: bool, note: str, on: dt.date):
    """The approver grants (the listing is removed and measures lifted) or refuses (reason
    required) a pending application."""
    from fairinspect.core.roles import Role

    from ..models import RemovalApplication

    if not has_role(actor, Role.APPROVER):
        raise Forbidden("提前移出申请由作出列入决定的单位负责人审核。")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("missing", "note：必须填写审核意见。", field="note")
    listing = application.listing
    with transaction.atomic():
        require_duty(
            actor,
            "审核提前移出申请",
            Role.APPROVER,
            access.removal_duty(RemovalApplication.objects.get(pk=application.pk)),
        )
        n = RemovalApplication.objects.filter(pk=application.pk, status="pending").update(
            status="approved" if approve else "refused",
            decided_by=actor,
            decided_on=on,
            decision_note=note[:4000],
        )
        if n != 1:
            raise Conflict("not_pending", "该申请已审核。")
        if approve:
            if on < listing.early_removal_from:
                raise Conflict("too_early", "列入未满十二个月，不能提前移出。")
            if not _lift_listing(
                listing=listing,
                on=on,
                reason=f"依企业申请提前移出：{note}",
                early=True,
                actor=actor,
            ):
                raise Conflict("not_listed", "该主体已不在名单中。")
        application.refresh_from_db()
        trail.record(
            actor=actor,
            action="dishonesty.decide_removal",
            obj=application,
            summary=("同意" if approve else "不同意") + f"提前移出：{listing.enterprise.name}",
            data={"approve": approve, "note": note},
        )
    return application


def record_accident(
    *,
    actor,
    enterprise: Enterprise,
    on: dt.date,
    fatalities: int,
    summary: str,
    level: str = "",
    injuries: int = 0,
    today: dt.date | None = None,
) -> CreditRecord:
    """An accident enters the enterprise's credit record (R10.1); a fatal one within three
    years then fails the no-penalty list (R7.3). `actor=None` is a data load; a person must
    be an officer or approver who may see the enterprise."""
    from fairinspect.core.roles import Role
    from fairinspect.registry.access import enterprises_visible_to
    from fairinspect.rules.accidents import level_problem, minimum_level

    if actor is not None:
        if not has_role(actor, Role.OFFICER, Role.APPROVER):
            raise Forbidden("只有执法人员或单位负责人可以登记生产安全事故。")
        if not enterprises_visible_to(actor).filter(pk=enterprise.pk).exists():
            raise Forbidden("该企业不在您的执法范围内。")
    for key, value in (("fatalities", fatalities), ("injuries", injuries)):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10000:
            label = "死亡人数" if key == "fatalities" else "重伤人数"
            raise ValidationFailed("bad_count", f"{key}：{label}应为0或正整数。", field=key)
    if not isinstance(on, dt.date):
        raise ValidationFailed("bad_date", "on：事故日期格式应为 YYYY-MM-DD。", field="on")
    if today is not None and on > today:
        raise ValidationFailed("future_date", "on：事故日期不得晚于今天。", field="on")
    level = level or minimum_level(fatalities, injuries)
    problem = level_problem(level, fatalities, injuries)
    if problem:
        raise ValidationFailed("bad_level", f"level：{problem}", field="level")
    summary = (summary or "").strip()
    if not summary:
        raise ValidationFailed("missing", "summary：必须填写事故概况。", field="summary")
    with transaction.atomic():
        rec = CreditRecord.objects.create(
            enterprise=enterprise,
            kind="accident",
            on=on,
            fatalities=fatalities,
            injuries=injuries,
            accident_level=level,
            recorded_by=actor,
            summary=summary[:300],
        )
        trail.record(
            actor=actor,
            action="credit.accident",
            obj=rec,
            summary=f"登记生产安全事故：{enterprise.name}，{summary[:150]}",
            data={"on": on, "level": level, "fatalities": fatalities, "injuries": injuries},
        )
    return rec
