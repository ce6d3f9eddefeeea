"""The serious-dishonesty list over time (R10.2): the term ends after three years (periodic
command and the approver's button), early removal on the enterprise's application after twelve
months, decided by the approver; measures lifted on removal. Time is frozen."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from fairinspect.audit.models import AuditEvent
from fairinspect.cases import services
from fairinspect.cases.models import CreditRecord, DishonestyListing, RemovalApplication
from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed

LISTED_ON = dt.date(2025, 7, 1)
URUMQI = ZoneInfo("Asia/Urumqi")


def at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=URUMQI), tick=False)


@pytest.fixture
def listing(npl, walk, new_case, tianshan_enterprise, listed):
    case = walk(new_case(enterprise=tianshan_enterprise), "decide")
    return listed(case, on=LISTED_ON)


def run_command() -> str:
    out = StringIO()
    call_command("expire_dishonesty_listings", stdout=out)
    return out.getvalue()


def snapshot(ent):
    ent.refresh_from_db()
    return (
        ent.credit_level,
        list(DishonestyListing.objects.values_list("status", "removed_on")),
        CreditRecord.objects.count(),
        AuditEvent.objects.count(),
    )


def test_r10_2_the_command_removes_a_listing_when_its_three_years_end_and_lifts_the_measures(
    listing, tianshan_enterprise
):
    assert listing.expires_on == dt.date(2028, 7, 1)
    assert tianshan_enterprise.__class__.objects.get(pk=tianshan_enterprise.pk).credit_level == "D"
    with at(dt.date(2028, 6, 30)):
        assert "0 listing(s) removed" in run_command()
    listing.refresh_from_db()
    assert listing.status == "listed"
    with at(dt.date(2028, 7, 1)):
        out = run_command()
    assert "1 listing(s) removed" in out
    listing.refresh_from_db()
    tianshan_enterprise.refresh_from_db()
    assert listing.status == "removed" and listing.measures_lifted
    assert listing.removed_on == dt.date(2028, 7, 1)
    assert tianshan_enterprise.credit_level == "B"  # the level before listing, restored
    rec = CreditRecord.objects.get(enterprise=tianshan_enterprise, kind="removed")
    assert rec.summary.startswith("期满移出")
    event = AuditEvent.objects.filter(action="dishonesty.expire").get()
    assert event.object_id == str(listing.pk)


def test_r10_2_running_the_expiry_command_twice_changes_nothing_the_second_time(
    listing, tianshan_enterprise
):
    with at(dt.date(2028, 8, 1)):
        run_command()
        first = snapshot(tianshan_enterprise)
        assert "0 listing(s) removed" in run_command()
        assert snapshot(tianshan_enterprise) == first


def test_r10_2_expiry_keeps_measures_while_another_listing_still_runs(
    listing, tianshan_enterprise, walk, new_case, listed
):
    case = walk(new_case(enterprise=tianshan_enterprise), "decide", start=dt.date(2026, 3, 2))
    listed(case, on=dt.date(2026, 4, 1))
    with at(dt.date(2028, 7, 1)):
        run_command()
    tianshan_enterprise.refresh_from_db()
    assert tianshan_enterprise.credit_level == "D"  # still listed under the second decision


def test_r10_2_the_approver_removes_a_listing_at_the_end_of_its_term_with_the_button(
    client, listing, approver, city_officer, tianshan_enterprise
):
    with at(dt.date(2028, 6, 30)):
        client.force_login(approver)
        page = client.get("/cases/dishonesty/").content.decode()
        assert "期满移出并解除惩戒措施" not in page
        client.post(f"/cases/dishonesty/{listing.pk}/remove/")
        listing.refresh_from_db()
        assert listing.status == "listed"
    with at(dt.date(2028, 7, 1)):
        client.force_login(approver)
        assert "期满移出并解除惩戒措施" in client.get("/cases/dishonesty/").content.decode()
        client.force_login(city_officer)
        client.post(f"/cases/dishonesty/{listing.pk}/remove/")
        listing.refresh_from_db()
        assert listing.status == "listed"  # an officer cannot remove
        client.force_login(approver)
        client.post(f"/cases/dishonesty/{listing.pk}/remove/")
    listing.refresh_from_db()
    tianshan_enterprise.refresh_from_db()
    assert listing.status == "removed" and listing.removal_reason == services.EXPIRY_REASON
    assert tianshan_enterprise.credit_level == "B"
    with at(dt.date(2028, 7, 2)):
        assert "0 listing(s) removed" in run_command()


def test_r10_2_the_enterprise_applies_for_early_removal_only_after_twelve_months(
    listing, enterprise_user, other_enterprise_user, city_officer
):
    with pytest.raises(Conflict) as exc:
        services.apply_early_removal(
            actor=enterprise_user, listing=listing, statement="已整改", on=dt.date(2026, 6, 30)
        )
    assert exc.value.code == "too_early"
    for stranger in (other_enterprise_user, city_officer):
        with pytest.raises(Forbidden):
            services.apply_early_removal(
                actor=stranger, listing=listing, statement="已整改", on=dt.date(2026, 7, 1)
            )
    with pytest.raises(ValidationFailed) as exc:
        services.apply_early_removal(
            actor=enterprise_user, listing=listing, statement="  ", on=dt.date(2026, 7, 1)
        )
    assert exc.value.field == "statement"
    app = services.apply_early_removal(
        actor=enterprise_user,
        listing=listing,
        statement="罚款已缴清，隐患已整改，已作出信用承诺。",
        on=dt.date(2026, 7, 1),
    )
    assert app.status == "pending"
    with pytest.raises(Conflict) as exc:
        services.apply_early_removal(
            actor=enterprise_user, listing=listing, statement="再次申请", on=dt.date(2026, 7, 2)
        )
    assert exc.value.code == "application_pending"
    assert RemovalApplication.objects.count() == 1


def test_r10_2_the_approver_decides_an_application_refusal_needs_a_reason_grant_lifts_measures(
    listing, enterprise_user, approver, city_officer, tianshan_enterprise
):
    app = services.apply_early_removal(
        actor=enterprise_user, listing=listing, statement="已整改。", on=dt.date(2026, 7, 1)
    )
    with pytest.raises(Forbidden):
        services.decide_early_removal(
            actor=city_officer, application=app, approve=True, note="同意", on=dt.date(2026, 7, 3)
        )
    with pytest.raises(ValidationFailed):
        services.decide_early_removal(
            actor=approver, application=app, approve=False, note="", on=dt.date(2026, 7, 3)
        )
    app = services.decide_early_removal(
        actor=approver, application=app, approve=False, note="整改未验收。", on=dt.date(2026, 7, 3)
    )
    listing.refresh_from_db()
    assert app.status == "refused" and listing.status == "listed"
    second = services.apply_early_removal(
        actor=enterprise_user, listing=listing, statement="已验收。", on=dt.date(2026, 8, 1)
    )
    services.decide_early_removal(
        actor=approver, application=second, approve=True, note="符合条件。", on=dt.date(2026, 8, 5)
    )
    with pytest.raises(Conflict):
        services.decide_early_removal(
            actor=approver, application=second, approve=True, note="again", on=dt.date(2026, 8, 6)
        )
    listing.refresh_from_db()
    tianshan_enterprise.refresh_from_db()
    assert listing.status == "removed" and listing.measures_lifted
    assert listing.removed_on == dt.date(2026, 8, 5)
    assert tianshan_enterprise.credit_level == "B"
    assert CreditRecord.objects.filter(kind="removed", summary__startswith="提前移出").exists()


def test_r10_2_early_removal_journey_through_the_pages(
    client, listing, enterprise_user, approver, tianshan_enterprise
):
    with at(dt.date(2026, 6, 1)):
        client.force_login(enterprise_user)
        page = client.get("/cases/mine/").content.decode()
        assert "列入满十二个月后" in page and "提交提前移出申请" not in page
    with at(dt.date(2026, 7, 2)):
        client.force_login(enterprise_user)
        assert "提交提前移出申请" in client.get("/cases/mine/").content.decode()
        client.post(
            f"/cases/mine/listings/{listing.pk}/apply/", {"statement": "罚款已缴清，已整改。"}
        )
        app = RemovalApplication.objects.get()
        client.force_login(approver)
        page = client.get("/cases/dishonesty/").content.decode()
        assert "罚款已缴清，已整改。" in page and "同意提前移出" in page
        client.post(
            f"/cases/dishonesty/applications/{app.pk}/", {"decision": "approve", "note": ""}
        )
        app.refresh_from_db()
        assert app.status == "pending"  # no opinion, nothing saved
        client.post(
            f"/cases/dishonesty/applications/{app.pk}/",
            {"decision": "approve", "note": "材料齐全，同意。"},
        )
    listing.refresh_from_db()
    assert listing.status == "removed"
    client.force_login(enterprise_user)
    assert "同意提前移出" in client.get("/cases/mine/").content.decode()


# ---- a ground of 令第11号 the case data cannot show: working without a required licence ------


def test_r10_2_the_approver_proposes_listing_for_working_without_a_licence(
    client, npl, walk, new_case, tianshan_enterprise, approver, city_officer
):
    case = walk(new_case(enterprise=tianshan_enterprise), "decide")
    assert not DishonestyListing.objects.filter(case=case).exists()  # not detectable from data
    with pytest.raises(Forbidden):
        services.propose_listing_by_approver(
            actor=city_officer,
            case=case,
            ground="unlicensed_operation",
            reason="x",
            on=dt.date(2025, 6, 20),
        )
    with pytest.raises(ValidationFailed) as exc:
        services.propose_listing_by_approver(
            actor=approver, case=case, ground="unlicensed_operation", reason="", on=LISTED_ON
        )
    assert exc.value.field == "reason"
    with pytest.raises(ValidationFailed):
        services.propose_listing_by_approver(
            actor=approver, case=case, ground="made_up", reason="x", on=LISTED_ON
        )
    client.force_login(approver)
    assert "未依法取得安全生产相关许可" in client.get(f"/cases/{case.pk}/").content.decode()
    client.post(
        f"/cases/{case.pk}/propose-listing/",
        {"ground": "unlicensed_operation", "reason": "安全生产许可证被暂扣期间继续生产。"},
    )
    listing = DishonestyListing.objects.get(case=case)
    assert listing.status == "proposed" and listing.ground == "unlicensed_operation"
    assert "许可被暂扣、吊销期间" in listing.basis and "应急管理部令第11号" in listing.basis
    with pytest.raises(Conflict):
        services.propose_listing_by_approver(
            actor=approver, case=case, ground="unlicensed_operation", reason="x", on=LISTED_ON
        )
    assert AuditEvent.objects.filter(action="dishonesty.propose").count() == 1


def test_r10_2_a_case_not_yet_decided_cannot_be_proposed(
    npl, walk, new_case, tianshan_enterprise, approver
):
    case = walk(new_case(enterprise=tianshan_enterprise), "notify")
    with pytest.raises(Conflict):
        services.propose_listing_by_approver(
            actor=approver, case=case, ground="unlicensed_operation", reason="x", on=LISTED_ON
        )
