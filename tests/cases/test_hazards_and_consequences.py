"""一案双罚 and self-reported hazards (R7.6, R11.3); the no-penalty path end to end (R7.3, R7.5);
the serious-dishonesty list (R10.2)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from docx import Document

from fairinspect.cases import documents, services
from fairinspect.cases.models import Case, CreditRecord, Disclosure, DishonestyListing
from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed

from .conftest import FILED


@pytest.fixture
def visit(ent):
    from fairinspect.registry.models import Department
    from fairinspect.visits.models import Visit

    return Visit.objects.create(
        enterprise=ent,
        kind="on_site",
        trigger="annual_plan",
        status="in_progress",
        planned_date=dt.date(2025, 6, 1),
        department=Department.objects.get(code="650100-WH"),
        inspecting_level="city",
        checked_in_at=timezone.now(),
    )


@pytest.fixture
def hazard(visit):
    from fairinspect.visits.models import Hazard

    def make(level="major", reported=False, **kw):
        return Hazard.objects.create(
            visit=visit,
            enterprise=visit.enterprise,
            level=level,
            description=kw.pop("description", "液氨储罐区可燃气体报警装置失效"),
            place="储罐区",
            reported_by_enterprise=reported,
            self_report_reference="ZB-2025-007" if reported else "",
            **kw,
        )

    return make


def text_of(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_r7_6_an_unreported_major_hazard_opens_two_linked_cases_unit_and_main_person(
    city_officer, hazard
):
    h = hazard("major")
    unit, person = services.open_cases_from_hazard(actor=city_officer, hazard=h, on=FILED)
    assert (unit.party, person.party) == ("unit", "person")
    assert person.person_name == "张建国" and person.person_role == "主要负责人"
    assert unit.pair_id == person.pk and person.pair_id == unit.pk
    assert (unit.violation_code, person.violation_code) == ("AQSCF2021-101-5", "AQSCF2021-94")
    assert unit.hazard_id == person.hazard_id == h.pk and unit.visit_id == h.visit_id
    with pytest.raises(Conflict):
        services.open_cases_from_hazard(actor=city_officer, hazard=h, on=FILED)


def test_r11_3_a_major_hazard_the_enterprise_reported_and_is_rectifying_is_not_penalised(
    city_officer, hazard
):
    h = hazard("major", reported=True)
    with pytest.raises(Conflict) as exc:
        services.open_cases_from_hazard(actor=city_officer, hazard=h, on=FILED)
    assert exc.value.code == "self_reported_hazard"
    assert "附件九" in exc.value.message and "R11.3" in exc.value.message
    assert not Case.objects.exists()


def test_r7_6_the_new_case_page_lists_hazards_found_on_visits_with_their_outcome(
    client, city_officer, hazard
):
    major, reported = hazard("major"), hazard("major", reported=True, description="企业自报隐患")
    client.force_login(city_officer)
    page = client.get("/cases/new/").content.decode()
    assert f"/cases/from-hazard/{major.pk}/" in page and "一案双罚" in page
    assert f"/cases/from-hazard/{reported.pk}/" in page and "企业自查自报" in page
    refused = client.post(f"/cases/from-hazard/{reported.pk}/", follow=True).content.decode()
    assert "附件九" in refused and not Case.objects.exists()


def test_r7_6_a_general_hazard_opens_one_case_against_the_unit(city_officer, hazard):
    [case] = services.open_cases_from_hazard(actor=city_officer, hazard=hazard("general"), on=FILED)
    assert case.party == "unit" and case.violation_code == "AQSCF2021-102" and case.pair is None


def test_r7_6_double_penalty_needs_the_main_person_on_record(city_officer, hazard, ent):
    ent.main_person = ""
    ent.save()
    with pytest.raises(ValidationFailed) as exc:
        services.open_cases_from_hazard(actor=city_officer, hazard=hazard("major"), on=FILED)
    assert exc.value.field == "main_person" and not Case.objects.exists()


def test_r7_3_the_no_penalty_path_ends_in_a_no_penalty_decision_and_an_education_record(
    new_case, walk, npl
):
    facts = {
        "first_offence": True,
        "harm": "slight",
        "corrected_in_time": True,
        "people_affected": 4,
    }
    case = walk(new_case(), "close", facts=facts)
    assert (
        case.outcome == "no_penalty" and case.grade == "no_penalty" and case.no_penalty_item == "1"
    )
    assert case.fine_amount == 0 and case.decision_number.startswith("乌应急不罚")
    assert case.education_note
    assert CreditRecord.objects.get(case=case).kind == "no_penalty"
    assert not Disclosure.objects.filter(case=case).exists()
    kinds = [k.code for k in documents.available(case)]
    # The no-penalty decision, and the reminder notice the list promises, on its own series.
    assert kinds == ["filing", "no_penalty", "reminder"]
    assert case.reminder_number.startswith("乌应急提醒〔2025〕")
    reminder = text_of(documents.build(case, "reminder")[1])
    assert "安全生产提醒告知书" in reminder and case.decision_number in reminder
    assert case.reminder_number in reminder and "不予行政处罚" in reminder
    _name, data = documents.build(case, "no_penalty")
    text = text_of(data)
    for expected in (
        "不予行政处罚决定书",
        case.decision_number,
        "第三十三条",
        "乌鲁木齐市应急管理局（印章）",
        "六十日内",
        "六个月内",
        "包容免罚清单",
        "经查",
        "等证据为证",
        case.reminder_number,
    ):
        assert expected in text, expected


@pytest.mark.parametrize(
    "failing",
    [
        {"first_offence": False},
        {"harm": "serious"},
        {"corrected_in_time": False},
        {"fatal": True},
        {"listed": True},
    ],
)
def test_r7_3_each_history_condition_on_its_own_fails_the_list(new_case, walk, npl, ent, failing):
    facts = {
        "first_offence": True,
        "harm": "slight",
        "corrected_in_time": True,
        "people_affected": 4,
    }
    if failing.get("first_offence") is False:  # an earlier decided case for the same violation
        walk(new_case(), "decide", facts={"harm": "slight"}, start=dt.date(2025, 1, 6))
    if failing.get("fatal"):
        services.record_accident(
            actor=None,
            enterprise=ent,
            on=dt.date(2023, 7, 1),
            fatalities=1,
            summary="一般事故，死亡1人",
        )
    if failing.get("listed"):
        DishonestyListing.objects.create(
            enterprise=ent,
            case=walk(new_case(), "decide", start=dt.date(2025, 1, 6)),
            ground="x",
            basis="x",
            status="listed",
            proposed_on=dt.date(2025, 1, 6),
            listed_on=dt.date(2025, 1, 6),
            expires_on=dt.date(2028, 1, 6),
        )
    facts.update(
        {k: v for k, v in failing.items() if k in ("harm", "corrected_in_time", "first_offence")}
    )
    case = walk(new_case(), "investigate", facts=facts)
    assert case.outcome == "penalty", case.reasons
    assert any(r["code"].startswith("history_") for r in case.reasons)


def test_r7_5_the_decision_document_states_facts_evidence_basis_discretion_and_the_answer(
    new_case, walk, npl
):
    case = walk(new_case(), "decide")
    text = text_of(documents.build(case, "decision")[1])
    for expected in (
        "行政处罚决定书",
        case.decision_number,
        "天山示例化工有限公司",
        "违法事实",
        "询问笔录",
        "《安全生产法》第二十八条第四款",
        "《安全生产法》第九十七条第四项",
        "裁量",
        "一般处罚",
        "不予采纳",
        "十五日内",
        "百分之三",
        "六十日内",
        "六个月内",
        "（印章）",
    ):
        assert expected in text, expected
    notice = text_of(documents.build(case, "notice")[1])
    assert "陈述和申辩" in notice and "三个工作日" in notice
    with pytest.raises(Conflict):
        documents.build(case, "hearing")  # a 10,000 yuan fine gives no hearing right


def test_r7_5_a_large_fine_has_a_hearing_notice_with_the_5_working_day_period(new_case, walk, npl):
    case = walk(
        new_case(),
        "notify",
        facts={"harm": "serious", "staff_affected_share": "0.5"},
        proposed_fine="80000",
    )
    text = text_of(documents.build(case, "hearing")[1])
    assert "听证告知书" in text and "五个工作日" in text and "第六十三条" in text


def test_r10_2_a_concealed_accident_proposes_listing_for_three_years_with_early_removal_after_12_months(
    new_case, walk, npl, ent, second_approver
):
    case = walk(
        new_case(violation="AQSCF2021-114-1"),
        "decide",
        facts={"accident_level": "general", "aggravations": ["concealed_accident"]},
        proposed_fine="800000",
        reason="瞒报事故，情节恶劣。",
    )
    listing = DishonestyListing.objects.get(case=case)
    assert listing.status == "proposed" and "应急管理部令第11号" in listing.basis
    # The decider of the case proposed it (R1.5): another approver decides, after notice.
    assert listing.proposed_by == walk.people["approver"]
    approver = second_approver
    services.notify_listing(actor=walk.people["officer"], listing=listing, on=case.decided_on)
    with pytest.raises(Forbidden):
        services.list_dishonest(
            actor=walk.people["officer"], listing=listing, on=dt.date(2025, 7, 1)
        )
    listing = services.list_dishonest(actor=approver, listing=listing, on=dt.date(2025, 7, 1))
    assert (listing.expires_on, listing.early_removal_from) == (
        dt.date(2028, 7, 1),
        dt.date(2026, 7, 1),
    )
    ent.refresh_from_db()
    assert ent.credit_level == "D"
    from django.test import Client

    public = Client().get("/cases/dishonesty/public/").content.decode()
    assert ent.name in public and "应急管理部令第11号" in public
    with pytest.raises(Conflict):
        services.remove_dishonest(
            actor=approver, listing=listing, on=dt.date(2026, 6, 30), reason="已整改", early=True
        )
    listing = services.remove_dishonest(
        actor=approver, listing=listing, on=dt.date(2026, 7, 1), reason="已完成信用修复", early=True
    )
    ent.refresh_from_db()
    assert listing.measures_lifted and ent.credit_level == "B"
    assert ent.name not in Client().get("/cases/dishonesty/public/").content.decode()
    kinds = list(CreditRecord.objects.filter(enterprise=ent).values_list("kind", flat=True))
    assert {"penalty", "dishonest", "removed"} <= set(kinds)


def test_r10_2_an_ordinary_fine_proposes_no_listing(new_case, walk, npl):
    case = walk(new_case(), "decide")
    assert not DishonestyListing.objects.filter(case=case).exists()
