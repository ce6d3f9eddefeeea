"""What a decision leads to: public disclosure (R8.2), the serious-dishonesty list with its terms and early removal (R10.2), and accidents on the credit record (R10.1)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.core.roles import has_role
from fairinspect.registry.models import Enterprise
from fairinspect.supervision import audit

from ..models import (
    Case,
    CreditRecord,
    Disclosure,
    DishonestyListing,
)
from .common import DECIDED_STATUSES
from .deadlines import _refresh_due

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
        audit.record(
            actor=actor,
            action="disclosure.publish",
            obj=disclosure,
            summary=f"公开处罚决定 {disclosure.decision_number}",
            data={"on": on, "due": disclosure.due_on, "late": on > disclosure.due_on},
        )
        _refresh_due(disclosure.case)
    return disclosure


# ---- the serious-dishonesty list (R10.2, 应急管理部令第11号) -----------------------------------

DISHONESTY_BASIS = "《安全生产严重失信主体名单管理办法》（应急管理部令第11号，2023年10月1日施行）"


def dishonesty_grounds(case: Case, *, larger_accidents_12m: int = 0) -> list[tuple[str, str]]:
    """Which listing situations of 令第11号 the decided case meets. The system proposes;
    the unit that penalised decides (谁处罚、谁决定、谁负责)."""
    grounds = []
    aggr = set((case.facts or {}).get("aggravations", ()))
    code = case.violation_code
    if code in ("AQSCF2021-114-3", "AQSCF2021-114-4", "AQSCF2021-95-3", "AQSCF2021-95-4"):
        grounds.append(
            ("major_accident", "发生特别重大、重大生产安全事故的生产经营单位及其主要负责人")
        )
    if code == "AQSCF2021-114-2" and larger_accidents_12m >= 2:
        grounds.append(
            (
                "two_larger_accidents",
                "12个月内累计发生2起以上较大生产安全事故的生产经营单位及其主要负责人",
            )
        )
    if code.startswith("AQSCF2021-114") and "egregious_accident" in aggr:
        grounds.append(
            (
                "egregious_accident",
                "发生生产安全事故，情节特别严重、影响特别恶劣，依照《安全生产法》"
                "第一百一十四条被处以罚款数额2倍以上5倍以下罚款的生产经营单位及其主要负责人",
            )
        )
    if "concealed_accident" in aggr:
        grounds.append(
            (
                "concealed_accident",
                "瞒报、谎报生产安全事故的生产经营单位及其有关责任人员"
                "（仅迟报的不属于本情形，列入前须核实）",
            )
        )
    return grounds


# Grounds the system cannot see in the case data, proposed by the approver from a decided case.
# Wording checked against the published text of 令第11号; article numbers deliberately not cited.
MANUAL_GROUNDS = {
    "unlicensed_operation": (
        "未依法取得安全生产相关许可或者许可被暂扣、吊销期间从事相关生产经营活动的"
        "生产经营单位及其主要负责人"
    ),
}


def propose_listing_by_approver(
    *, actor, case: Case, ground: str, reason: str, on: dt.date
) -> DishonestyListing:
    """The approver proposes listing on a ground of 令第11号 that the case data cannot show
    (for example working without a required licence); the listing then follows the ordinary
    decision (`list_dishonest`)."""
    from fairinspect.core.roles import Role

    if not has_role(actor, Role.APPROVER):
        raise Forbidden("建议列入严重失信主体名单由作出处罚决定的单位负责人办理。")
    if ground not in MANUAL_GROUNDS:
        raise ValidationFailed("bad_ground", "ground：请选择列入情形。", field="ground")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "missing", "reason：必须写明认定该情形的事实和证据。", field="reason"
        )
    if case.status not in DECIDED_STATUSES or case.outcome != "penalty":
        raise Conflict("not_decided", "只有已作出行政处罚决定的案件可以建议列入。")
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=case.pk)
        if DishonestyListing.objects.filter(
            case=case, ground=ground, status__in=("proposed", "listed")
        ).exists():
            raise Conflict("already_proposed", "本案已就该情形建议或列入名单。")
        listing = DishonestyListing.objects.create(
            enterprise=case.enterprise,
            case=case,
            ground=ground,
            proposed_on=on,
            basis=f"依据{DISHONESTY_BASIS}，本案属于“{MANUAL_GROUNDS[ground]}”的情形"
            f"（{reason[:500]}），建议列入严重失信主体名单；管理期限三年，列入满十二个月可申请提前移出。",
        )
        audit.record(
            actor=actor,
            action="dishonesty.propose",
            obj=listing,
            summary=f"建议列入严重失信主体名单：{case.enterprise.name}",
            data={"case": case.pk, "ground": ground, "reason": reason},
        )
    return listing


def propose_dishonesty(*, case: Case, on: dt.date) -> DishonestyListing | None:
    larger = Case.objects.filter(
        enterprise=case.enterprise,
        violation_code="AQSCF2021-114-2",
        status__in=DECIDED_STATUSES,
        decided_on__gt=on - dt.timedelta(days=365),
        decided_on__lte=on,
    ).count()
    grounds = dishonesty_grounds(case, larger_accidents_12m=larger)
    if not grounds:
        return None
    code, text = grounds[0]
    return DishonestyListing.objects.create(
        enterprise=case.enterprise,
        case=case,
        ground=code,
        proposed_on=on,
        basis=f"依据{DISHONESTY_BASIS}，本案属于“{text}”的情形，建议列入严重失信主体名单；"
        "管理期限三年，列入满十二个月可申请提前移出。",
    )


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def list_dishonest(*, actor, listing: DishonestyListing, on: dt.date) -> DishonestyListing:
    from fairinspect.core.roles import Role

    if not has_role(actor, Role.APPROVER):
        raise Forbidden("列入严重失信主体名单由作出处罚决定的单位负责人决定。")
    with transaction.atomic():
        ent = Enterprise.objects.select_for_update().get(pk=listing.enterprise_id)
        n = DishonestyListing.objects.filter(pk=listing.pk, status="proposed").update(
            status="listed",
            listed_on=on,
            expires_on=_add_years(on, 3),
            early_removal_from=_add_years(on, 1),
            previous_credit_level=ent.credit_level,
        )
        if n != 1:
            raise Conflict("not_proposed", "只有“建议列入”的记录可以列入。")
        Enterprise.objects.filter(pk=ent.pk).update(credit_level="D")
        listing.refresh_from_db()
        CreditRecord.objects.create(
            enterprise=ent,
            case=listing.case,
            kind="dishonest",
            on=on,
            summary=f"列入严重失信主体名单，至{listing.expires_on}",
        )
        audit.record(
            actor=actor,
            action="dishonesty.list",
            obj=listing,
            summary=f"列入严重失信主体名单：{ent.name}",
            data={"expires": listing.expires_on},
        )
    return listing


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
        status="removed", removed_on=on, removal_reason=reason, measures_lifted=True
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
    audit.record(
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
        audit.record(
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
        audit.record(
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
        audit.record(
            actor=actor,
            action="credit.accident",
            obj=rec,
            summary=f"登记生产安全事故：{enterprise.name}，{summary[:150]}",
            data={"on": on, "level": level, "fatalities": fatalities, "injuries": injuries},
        )
    return rec
