"""R10.2 due process for the serious-dishonesty list (应急管理部令第11号): proposal → written
notice to the party with the ground and the facts → the party's statement within five working
days (on its page or the API) → decision by someone other than the proposer, within the bureau
→ publication of decisions only. Each ground is checked against what the case established."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from docx import Document

from fairinspect.cases import services
from fairinspect.cases.models import DishonestyListing
from fairinspect.core.duties import DutyRefused
from fairinspect.core.errors import Conflict, Forbidden

URUMQI = ZoneInfo("Asia/Urumqi")
CONCEALED = {"accident_level": "general", "aggravations": ["concealed_accident"]}


def at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=URUMQI), tick=False)


@pytest.fixture
def proposed(new_case, walk, npl, tianshan_enterprise):
    """A concealed accident decided on 2025-06-14: the system proposes listing (by the decider)."""
    case = walk(
        new_case(violation="AQSCF2021-114-1", enterprise=tianshan_enterprise),
        "decide",
        facts=CONCEALED,
        proposed_fine="800000",
        reason="瞒报事故，情节恶劣。",
    )
    return DishonestyListing.objects.get(case=case)


def text_of(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def test_r10_2_a_proposal_is_not_published_and_its_proposer_does_not_decide_it(
    proposed, walk, second_approver, tianshan_enterprise
):
    approver = walk.people["approver"]
    assert proposed.status == "proposed" and proposed.proposed_by == approver
    assert (
        tianshan_enterprise.name not in Client().get("/cases/dishonesty/public/").content.decode()
    )
    assert "建议列入" not in Client().get("/cases/disclosures/").content.decode()
    with pytest.raises(Conflict) as exc:  # not notified yet
        services.list_dishonest(actor=second_approver, listing=proposed, on=dt.date(2025, 7, 1))
    assert exc.value.code == "party_not_notified"
    services.notify_listing(actor=walk.people["officer"], listing=proposed, on=dt.date(2025, 6, 16))
    with pytest.raises(DutyRefused) as exc:
        services.list_dishonest(actor=approver, listing=proposed, on=dt.date(2025, 7, 1))
    assert exc.value.extra["reasons"][0]["code"] == "proposed_by_actor"
    proposed.refresh_from_db()
    assert proposed.status == "notified"


def test_r10_2_the_notice_names_the_ground_the_facts_and_five_working_days(
    proposed, walk, enterprise_user
):
    officer = walk.people["officer"]
    listing = services.notify_listing(actor=officer, listing=proposed, on=dt.date(2025, 6, 16))
    assert listing.statement_due == dt.date(2025, 6, 23)  # Mon 16 + 5 working days
    assert listing.notice_number.startswith("乌应急失信告〔2025〕")
    with pytest.raises(Conflict):
        services.notify_listing(actor=officer, listing=listing, on=dt.date(2025, 6, 17))
    client = Client()
    client.force_login(officer)
    r = client.get(f"/cases/dishonesty/{listing.pk}/notice.docx")
    text = text_of(r.content)
    assert "列入安全生产严重失信主体名单告知书" in text and "瞒报、谎报生产安全事故" in text
    assert "2025年6月23日" in text and "陈述、申辩" in text and "应急管理部令第11号" in text
    assert listing.case.facts_text in text
    client.force_login(enterprise_user)
    with at(dt.date(2025, 6, 17)):
        page = client.get("/cases/mine/").content.decode()
    assert "列入告知书" in page and 'data-testid="listing-statement"' in page
    assert client.get(f"/cases/mine/listings/{listing.pk}/notice.docx").status_code == 200


def test_r10_2_the_party_states_its_case_on_its_page_and_the_decision_answers_it(
    proposed, walk, enterprise_user, second_approver, tianshan_enterprise
):
    services.notify_listing(actor=walk.people["officer"], listing=proposed, on=dt.date(2025, 6, 16))
    client = Client()
    client.force_login(enterprise_user)
    with at(dt.date(2025, 6, 20)):
        client.post(
            f"/cases/mine/listings/{proposed.pk}/statement/",
            {"statement": "事故已如实补报，请求不予列入。", "hearing": "1"},
        )
    proposed.refresh_from_db()
    assert proposed.statement.startswith("事故已如实补报") and proposed.hearing_requested
    assert proposed.statement_by == enterprise_user
    # With a statement on file the period need not run out, but the decision must answer it.
    with pytest.raises(Exception) as exc:
        services.list_dishonest(actor=second_approver, listing=proposed, on=dt.date(2025, 6, 21))
    assert exc.value.field == "note"
    listing = services.list_dishonest(
        actor=second_approver,
        listing=proposed,
        on=dt.date(2025, 6, 21),
        note="补报不改变瞒报的事实，不予采纳。",
    )
    assert listing.status == "listed" and listing.decided_by == second_approver
    public = Client().get("/cases/dishonesty/public/").content.decode()
    assert tianshan_enterprise.name in public


def test_r10_2_the_party_states_its_case_through_the_api_within_the_period_only(
    proposed, walk, enterprise_user, other_enterprise_user, api_token, client
):
    services.notify_listing(actor=walk.people["officer"], listing=proposed, on=dt.date(2025, 6, 16))
    url = f"/api/v1/dishonesty-listings/{proposed.pk}/statement"
    body = {"statement": "请求听证。", "hearing": True}
    r = client.post(
        url, data=body, content_type="application/json", **api_token(other_enterprise_user)
    )
    assert r.status_code == 404
    r = client.post(
        url,
        data={"statement": "x", "hearing": "maybe"},
        content_type="application/json",
        **api_token(enterprise_user),
    )
    assert r.status_code == 422
    with at(dt.date(2025, 6, 24)):
        r = client.post(
            url, data=body, content_type="application/json", **api_token(enterprise_user)
        )
    assert r.status_code == 409 and r.json()["code"] == "statement_period_over"
    with at(dt.date(2025, 6, 23)):
        r = client.post(
            url, data=body, content_type="application/json", **api_token(enterprise_user)
        )
    assert r.status_code == 200 and r.json()["hearing_requested"] is True
    r = client.get(f"/api/v1/dishonesty-listings/{proposed.pk}", **api_token(enterprise_user))
    assert r.json()["statement"] == "请求听证。"


def test_r10_2_without_a_statement_the_decision_waits_for_the_period_to_end(
    proposed, walk, second_approver
):
    services.notify_listing(actor=walk.people["officer"], listing=proposed, on=dt.date(2025, 6, 16))
    with pytest.raises(Conflict) as exc:
        services.list_dishonest(actor=second_approver, listing=proposed, on=dt.date(2025, 6, 23))
    assert exc.value.code == "statement_period_open"
    listing = services.list_dishonest(
        actor=second_approver, listing=proposed, on=dt.date(2025, 6, 24)
    )
    assert listing.status == "listed" and listing.listed_on == dt.date(2025, 6, 24)


def test_r10_2_a_declined_listing_needs_a_reason_and_is_never_published(
    proposed, walk, second_approver, tianshan_enterprise
):
    services.notify_listing(actor=walk.people["officer"], listing=proposed, on=dt.date(2025, 6, 16))
    with pytest.raises(Exception) as exc:
        services.decline_listing(
            actor=second_approver, listing=proposed, on=dt.date(2025, 6, 24), note=""
        )
    assert exc.value.field == "note"
    listing = services.decline_listing(
        actor=second_approver, listing=proposed, on=dt.date(2025, 6, 24), note="迟报而非瞒报。"
    )
    assert listing.status == "declined"
    tianshan_enterprise.refresh_from_db()
    assert tianshan_enterprise.credit_level != "D"
    assert (
        tianshan_enterprise.name not in Client().get("/cases/dishonesty/public/").content.decode()
    )


def test_r10_2_a_ground_the_case_did_not_establish_is_refused_at_the_decision(
    new_case, walk, npl, second_approver, tianshan_enterprise
):
    case = walk(new_case(enterprise=tianshan_enterprise), "decide")  # an ordinary fine
    listing = DishonestyListing.objects.create(
        enterprise=tianshan_enterprise,
        case=case,
        ground="concealed_accident",
        basis="x",
        proposed_on=case.decided_on,
        proposed_by=walk.people["approver"],
    )
    services.notify_listing(actor=walk.people["officer"], listing=listing, on=dt.date(2025, 6, 16))
    with pytest.raises(Conflict) as exc:
        services.list_dishonest(actor=second_approver, listing=listing, on=dt.date(2025, 6, 24))
    assert exc.value.code == "ground_not_established"
    listing.refresh_from_db()
    assert listing.status == "notified"


def test_r10_2_a_manual_ground_needs_the_approvers_written_basis(
    new_case, walk, npl, tianshan_enterprise
):
    case = walk(new_case(enterprise=tianshan_enterprise), "decide")
    with pytest.raises(Exception) as exc:
        services.propose_listing_by_approver(
            actor=walk.people["approver"],
            case=case,
            ground="unlicensed_operation",
            reason=" ",
            on=case.decided_on,
        )
    assert exc.value.field == "reason"
    listing = services.propose_listing_by_approver(
        actor=walk.people["approver"],
        case=case,
        ground="unlicensed_operation",
        reason="许可证暂扣期间仍生产（询问笔录）。",
        on=case.decided_on,
    )
    assert listing.written_basis and listing.proposed_by == walk.people["approver"]


def test_r10_2_only_the_bureau_that_penalised_serves_the_notice(
    proposed, make_user, tianshan_officer
):
    with pytest.raises(Forbidden):
        services.notify_listing(actor=tianshan_officer, listing=proposed, on=dt.date(2025, 6, 16))
    proposed.refresh_from_db()
    assert proposed.status == "proposed"


def test_r10_2_the_listing_page_shows_the_proposer_why_they_cannot_decide(proposed, walk, client):
    services.notify_listing(actor=walk.people["officer"], listing=proposed, on=dt.date(2025, 6, 16))
    client.force_login(walk.people["approver"])
    with at(dt.date(2025, 7, 1)):
        page = client.get("/cases/dishonesty/").content.decode()
    assert 'data-testid="duty-refusal"' in page and "您提出了" in page
    assert f"/cases/dishonesty/{proposed.pk}/list/" not in page


def test_r10_2_a_proposal_may_be_declined_before_any_notice_but_not_listed(
    proposed, second_approver
):
    with pytest.raises(Conflict):
        services.list_dishonest(actor=second_approver, listing=proposed, on=dt.date(2025, 7, 1))
    listing = services.decline_listing(
        actor=second_approver,
        listing=proposed,
        on=dt.date(2025, 6, 16),
        note="仅迟报，不属于瞒报。",
    )
    assert listing.status == "declined" and listing.notice_served_on is None
