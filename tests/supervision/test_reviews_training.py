"""Case-file review (R8.3), training records (R1.4), certificate audit history (R1.2) and the
handling of a breach to its close (R8.4)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from fairinspect.core.errors import Conflict, DomainError, Forbidden, ValidationFailed
from fairinspect.core.roles import Role
from fairinspect.rules import reviews as rule
from fairinspect.supervision.models import Breach, CertificateAuditRun, TrainingRecord
from fairinspect.supervision.services import breaches, imports, reviews, training

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 18)


def test_r8_3_a_stratified_sample_reproduces_from_its_seed_and_changes_with_it():
    strata = {"A": [f"A{i}" for i in range(20)], "B": ["B1", "B2"]}
    one = rule.stratified_sample("123456", strata, 3)
    assert one == rule.stratified_sample("123456", {"B": ["B2", "B1"], "A": strata["A"][::-1]}, 3)
    assert [len(s.selected) for s in one] == [3, 2]
    assert one != rule.stratified_sample("654321", strata, 3)
    with pytest.raises(ValueError):
        rule.stratified_sample("12ab", strata, 3)


def test_r8_3_scoring_follows_the_checklist_and_refuses_out_of_range_points():
    cl = reviews.checklist()
    assert {i.section for i in cl.items} == {"legality", "standards", "completeness"}
    assert cl.total == 100
    full = {i.code: i.points for i in cl.items}
    assert rule.score(cl, full).grade == "优秀"
    low = dict(full, L2=0, S1=0, S3=0)
    assert rule.score(cl, low).grade == "不合格"
    bad = rule.score(cl, dict(full, L1=11))
    assert not bad.ok and bad.errors[0].field == "scores.L1"


@pytest.mark.parametrize(
    "kind,reviewer_unit,author,sup,ok",
    [
        ("self", "U1", False, False, True),
        ("self", "U2", False, False, False),
        ("peer", "U2", False, False, True),
        ("peer", "U1", False, False, False),
        ("spot", "U9", False, True, True),
        ("spot", "U9", False, False, False),
        ("spot", "U9", True, True, False),
    ],
)
def test_r1_5_nobody_reviews_their_own_case_and_each_kind_has_its_reviewer(
    kind, reviewer_unit, author, sup, ok
):
    from fairinspect.rules.duties import Capacity, DutyObject, Participation

    case_file = DutyObject("案卷", 1, "局", (Participation(7 if author else 8, Capacity.DRAFTED),))
    refusals = rule.check_reviewer(
        kind,
        reviewer_id=7,
        reviewer_unit=reviewer_unit,
        case_unit="U1",
        case_file=case_file,
        is_supervisor=sup,
    )
    assert (not refusals) is ok


@pytest.fixture
def closed_cases(make_user, make_enterprise):
    from fairinspect.cases.models import Case

    officer = make_user("case_officer", Role.OFFICER, department="650100-WH")
    out = []
    for i in range(4):
        out.append(
            Case.objects.create(
                enterprise=make_enterprise(),
                party="unit",
                cause="c",
                violation_code="AQSCF2021-97-4",
                violation_title="t",
                legal_basis="b",
                penalty_basis="b",
                procedure_rule="一般程序",
                created_by=officer,
                created_on=TODAY,
                filed_on=TODAY,
                decided_on=TODAY,
                status="closed",
                closed_on=TODAY,
                number=f"乌应急罚〔2026〕{i + 1}号",
                fine_amount=Decimal(10000),
            )
        )
    return out


def test_r8_3_a_review_plan_samples_closed_cases_and_tracks_findings_to_rectification(
    supervisor, closed_cases
):
    plan = reviews.create_plan(actor=supervisor, year=2026, title="", per_unit=2, today=TODAY)
    plan = reviews.publish_plan(actor=supervisor, plan=plan, seed="20260618", today=TODAY)
    selected = plan.strata["650100-WH"]["selected"]
    assert len(selected) == 2 and reviews.verify_plan(plan)
    with pytest.raises(Conflict):
        reviews.publish_plan(actor=supervisor, plan=plan, seed="111111", today=TODAY)
    case = next(c for c in closed_cases if c.number == selected[0])
    scores = {i.code: str(i.points) for i in reviews.checklist().items}
    scores["C1"] = "4"
    r = reviews.record_review(
        actor=supervisor,
        plan=plan,
        case=case,
        kind="spot",
        scores=scores,
        findings=[{"item_code": "C1", "text": "缺送达回证", "due_on": "2026-07-01"}],
        today=TODAY,
    )
    assert r.total == Decimal("94") and r.grade == "优秀"
    f = r.findings.get()
    f = reviews.rectify_finding(actor=supervisor, finding=f, text="已补充归档", on=TODAY)
    assert f.status == "rectified"
    report = reviews.yearly_report(2026)
    assert report["reviews"] == 1 and report["findings_rectified"] == 1
    other = next(c for c in closed_cases if c.number not in selected)
    with pytest.raises(ValidationFailed):
        reviews.record_review(
            actor=supervisor, plan=plan, case=other, kind="spot", scores=scores, today=TODAY
        )


def test_r8_3_the_officer_who_handled_a_case_cannot_review_it(closed_cases, make_user):
    boss = closed_cases[0].created_by
    from django.contrib.auth.models import Group

    boss.groups.add(Group.objects.get(name="supervisor"))
    plan = reviews.create_plan(actor=boss, year=2026, title="", per_unit=4, today=TODAY)
    plan = reviews.publish_plan(actor=boss, plan=plan, seed="20260618", today=TODAY)
    scores = {i.code: str(i.points) for i in reviews.checklist().items}
    with pytest.raises(DomainError) as e:
        reviews.record_review(
            actor=boss, plan=plan, case=closed_cases[0], kind="spot", scores=scores, today=TODAY
        )
    assert e.value.code == "separation_of_duties" and e.value.status == 403
    assert [r["code"] for r in e.value.extra["reasons"]][:1] == ["drafted_by_actor"]


def test_r1_5_whoever_took_an_approving_step_in_a_case_does_not_review_its_file(
    closed_cases, make_user
):
    """One rule with every approving step (rules.duties): the approver who decided the
    case has acted on it as approver and cannot come back to it as its file's reviewer."""
    from django.contrib.auth.models import Group

    from fairinspect.cases.models import CaseStep

    approver = make_user("case_approver", Role.APPROVER, department="650100-WH")
    approver.groups.add(Group.objects.get(name="supervisor"))
    case = closed_cases[0]
    CaseStep.objects.create(
        case=case,
        action="approve_filing",
        from_status="pending_filing",
        to_status="investigating",
        actor=approver,
        on=TODAY,
    )
    plan = reviews.create_plan(actor=approver, year=2026, title="", per_unit=4, today=TODAY)
    plan = reviews.publish_plan(actor=approver, plan=plan, seed="20260618", today=TODAY)
    scores = {i.code: str(i.points) for i in reviews.checklist().items}
    with pytest.raises(DomainError) as e:
        reviews.record_review(
            actor=approver, plan=plan, case=case, kind="spot", scores=scores, today=TODAY
        )
    assert e.value.code == "separation_of_duties"
    assert "other_role_used" in [r["code"] for r in e.value.extra["reasons"]]


