"""The procedure of a penalty case through the services (R7.4), with its deadlines."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from fairinspect.audit.models import AuditEvent
from fairinspect.cases import services
from fairinspect.cases.models import Case, CaseStep, CreditRecord, Disclosure
from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed

from .conftest import FILED


def test_r7_4_a_case_walks_from_filing_to_closing_and_every_step_is_logged_and_audited(
    new_case, walk, npl
):
    case = walk(new_case(), "close")
    assert case.status == "closed"
    # Each document type on its own series (R7.5): the numbers are the series' next values,
    # not the row's id (PostgreSQL's ids are not reset between tests).
    assert re.fullmatch(r"乌应急立〔2025〕[1-9][0-9]*号", case.number), case.number
    assert re.fullmatch(r"乌应急罚〔2025〕[1-9][0-9]*号", case.decision_number), (
        case.decision_number
    )
    actions = list(CaseStep.objects.filter(case=case).values_list("action", flat=True))
    assert actions == [
        "open",
        "approve_filing",
        "investigate",
        "notify",
        "record_statement",
        "legal_review",
        "decide",
        "serve",
        "execute",
        "close",
    ]
    assert AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).count() == 10
    assert case.amount_paid == case.fine_amount and case.surcharge == 0


def test_r7_1_the_case_keeps_the_procedure_rules_in_force_on_its_filing_date(new_case, walk, npl):
    old = walk(new_case(), "approve_filing", start=dt.date(2026, 1, 30))
    new = walk(new_case(), "approve_filing", start=dt.date(2026, 2, 1))
    assert (old.procedure_rule, new.procedure_rule) == ("SAWS-15", "MEM-18")


ROLE_TABLE = [
    # (action, state the case is brought to first, the role that may, a role that may not)
    ("approve_filing", None, "approver", "officer"),
    ("reject_filing", None, "approver", "legal"),
    ("investigate", "approve_filing", "officer", "approver"),
    ("notify", "investigate", "officer", "legal"),
    ("record_statement", "notify", "officer", "approver"),
    ("legal_review", "record_statement", "legal", "officer"),
    ("legal_review", "record_statement", "legal", "approver"),
    ("decide", "legal_review", "approver", "officer"),
    ("decide", "legal_review", "approver", "legal"),
    ("serve", "decide", "officer", "approver"),
    ("execute", "serve", "officer", "legal"),
    ("close", "execute", "approver", "officer"),
    ("extend", "approve_filing", "approver", "officer"),
]


@pytest.mark.parametrize(("action", "before", "allowed", "refused"), ROLE_TABLE)
def test_r7_4_each_step_is_refused_to_the_wrong_role(
    new_case, walk, npl, action, before, allowed, refused
):
    case = new_case()
    if before:
        case = walk(case, before)
    status = case.status
    with pytest.raises(Forbidden) as exc:
        walk.step(case, action, refused, FILED + dt.timedelta(days=30), note="x")
    assert "只能由" in exc.value.message
    assert Case.objects.get(pk=case.pk).status == status


def test_r7_4_a_step_out_of_order_is_a_conflict_with_the_reason(new_case, walk, npl):
    case = new_case()
    with pytest.raises(Conflict) as exc:
        walk.step(case, "decide", "approver", FILED)
    assert exc.value.code == "wrong_state" and exc.value.extra["reasons"]


def test_r7_4_a_stale_copy_cannot_take_the_same_step_twice(new_case, walk, npl):
    case = new_case()
    stale = Case.objects.get(pk=case.pk)
    walk.step(case, "approve_filing", "approver", FILED)
    from fairinspect.cases.services.procedure import _move

    with pytest.raises(Conflict):
        _move(
            actor=walk.people["approver"],
            case=stale,
            action="approve_filing",
            to="investigating",
            on=FILED,
            filed_on=FILED,
        )
    assert CaseStep.objects.filter(case=case, action="approve_filing").count() == 1


def test_r7_4_notice_needs_facts_evidence_and_a_discretion_first(new_case, walk, npl):
    case = walk(new_case(), "approve_filing")
    with pytest.raises(Conflict) as exc:
        walk.step(case, "notify", "officer", FILED)
    assert exc.value.code == "not_assessed"


def test_r7_4_legal_review_waits_for_the_statement_period_unless_the_party_spoke(
    new_case, walk, npl
):
    case = walk(new_case(), "notify")  # served 2025-06-06 (Friday); 3 working days → 06-11
    with pytest.raises(Conflict) as exc:
        walk.step(case, "legal_review", "legal", dt.date(2025, 6, 11), opinion="ok", approve=True)
    assert exc.value.code == "statement_period_open"
    case = walk.step(
        case, "legal_review", "legal", dt.date(2025, 6, 12), opinion="ok", approve=True
    )
    assert case.status == "reviewed"


def test_r7_4_the_legal_reviewer_can_return_a_case_for_more_investigation(new_case, walk, npl):
    case = walk(new_case(), "record_statement")
    case = walk.step(
        case,
        "legal_review",
        "legal",
        FILED + dt.timedelta(days=9),
        opinion="证据不足，补充询问笔录。",
        approve=False,
    )
    assert case.status == "investigating" and "证据不足" in case.review_opinion


def test_r7_4_a_large_fine_gives_a_hearing_notice_and_needs_collective_discussion(
    new_case, walk, npl
):
    big = {"harm": "serious", "staff_affected_share": "0.5", "headcount": 100}
    case = walk(new_case(), "legal_review", facts=big, proposed_fine="80000")
    assert case.hearing_required and case.is_major
    assert any(r["code"] == "large_fine" for r in case.reasons)
    with pytest.raises(Conflict) as exc:
        walk.step(case, "decide", "approver", FILED + dt.timedelta(days=12))
    assert exc.value.code == "discussion_required"
    case = walk(case, "decide")
    assert case.status == "decided" and case.discussed_on


@pytest.mark.parametrize(
    ("party", "violation", "amount", "hearing"),
    [
        ("unit", "AQSCF2021-97-4", "49999", False),
        ("unit", "AQSCF2021-97-4", "50000", True),
        ("person", "AQSCF2021-94", "19999", False),
        ("person", "AQSCF2021-94", "20000", True),
    ],
)
def test_r7_4_the_hearing_thresholds_are_50000_for_a_unit_and_20000_for_a_person(
    new_case, walk, npl, party, violation, amount, hearing
):
    case = new_case(
        violation=violation, party=party, person_name="张建国" if party == "person" else ""
    )
    case = walk(
        case,
        "investigate",
        facts={"harm": "slight"},
        proposed_fine=amount,
        reason="依据现场情况确定。",
    )
    assert case.hearing_required is hearing


def test_r7_2_an_amount_outside_the_range_needs_a_written_reason_and_is_flagged(
    new_case, walk, npl
):
    case = walk(new_case(), "approve_filing")
    with pytest.raises(ValidationFailed) as exc:
        walk(case, "investigate", proposed_fine="99000")
    assert exc.value.field == "outside_range_reason"
    case = walk(
        Case.objects.get(pk=case.pk),
        "record_statement",
        proposed_fine="45000",
        reason="涉及特种作业岗位，危害较大。",
    )
    assert case.outside_range and "涉及特种作业" in case.outside_range_reason
    with pytest.raises(ValidationFailed) as exc:
        walk.step(
            case,
            "legal_review",
            "legal",
            FILED + dt.timedelta(days=10),
            opinion="同意",
            approve=True,
        )
    assert exc.value.field == "accept_outside_range"


def test_r7_2_an_amount_above_the_legal_maximum_is_refused_outright(new_case, walk, npl):
    case = walk(new_case(), "approve_filing")
    with pytest.raises(ValidationFailed) as exc:
        walk(case, "investigate", proposed_fine="100001", reason="x")
    assert exc.value.code == "above_legal_max"


def test_r7_4_deadlines_cross_the_national_day_holiday_and_count_the_tiaoxiu_saturday(
    new_case, walk, npl
):
    start = dt.date(2025, 9, 1)
    case = walk(new_case(on=start), "investigate", start=start)
    case = walk.step(case, "notify", "officer", dt.date(2025, 9, 30), served_on="2025-09-30")
    due = services.deadlines(case)
    # 3 working days after 09-30: 10-09, 10-10 and Saturday 10-11 (调休 working day).
    assert due["statement"].due == dt.date(2025, 10, 11)
    assert due["hearing_request"].due == dt.date(2025, 10, 14)
    assert due["decision"].due == dt.date(2025, 11, 30) + dt.timedelta(days=1)  # 11-30 is a Sunday
    case = walk.step(case, "record_statement", "officer", dt.date(2025, 10, 9), statement="")
    case = walk.step(
        case, "legal_review", "legal", dt.date(2025, 10, 13), opinion="同意", approve=True
    )
    case = walk.step(case, "decide", "approver", dt.date(2025, 9, 29), on="2025-09-29")
    due = services.deadlines(case)
    assert due["service"].due == dt.date(2025, 10, 15)  # 7 working days over the holiday
    assert due["publication"].due == dt.date(2025, 10, 15)
    case = walk.step(
        case,
        "serve",
        "officer",
        dt.date(2025, 9, 16) + dt.timedelta(days=14),
        served_on="2025-09-30",
    )
    assert services.deadlines(case)["payment"].due == dt.date(2025, 10, 15)


def test_r7_4_the_payment_deadline_moves_past_the_holiday_and_the_surcharge_is_3_percent_capped(
    new_case, walk, npl
):
    case = walk(new_case(), "serve", proposed_fine="10000")
    case = Case.objects.get(pk=case.pk)
    Case.objects.filter(pk=case.pk).update(served_on=dt.date(2025, 9, 16))
    case.refresh_from_db()
    due = services.deadlines(case)["payment"].due
    assert due == dt.date(2025, 10, 9)  # 10-01 is a holiday: moved to the first working day
    late = walk.step(case, "execute", "officer", dt.date(2025, 10, 19), paid_on="2025-10-19")
    assert late.surcharge == Decimal("3000.00")  # 10 days × 3% × 10,000
    assert late.amount_paid == Decimal("13000.00")


def test_r7_4_the_surcharge_never_exceeds_the_fine_and_underpayment_is_refused(new_case, walk, npl):
    case = walk(new_case(), "serve", proposed_fine="10000")
    with pytest.raises(ValidationFailed) as exc:
        walk.step(
            case,
            "execute",
            "officer",
            dt.date(2026, 6, 1),
            paid_on="2026-06-01",
            amount_paid="15000",
        )
    assert "20000.00" in exc.value.message  # fine + surcharge capped at the fine


def test_r7_4_an_extension_is_recorded_with_its_reason_and_moves_the_decision_deadline(
    new_case, walk, npl
):
    case = walk(new_case(), "approve_filing")
    before = case.decision_due
    with pytest.raises(ValidationFailed):
        walk.step(case, "extend", "approver", FILED, days=30, reason="")
    case = walk.step(case, "extend", "approver", FILED, days=30, reason="案情复杂，需补充鉴定。")
    assert case.decision_due > before and case.extensions.get().reason.startswith("案情复杂")


def test_r7_4_the_overdue_list_shows_cases_past_their_current_deadline(new_case, walk, npl):
    from fairinspect.cases import queries

    late = walk(new_case(), "approve_filing")
    walk(new_case(), "approve_filing", start=dt.date(2025, 8, 1))
    rows = list(queries.overdue(Case.objects.all(), today=dt.date(2025, 9, 15)))
    assert [c.pk for c in rows] == [late.pk] and rows[0].next_due_kind == "decision"


def test_r10_1_r8_2_a_decision_enters_the_credit_record_and_a_redacted_disclosure(
    new_case, walk, npl
):
    case = walk(
        new_case(
            violation="AQSCF2021-94", party="person", person_name="张建国", person_role="主要负责人"
        ),
        "decide",
        facts={"harm": "slight"},
    )
    assert CreditRecord.objects.get(case=case).kind == "penalty"
    disc = Disclosure.objects.get(case=case)
    assert disc.party_name.startswith("张**") and "建国" not in disc.party_name
    assert disc.due_on == dt.date(2025, 6, 24)  # 7 working days after 06-14 (Sat): 06-16…06-24
    assert case.next_due_kind in ("service", "publication")
    services.publish_disclosure(
        actor=walk.people["officer"], disclosure=disc, on=dt.date(2025, 6, 16)
    )
    with pytest.raises(Conflict):
        services.publish_disclosure(
            actor=walk.people["officer"], disclosure=disc, on=dt.date(2025, 6, 16)
        )


def test_r7_2_the_legal_reviewer_sees_the_outside_range_flag_on_the_case_and_in_the_list(
    new_case, walk, npl, client, legal_reviewer
):
    flagged = walk(
        new_case(), "record_statement", proposed_fine="45000", reason="涉及特种作业岗位。"
    )
    plain = walk(new_case(), "record_statement")
    client.force_login(legal_reviewer)
    page = client.get(f"/cases/{flagged.pk}/").content.decode()
    assert 'data-testid="review-flag"' in page and "涉及特种作业岗位" in page
    assert "已审查超出建议幅度的理由" in page  # the reviewer must confirm it to approve
    listed = client.get("/cases/?outside=1").content.decode()
    assert f"/cases/{flagged.pk}/" in listed and f"/cases/{plain.pk}/" not in listed


def test_r7_4_recording_no_statement_does_not_cut_the_statement_period_short(new_case, walk, npl):
    case = walk(new_case(), "notify")  # served 2025-06-06; the period ends 2025-06-11
    case = walk.step(case, "record_statement", "officer", dt.date(2025, 6, 9), statement="")
    with pytest.raises(Conflict) as exc:
        walk.step(case, "legal_review", "legal", dt.date(2025, 6, 10), opinion="ok", approve=True)
    assert exc.value.code == "statement_period_open"
