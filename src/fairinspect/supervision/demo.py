"""Demo supervision: complaints in every state, a planted breach for every rule on enterprises
of its own (so each plant trips exactly its rule), training records, a published review plan,
and a first detection run. `LAST_PLANTED` lists the (rule, key) pairs planted, which the test
compares with what the detectors find over the whole demo year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from fairinspect.cases.models import Case, Disclosure
from fairinspect.catalog.models import InspectionItem
from fairinspect.registry.models import Certificate, Department, Enterprise, Expert, Officer, User
from fairinspect.rules.credit_code import make_credit_code
from fairinspect.visits.models import (
    CheckIn,
    InspectionPlan,
    RectificationOrder,
    Visit,
    VisitOfficer,
)
from fairinspect.visits.services.numbers import allocate

from . import detection
from .models import EnterpriseLocation, TrainingRecord
from .services import complaints as complaint_services
from .services import reviews as review_services

LAST_PLANTED: list[tuple[str, str]] = []
HOME = (Decimal("43.825600"), Decimal("87.616800"))  # 天山区, near the city centre


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


class _Planter:
    def __init__(self, rng, today: dt.date):
        self.rng, self.today = rng, today
        self.year_start = dt.date(today.year, 1, 1)
        self.approver = User.objects.get(username="approver")
        self.city = Department.objects.get(code="650100-ZD")
        self.district = Department.objects.get(code="650102")
        self.items = list(
            InspectionItem.objects.filter(version__status="published").order_by("code")[:3]
        )
        self.n = 0
        self.officers = {
            "city": [self._officer(self.city, i) for i in range(2)],
            "district": [self._officer(self.district, i) for i in range(2)],
        }
        self.lapsed = self._officer(self.district, 9, lapsed=True)
        self.planted: list[tuple[str, str]] = []

    def _officer(self, dept, i, lapsed=False) -> Officer:
        o = Officer.objects.create(
            name=f"监督演示{dept.code[-2:]}{i}",
            department=dept,
            post_domains=["general", "hazchem"],
        )
        start = self.today - dt.timedelta(days=900)
        Certificate.objects.create(
            officer=o,
            number=f"SD{dept.division_code[2:]}{i:03d}{'X' if lapsed else ''}",
            issuer="乌鲁木齐市人民政府",
            valid_from=start,
            valid_to=self.year_start - dt.timedelta(days=1)
            if lapsed
            else start + dt.timedelta(days=1825),
            scopes=["general", "hazchem"],
        )
        return o

    def enterprise(self, *, high_risk=True, grade=None, level="district") -> Enterprise:
        self.n += 1
        e = Enterprise.objects.create(
            credit_code=make_credit_code(f"91650102MD{self.n:07d}"),
            name=f"监督演示企业{self.n}号有限公司",
            address="天山区演示路1号",
            district_code="650102",
            industry_id="2614" if high_risk else "5212",
            high_risk=high_risk,
            standardization_grade=grade,
            risk_level="general",
            credit_level="B",
            supervising_level=level,
        )
        EnterpriseLocation.objects.create(enterprise=e, lat=HOME[0], lng=HOME[1])
        return e

    def visit(
        self,
        ent,
        *,
        unit="district",
        day=None,
        hour=10,
        items=None,
        plan=True,
        missing_recording=False,
        trigger="annual_plan",
        team=None,
        confirmed=True,
        experts=0,
    ) -> Visit:
        day = day or (self.today - dt.timedelta(days=30))
        dept = self.city if unit == "city" else self.district
        v = Visit.objects.create(
            enterprise=ent,
            kind="on_site",
            trigger=trigger,
            status="done",
            planned_date=day,
            department=dept,
            inspecting_level=unit,
            checked_in_at=_at(day, hour),
            checked_out_at=_at(day, hour + 1),
            missing_recording=missing_recording,
            summary="监督演示数据。",
        )
        v.items.set(items or self.items[:1])
        for n, o in enumerate(team or self.officers[unit]):
            VisitOfficer.objects.create(
                visit=v,
                officer=o,
                is_lead=n == 0,
                certificate_number=o.certificates.all()[0].number,
                confirmed_at=_at(day, hour) if confirmed else None,
            )
        if experts:
            v.experts.set(Expert.objects.order_by("id")[:experts])
        InspectionPlan.objects.create(
            visit=v,
            items=[{"code": i.code, "name": i.name} for i in v.items.all()],
            approved_by=self.approver if plan else None,
            approved_at=_at(day, 8) - dt.timedelta(days=2) if plan else None,
        )
        return v

    def plant(self, rule: str, key: str) -> None:
        self.planted.append((rule, key))


def _plant_visits(p: _Planter) -> None:
    today = p.today
    # Over the cap: a non-high-risk grade-1 enterprise (cap 1) visited twice by its plan.
    e = p.enterprise(high_risk=False, grade=1)
    e.grade_valid_to = dt.date(today.year + 2, 12, 31)
    e.save(update_fields=["grade_valid_to"])
    p.visit(e, day=today - dt.timedelta(days=60))
    p.visit(e, day=today - dt.timedelta(days=20))
    p.plant("over_cap", f"ent:{e.pk}:{today.year}")
    # A team with an officer whose certificate had lapsed: one valid officer only.
    v = p.visit(p.enterprise(), team=[p.officers["district"][0], p.lapsed])
    p.plant("lapsed_certificate", f"visit:{v.pk}")
    p.plant("too_few_certified", f"visit:{v.pk}")
    # Checked in without an approved plan.
    v = p.visit(p.enterprise(), plan=False)
    p.plant("no_approved_plan", f"visit:{v.pk}")
    # No recording.
    v = p.visit(p.enterprise(), missing_recording=True)
    p.plant("no_recording", f"visit:{v.pk}")
    # An expert came; no officer confirmed entry.
    v = p.visit(p.enterprise(), confirmed=False, experts=1)
    p.plant("experts_alone", f"visit:{v.pk}")
    p.plant("too_few_certified", f"visit:{v.pk}")
    # The same item by the district and then by the city (R5.4; not R5.3: district first).
    e = p.enterprise()
    p.visit(e, unit="district", day=today - dt.timedelta(days=90))
    p.visit(e, unit="city", day=today - dt.timedelta(days=40))
    p.plant("same_item_multi_unit", f"item:{e.pk}:{today.year}:{p.items[0].code}")
    # The city inspected, then the district came again on another item (R5.3).
    e = p.enterprise()
    p.visit(e, unit="city", day=today - dt.timedelta(days=80), items=p.items[1:2])
    v = p.visit(e, unit="district", day=today - dt.timedelta(days=30), items=p.items[2:3])
    p.plant("district_after_city", f"visit:{v.pk}")
    # An order whose deadline passed three weeks ago without a follow-up.
    v = p.visit(p.enterprise(), day=today - dt.timedelta(days=50))
    o = RectificationOrder.objects.create(
        visit=v,
        enterprise=v.enterprise,
        number=allocate("order", department=v.department, on=v.planned_date),
        requirements="按期整改。",
        issued_on=v.planned_date,
        deadline=today - dt.timedelta(days=21),
        status="issued",
    )
    p.plant("overdue_order", f"order:{o.pk}")
    # A check-in 5 km from the enterprise, and one at 22:00 (flags).
    v = p.visit(p.enterprise())
    off = p.officers["district"][0]
    user = User.objects.filter(username="ts_officer").first() or p.approver
    assert v.checked_in_at is not None  # p.visit() checks in
    ci = CheckIn.objects.create(
        visit=v,
        officer=off,
        user=user,
        nonce=f"demo-far-{v.pk}",
        certificate_number=off.certificates.all()[0].number,
        confirmed_at=v.checked_in_at,
        lat=HOME[0] + Decimal("0.045"),
        lng=HOME[1],
    )
    p.plant("checkin_far", f"checkin:{ci.pk}")
    v = p.visit(p.enterprise(), hour=22)
    p.plant("checkin_off_hours", f"visit:{v.pk}")


def _case(
    p: _Planter,
    *,
    code: str,
    title: str,
    fine: Decimal | None,
    status="closed",
    fine_range=(Decimal(10000), Decimal(50000)),
    **kw,
) -> Case:
    decided = p.today - dt.timedelta(days=40)
    values = dict(
        enterprise=p.enterprise(),
        party="unit",
        cause=title,
        violation_code=code,
        violation_title=title,
        legal_basis="《安全生产法》第九十七条",
        penalty_basis="《安全生产法》第九十七条",
        procedure_rule="一般程序",
        created_by=User.objects.get(username="officer"),
        created_on=decided - dt.timedelta(days=30),
        filed_on=decided - dt.timedelta(days=29),
        decided_on=decided,
        served_on=decided + dt.timedelta(days=2),
        status=status,
        grade="ordinary",
        fine_min=fine_range[0],
        fine_max=fine_range[1],
        fine_amount=fine,
        outcome="penalty",
        closed_on=decided + dt.timedelta(days=20) if status == "closed" else None,
        reviewed_on=decided - dt.timedelta(days=2),
    )
    values.update(kw)
    c = Case.objects.create(**values)
    c.number = f"乌应急罚〔{p.today.year}〕监督演示{c.pk}号"
    c.save(update_fields=["number"])
    return c


def _plant_cases(p: _Planter) -> list[Case]:
    t = "未按照规定制定生产安全事故应急救援预案或者未定期组织演练"
    a = _case(p, code="AQSCF2021-97-6", title=t, fine=Decimal(10000))
    b = _case(p, code="AQSCF2021-97-6", title=t, fine=Decimal(45000))
    p.plant("similar_cases_disparity", f"similar:AQSCF2021-97-6:ordinary:unit:{p.today.year}")
    c = _case(
        p,
        code="AQSCF2021-97-1",
        title="未按照规定配备安全生产管理人员",
        fine=Decimal(90000),
        fine_range=(Decimal(20000), Decimal(50000)),
    )
    p.plant("fine_outside_range", f"case:{c.pk}")
    d = _case(
        p, code="AQSCF2021-97-2", title="未按照规定经考核合格", fine=Decimal(30000), status="served"
    )
    assert d.decided_on is not None  # _case() decides it
    disc = Disclosure.objects.create(
        case=d,
        decision_number=d.number,
        party_name=d.enterprise.name,
        credit_code=d.enterprise.credit_code,
        violation=d.violation_title,
        basis=d.penalty_basis,
        content="罚款30000元",
        fine_amount=d.fine_amount,
        authority="乌鲁木齐市应急管理局",
        decided_on=d.decided_on,
        due_on=d.decided_on + dt.timedelta(days=9),
    )
    p.plant("overdue_disclosure", f"disclosure:{disc.pk}")
    e = _case(
        p,
        code="AQSCF2021-97-3",
        title="未按照规定进行安全生产教育和培训",
        fine=None,
        status="investigating",
        decided_on=None,
        served_on=None,
        outcome="",
        reviewed_on=None,
        next_due=p.today - dt.timedelta(days=3),
        next_due_kind="decision",
    )
    p.plant("overdue_case", f"case:{e.pk}")
    return [a, b, c]


def _complaints(p: _Planter, rng) -> None:
    sup = User.objects.get(username="supervisor")
    today = p.today
    handler = User.objects.filter(username="ts_officer").first()
    ents = list(Enterprise.objects.exclude(name__startswith="监督演示").order_by("id")[:50])
    steps = ["accept", "assign", "verify", "handle", "reply", "record_satisfaction"]
    texts = {
        "verify": ("verification", "经现场核查，反映情况属实。"),
        "handle": ("result", "已责令企业立即整改，并依法立案调查。"),
        "reply": ("reply", "经核查，您反映的问题属实，我局已责令企业整改并依法处理。"),
    }
    # One complaint per state along the path, plus refused and merged ones.
    made = []
    for depth in range(len(steps) + 1):
        e = rng.choice(ents)
        received = today - dt.timedelta(days=1)
        c, _code = complaint_services.receive(
            channel=rng.choice(["public_form", "hotline_12345"]),
            work_order_number=f"12345-{today.year}-D{depth:04d}",
            subject="enterprise",
            category=rng.choice(["hazard", "illegal_operation"]),
            content="举报该企业夜间违规动火作业，未办理动火审批。",
            subject_text=e.credit_code,
            name="王先生",
            phone=f"1390991{depth:04d}",
            received_at=_at(received, 10),
        )
        for step in steps[:depth]:
            data = {}
            if step == "assign":
                data = {"unit_code": "650102", "handler": handler.username if handler else ""}
            elif step in texts:
                data = {texts[step][0]: texts[step][1]}
            elif step == "record_satisfaction":
                data = {"satisfaction": "satisfied"}
            actor = handler if step in ("verify", "handle") and handler else sup
            c = complaint_services.transition(
                actor=actor, complaint=c, action=step, data=data, today=today
            )
        made.append(c)
    c, _ = complaint_services.receive(
        channel="public_form",
        subject="service",
        category="service",
        content="咨询电话无人接听。",
        anonymous=True,
        received_at=_at(today - dt.timedelta(days=3), 9),
    )
    complaint_services.transition(
        actor=sup,
        complaint=c,
        action="refuse",
        data={"reason": "属于咨询，已转12345答复。"},
        today=c.received_on,
    )
    assert made[1].enterprise is not None  # received with subject_text=e.credit_code
    dup, _ = complaint_services.receive(
        channel="public_form",
        subject="enterprise",
        category="hazard",
        content="同一企业夜间动火。",
        subject_text=made[1].enterprise.credit_code,
        anonymous=True,
        received_at=_at(today - dt.timedelta(days=1), 9),
    )
    complaint_services.transition(
        actor=sup, complaint=dup, action="merge", data={"into": made[1].number}, today=today
    )
    # An officer's conduct: a conduct case opens on acceptance.
    off = p.officers["city"][0]
    oc, _ = complaint_services.receive(
        channel="hotline_12345",
        work_order_number=f"12345-{today.year}-C0001",
        subject="officer",
        category="officer_conduct",
        content="检查人员未出示执法证件。",
        officer=off,
        name="李女士",
        phone="13999100000",
        received_at=_at(today - dt.timedelta(days=2), 11),
    )
    complaint_services.transition(actor=sup, complaint=oc, action="accept", today=today)
    # Received three weeks ago and never accepted: overdue.
    late, _ = complaint_services.receive(
        channel="hotline_12345",
        work_order_number=f"12345-{today.year}-L0001",
        subject="enterprise",
        category="hazard",
        content="仓库堆放危险化学品。",
        subject_text=ents[0].credit_code,
        anonymous=True,
        received_at=_at(today - dt.timedelta(days=21), 10),
    )
    p.plant("overdue_complaint", f"complaint:{late.pk}")


def _training(p: _Planter, rng) -> None:
    officers = list(Officer.objects.filter(status="on_duty").order_by("id")[:30])
    recs = []
    for i, o in enumerate(officers):
        total = 64 if i % 3 else 24  # every third below the 60 hours
        for k, hours in enumerate((total // 2, total - total // 2)):
            recs.append(
                TrainingRecord(
                    officer=o,
                    course=["行政执法程序规范", "危险化学品安全监管实务"][k],
                    provider="乌鲁木齐市应急管理局",
                    on=p.year_start + dt.timedelta(days=30 + 60 * k),
                    hours=Decimal(hours),
                    assessment="passed",
                    score=Decimal(rng.randint(75, 98)),
                )
            )
    TrainingRecord.objects.bulk_create(recs)


def build(*, rng, today: dt.date, enterprises: int, out) -> list[tuple[str, str]]:
    global LAST_PLANTED
    p = _Planter(rng, today)
    if len(p.items) < 3:
        out.write("Supervision: no item list in force; skipped.")
        return []
    _plant_visits(p)
    _plant_cases(p)
    _complaints(p, rng)
    _training(p, rng)
    sup = User.objects.get(username="supervisor")
    plan = review_services.create_plan(
        actor=sup,
        year=today.year,
        title=f"{today.year}年度行政处罚案卷评查",
        per_unit=2,
        today=today,
    )
    review_services.publish_plan(actor=sup, plan=plan, seed="20250618", today=today)
    run = detection.run(today=today, by="demo")
    LAST_PLANTED = sorted(p.planted)
    out.write(
        f"Supervision: {len(p.planted)} breaches planted, "
        f"{sum(run.counts.values())} found by the first detection run; complaints in every "
        f"state; a review plan ({plan.title})."
    )
    return LAST_PLANTED