def test_r1_4_the_yearly_report_lists_officers_below_the_required_hours(supervisor, make_officer):
    short = make_officer("学时不足")
    enough = make_officer("学时达标")
    training.add_training(actor=supervisor, officer=short, course="法律知识", on=TODAY, hours="20")
    training.add_training(actor=supervisor, officer=enough, course="法律知识", on=TODAY, hours="60")
    qs, hours, source = training.below_required(2026)
    names = set(qs.values_list("name", flat=True))
    assert "学时不足" in names and "学时达标" not in names
    assert hours == Decimal("60") and "国办发〔2023〕27号" in source
    with pytest.raises(ValidationFailed):
        training.add_training(actor=supervisor, officer=short, course="x", on=TODAY, hours="-1")


def test_r1_4_training_imports_all_or_nothing(supervisor, make_officer):
    o = make_officer("导入者")
    number = o.certificates.get().number
    head = ",".join(imports.TRAINING_COLUMNS.values())
    good = f"{number},执法程序,市局,2026-03-01,8,合格,90"
    bad = "NOPE,执法程序,市局,2026-03-01,8,合格,90"
    with pytest.raises(ValidationFailed) as e:
        imports.import_training(
            actor=supervisor, name="t.csv", data=f"{head}\n{good}\n{bad}\n".encode()
        )
    assert e.value.extra["errors"][0]["row"] == 3 and TrainingRecord.objects.count() == 0
    assert (
        imports.import_training(actor=supervisor, name="t.csv", data=f"{head}\n{good}\n".encode())
        == 1
    )


def test_r1_2_the_certificate_audit_is_stored_once_per_day_as_its_history(make_officer):
    make_officer("已退休仍持证", status="retired")
    from django.core.management import call_command

    call_command("certificate_audit_snapshot", "--on", "2026-06-01", stdout=io.StringIO())
    call_command("certificate_audit_snapshot", "--on", "2026-06-01", stdout=io.StringIO())
    call_command("certificate_audit_snapshot", "--on", "2026-07-01", stdout=io.StringIO())
    runs = list(CertificateAuditRun.objects.order_by("on"))
    assert [r.on for r in runs] == [dt.date(2026, 6, 1), dt.date(2026, 7, 1)]
    assert any(row["officer_name"] == "已退休仍持证" for row in runs[0].rows)


def test_r8_4_a_breach_is_assigned_explained_and_closed_by_someone_else(
    supervisor, make_user, city_officer
):
    b = Breach.objects.create(
        rule="no_recording",
        key="visit:9",
        year=2026,
        message="m",
        found_on=TODAY,
        last_seen_on=TODAY,
    )
    b = breaches.assign(actor=supervisor, breach=b, username="city_officer")
    b = breaches.respond(actor=city_officer, breach=b, kind="explained", text="记录仪故障，已报修")
    with pytest.raises(ValidationFailed):
        breaches.close(actor=supervisor, breach=b, note=" ", on=TODAY)
    sup2 = make_user("sup2", Role.SUPERVISOR, department="650100-ZH")
    b.explained_by = sup2
    b.save()
    with pytest.raises(Forbidden):
        breaches.close(actor=sup2, breach=b, note="已核实", on=TODAY)
    b = breaches.close(actor=supervisor, breach=b, note="已核实，设备已更换", on=TODAY)
    assert b.status == "closed" and b.closed_on == TODAY
