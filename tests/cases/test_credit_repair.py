"""Credit repair (R10.3): the conditions as data with their source, the enterprise's
application with documents, the decision by someone other than the case's handlers and the
enterprise's inspectors, with reasons; a grant ends the publication and may restore the level."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fairinspect.audit.models import AuditEvent
from fairinspect.cases import queries, services
from fairinspect.cases.models import CreditRecord, CreditRepairApplication
from fairinspect.core.duties import DutyRefused
from fairinspect.core.errors import Conflict, Forbidden, ValidationFailed
from fairinspect.core.roles import Role
from fairinspect.rules import credit_repair as rule

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n%test\n"


def docs(*kinds):
    return [(k, SimpleUploadedFile(f"{k}.pdf", PDF, "application/pdf")) for k in kinds]


ALL_DOCS = ("commitment", "licence", "performance")
COMMIT = "本单位承诺已纠正违法行为，今后严格遵守安全生产法律法规。"


@pytest.fixture
def paid_case(npl, walk, new_case, ent, city_officer):
    """Decided 2025-06-14, served, paid in full and published."""
    case = walk(new_case(enterprise=ent), "execute")
    services.publish_disclosure(
        actor=city_officer, disclosure=case.disclosure, on=dt.date(2025, 6, 16)
    )
    case.refresh_from_db()
    return case


@pytest.fixture
def ent_user(make_user, ent):
    return make_user("repair_ent", Role.ENTERPRISE, enterprise=ent)


@pytest.fixture
def desk(make_user):
    """An approver of the city bureau (another section) who took no part."""
    return make_user("repair_desk", Role.APPROVER, department="650100-ZH")


def apply(case, user, on=dt.date(2025, 9, 15), kinds=ALL_DOCS, commitment=COMMIT):
    return services.apply_credit_repair(
        actor=user,
        case=case,
        statement="罚款已缴清，培训记录已补齐。",
        commitment=commitment,
        documents=docs(*kinds),
        on=on,
    )


# ---- the rule ---------------------------------------------------------------------------------


def facts(**kw):
    base = dict(
        decided=True,
        decided_on=dt.date(2025, 6, 14),
        published=True,
        listed=False,
        fine_amount=Decimal("10000"),
        surcharge=Decimal("0"),
        amount_paid=Decimal("10000"),
        penalty_types=("罚款",),
        simple_procedure=False,
        rectified=True,
        commitment=COMMIT,
        documents=frozenset(ALL_DOCS),
        on=dt.date(2025, 9, 15),
    )
    base.update(kw)
    return rule.RepairFacts(**base)


def test_r10_3_every_condition_names_its_source_and_says_whether_its_article_was_verified():
    for regime in rule.default_regimes():
        assert regime.number and regime.title
        for c in regime.conditions:
            assert c.source and c.article
            if not c.verified:
                assert "未核实" in c.article or "未核对" in c.article or "不适用" in c.article
        assert {c.code for c in regime.conditions} >= {"min_period", "obligations", "commitment"}


def test_r10_3_the_order_in_force_on_the_application_day_applies():
    assert rule.regime_on(dt.date(2025, 9, 15)).code == "ndrc_2023_58"
    assert rule.regime_on(dt.date(2026, 3, 31)).code == "ndrc_2023_58"
    assert rule.regime_on(dt.date(2026, 4, 1)).code == "ndrc_2025_36"


def test_r10_3_a_general_penalty_may_be_repaired_after_three_months_and_not_a_day_before():
    d = rule.check_repair(facts(on=dt.date(2025, 9, 13)))
    assert not d.allowed and [r.code for r in d.reasons] == ["repair_min_period"]
    assert d.min_end == dt.date(2025, 9, 14)
    assert rule.check_repair(facts(on=dt.date(2025, 9, 14))).allowed


def test_r10_3_a_severe_safety_penalty_waits_a_year():
    d = rule.check_repair(facts(fine_amount=Decimal("200000"), amount_paid=Decimal("200000")))
    assert d.period.code == "severe" and d.min_end == dt.date(2026, 6, 14)
    assert not d.allowed
    d = rule.check_repair(facts(penalty_types=("罚款", "责令停产停业整顿")))
    assert d.period.code == "severe"


def test_r10_3_unpaid_unrectified_uncommitted_or_listed_penalties_are_refused_each_with_reason():
    d = rule.check_repair(
        facts(
            amount_paid=Decimal("5000"),
            rectified=False,
            commitment=" ",
            listed=True,
            documents=frozenset({"licence"}),
        )
    )
    codes = {r.code for r in d.reasons}
    assert codes == {
        "repair_obligations",
        "repair_rectified",
        "repair_commitment",
        "repair_not_listed",
        "repair_documents",
    }
    assert any("承诺书" in r.message for r in d.reasons)


def test_r10_3_after_the_longest_period_publication_ends_by_itself():
    d = rule.check_repair(facts(on=dt.date(2028, 6, 15)))
    assert [r.code for r in d.reasons] == ["repair_within_max"]


def test_r10_3_under_order_36_a_warning_is_minor_and_repairable_at_once():
    d = rule.check_repair(
        facts(
            decided_on=dt.date(2026, 5, 1),
            on=dt.date(2026, 5, 2),
            fine_amount=None,
            amount_paid=None,
            penalty_types=("警告",),
            documents=frozenset({"commitment", "performance"}),
        )
    )
    assert d.regime.code == "ndrc_2025_36" and d.period.code == "minor" and d.allowed


# ---- the service ------------------------------------------------------------------------------


def test_r10_3_the_enterprise_applies_with_documents_and_the_check_is_stored(paid_case, ent_user):
    app = apply(paid_case, ent_user)
    assert app.status == "pending" and app.regime == "ndrc_2023_58"
    assert app.documents.count() == 3
    assert all(c["met"] for c in app.conditions["conditions"])
    assert AuditEvent.objects.filter(action="credit.repair_apply").exists()


def test_r10_3_an_early_or_incomplete_application_is_refused_and_saves_nothing(paid_case, ent_user):
    with pytest.raises(Conflict) as exc:
        apply(paid_case, ent_user, on=dt.date(2025, 7, 1), kinds=("licence",))
    codes = {r["code"] for r in exc.value.extra["reasons"]}
    assert {"repair_min_period", "repair_documents"} <= codes
    assert not CreditRepairApplication.objects.exists()


def test_r10_3_only_the_penalised_enterprise_applies(paid_case, other_enterprise_user):
    with pytest.raises(Forbidden):
        apply(paid_case, other_enterprise_user)


def test_r10_3_a_document_that_is_not_pdf_or_image_is_refused(paid_case, ent_user):
    bad = [("commitment", SimpleUploadedFile("a.pdf", b"<script>", "application/pdf"))]
    with pytest.raises(ValidationFailed):
        services.apply_credit_repair(
            actor=ent_user, case=paid_case, statement="x", commitment=COMMIT,
            documents=bad, on=dt.date(2025, 9, 15),
        )  # fmt: skip


def test_r10_3_a_grant_ends_publication_enters_the_record_and_restores_the_level(
    paid_case, ent_user, desk, ent
):
    ent.credit_level = "C"
    ent.save(update_fields=["credit_level"])
    assert paid_case.disclosure in queries.published_disclosures()
    app = apply(paid_case, ent_user)
    app = services.decide_credit_repair(
        actor=desk,
        application=app,
        grant=True,
        reason="罚款已缴清，违法行为已纠正，最短公示期已满，材料齐全。",
        credit_level="B",
        on=dt.date(2025, 9, 20),
    )
    assert app.status == "granted" and app.public_ended_on == dt.date(2025, 9, 20)
    assert paid_case.disclosure not in queries.published_disclosures()
    ent.refresh_from_db()
    assert ent.credit_level == "B"
    assert CreditRecord.objects.filter(enterprise=ent, kind="repaired").exists()


def test_r10_3_a_refusal_needs_reasons_and_changes_nothing_public(paid_case, ent_user, desk):
    app = apply(paid_case, ent_user)
    with pytest.raises(ValidationFailed):
        services.decide_credit_repair(
            actor=desk, application=app, grant=False, reason="", on=dt.date(2025, 9, 20)
        )
    app = services.decide_credit_repair(
        actor=desk,
        application=app,
        grant=False,
        reason="整改证明未加盖公章。",
        on=dt.date(2025, 9, 20),
    )
    assert app.status == "refused"
    assert paid_case.disclosure in queries.published_disclosures()


def test_r10_3_r1_5_the_enterprises_inspector_does_not_decide(
    paid_case, ent_user, make_user, make_officer, ent
):
    """An approver (also an officer) who inspected the enterprise this year is one of its
    inspectors: refused with separation_of_duties, nothing saved."""
    from fairinspect.registry.models import Department
    from fairinspect.visits.models import Visit, VisitOfficer

    inspector = make_user("repair_insp", Role.APPROVER, Role.OFFICER, department="650100-ZH")
    officer = make_officer("检查过的人", department="650100-ZH", user=inspector)
    visit = Visit.objects.create(
        enterprise=ent,
        kind="on_site",
        trigger="annual_plan",
        planned_date=dt.date(2025, 8, 1),
        department=Department.objects.get(code="650100-ZH"),
        inspecting_level="city",
    )
    VisitOfficer.objects.create(visit=visit, officer=officer, is_lead=True)
    app = apply(paid_case, ent_user)
    events = AuditEvent.objects.count()
    with pytest.raises(DutyRefused) as exc:
        services.decide_credit_repair(
            actor=inspector, application=app, grant=True, reason="同意。", on=dt.date(2025, 9, 20)
        )
    assert exc.value.code == "separation_of_duties"
    assert CreditRepairApplication.objects.get(pk=app.pk).status == "pending"
    assert AuditEvent.objects.count() == events


def test_r10_3_the_level_is_never_lowered_by_a_repair(paid_case, ent_user, desk, ent):
    app = apply(paid_case, ent_user)
    with pytest.raises(ValidationFailed):
        services.decide_credit_repair(
            actor=desk,
            application=app,
            grant=True,
            reason="同意。",
            credit_level="C",
            on=dt.date(2025, 9, 20),
        )


def test_r10_3_pages_the_enterprise_applies_on_its_page_and_staff_decide_at_the_desk(
    paid_case, ent_user, desk, client
):
    client.force_login(ent_user)
    import time_machine

    with time_machine.travel(dt.datetime(2025, 9, 15, 4, tzinfo=dt.UTC), tick=False):
        r = client.get("/credit/repair/")
        assert r.status_code == 200 and "最短公示期" in r.content.decode()
        files = {f"doc_{k}": SimpleUploadedFile(f"{k}.png", PNG, "image/png") for k in ALL_DOCS}
        r = client.post(
            f"/credit/repair/apply/{paid_case.pk}/",
            {"statement": "已缴清罚款。", "commitment": COMMIT, **files},
        )
        app = CreditRepairApplication.objects.get()
        assert r.status_code == 302 and r.url == f"/credit/repair/{app.pk}/"
        client.force_login(desk)
        assert app.enterprise.name in client.get("/credit/repair/desk/").content.decode()
        r = client.post(f"/credit/repair/{app.pk}/decide/", {"grant": "1", "reason": "符合条件。"})
        assert r.status_code == 302
    assert CreditRepairApplication.objects.get().status == "granted"
