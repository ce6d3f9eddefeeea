"""Demo visits: a year of inspections. Some enterprises are at their cap, some have exempt
visits (complaints, follow-ups) beyond it, some have open hazards and orders; the demo
officers have an approved plan for today at the demo enterprise. Deterministic from `rng`,
written with bulk_create."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fairinspect.catalog.models import InspectionItem
from fairinspect.registry.models import Department, Enterprise, Officer, User
from fairinspect.rules.caps import DEFAULT_2025
from fairinspect.rules.checkin import effective_grade

from .models import (
    Hazard,
    InspectionPlan,
    RectificationOrder,
    Visit,
    VisitOfficer,
)
from .services.numbers import allocate_many

HAZARDS = [
    ("general", "安全警示标志缺失", "生产车间"),
    ("general", "消防通道堆放杂物", "仓库"),
    ("general", "员工安全培训记录不全", "安全管理部"),
    ("general", "特种作业人员证书过期", "维修班组"),
    ("major", "可燃气体报警仪失效", "储罐区"),
    ("general", "应急预案未按期演练", "安全管理部"),
    ("major", "涉及重点监管危险化工工艺未实现自动化控制", "反应车间"),
    ("general", "配电箱未接地", "动力车间"),
]


def _numbers(kind: str, visits, *, on: dt.date) -> dict[int, str]:
    """Each visit's 文号 of `kind`, taken from its bureau's series (so the series moves on and
    a document issued later never repeats one of the demo's)."""
    by_bureau: dict[int, list] = {}
    for v in visits:
        by_bureau.setdefault(v.department_id, []).append(v)
    out: dict[int, str] = {}
    for vs in by_bureau.values():
        got = allocate_many(kind, department=vs[0].department, on=on, count=len(vs))
        out.update((v.pk, n) for v, n in zip(vs, got, strict=True))
    return out


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def build(*, rng, today: dt.date, enterprises: int, out) -> None:
    year = today.year
    start = dt.date(year, 1, 1)
    span = max((today - start).days, 1)
    items = list(InspectionItem.objects.filter(version__status="published").order_by("code"))
    if not items:
        out.write("Visits: no item list in force; skipped.")
        return
    hazchem = [i for i in items if i.domain == "hazchem"] or items
    other = [i for i in items if i.domain in ("general", "industry_trade")] or items
    approver = User.objects.filter(username="approver").first()
    # Inspecting units and their officers: the city's general section, each district bureau.
    city_unit = Department.objects.get(code="650100-ZD")
    pools: dict[int, list[int]] = {}
    for o in Officer.objects.filter(status="on_duty").order_by("id").values("pk", "department"):
        pools.setdefault(o["department"], []).append(o["pk"])
    bureaus = {
        d.division_code: d for d in Department.objects.filter(kind="bureau", level="district")
    }
    certs = {
        o.pk: (o.certificates.all()[0].number if o.certificates.all() else "")
        for o in Officer.objects.prefetch_related("certificates")
    }

    visits: list[Visit] = []
    meta: list[tuple[list[InspectionItem], list[int], bool]] = []  # items, team, hazards?
    counts = {"at_cap": 0, "exempt_beyond": 0}
    ents = Enterprise.objects.order_by("id").only(
        "pk",
        "high_risk",
        "standardization_grade",
        "grade_valid_to",
        "grade_valid_from",
        "supervising_level",
        "district_code",
    )
    for e in ents.iterator(chunk_size=2000):
        grade = effective_grade(
            e.standardization_grade, e.grade_valid_to, today, e.grade_valid_from
        )
        cap = DEFAULT_2025.cap(e.high_risk, grade)
        roll = rng.random()
        exempt = 0
        if roll < 0.03:
            n, counts["at_cap"] = cap, counts["at_cap"] + 1
        elif roll < 0.05:
            n, exempt = cap, rng.randint(1, 2)
            counts["exempt_beyond"] += 1
        elif roll < 0.40:
            n = rng.randint(1, max(cap - 1, 1)) if cap > 1 else rng.randint(0, 1)
            n = min(n, 3)
        else:
            n = 0
        if e.supervising_level == "city" or e.district_code not in bureaus:
            unit, level = city_unit, "city"
        else:
            unit, level = bureaus[e.district_code], "district"
        pool = pools.get(unit.pk) or pools.get(city_unit.pk) or []
        if len(pool) < 2:
            continue
        for k in range(n + exempt):
            day = start + dt.timedelta(days=rng.randrange(span))
            is_exempt = k >= n
            trigger = "complaint" if is_exempt else rng.choice(["annual_plan", "random_draw"])
            v = Visit(
                enterprise_id=e.pk,
                kind="on_site",
                trigger=trigger,
                status="done",
                planned_date=day,
                department=unit,
                inspecting_level=level,
                checked_in_at=_at(day, 9),
                checked_out_at=_at(day, 11),
                missing_recording=rng.random() < 0.05,
                summary="按检查方案完成检查。",
            )
            if is_exempt:
                jday = max(start, day - dt.timedelta(days=rng.randint(1, 10)))
                v.justification_kind = "complaint_record"
                v.justification_reference = f"12345-{year}-{rng.randint(10000, 99999)}"
                v.justification_date = jday
                v.justification_summary = "群众通过12345热线举报企业存在安全隐患"
            visits.append(v)
            chosen = rng.sample(hazchem if e.high_risk else other, k=rng.randint(1, 3))
            meta.append((chosen, rng.sample(pool, 2), rng.random() < 0.25))

    # Today's approved plan for the demo officers at the demo enterprise (扫码入企 demo).
    demo_user = User.objects.filter(username="enterprise").select_related("enterprise").first()
    ts = [
        u.officer.pk
        for u in User.objects.filter(username__in=["ts_officer", "ts_officer2"])
        .select_related("officer")
        .order_by("username")
        if hasattr(u, "officer")
    ]
    if demo_user and demo_user.enterprise and len(ts) == 2:
        ent = demo_user.enterprise
        visits.append(
            Visit(
                enterprise=ent,
                kind="on_site",
                trigger="annual_plan",
                status="approved",
                planned_date=today,
                department=bureaus.get(ent.district_code, city_unit),
                inspecting_level="district",
            )
        )
        meta.append((other[:2], ts, False))

    Visit.objects.bulk_create(visits, batch_size=2000)
    through = Visit.items.through
    through.objects.bulk_create(
        [
            through(visit=v, inspectionitem_id=i.pk)
            for v, (its, _t, _h) in zip(visits, meta, strict=True)
            for i in its
        ],
        batch_size=5000,
    )
    VisitOfficer.objects.bulk_create(
        [
            VisitOfficer(
                visit=v,
                officer_id=o,
                is_lead=n == 0,
                certificate_number=certs.get(o, ""),
                confirmed_at=v.checked_in_at,
            )
            for v, (_i, team, _h) in zip(visits, meta, strict=True)
            for n, o in enumerate(team)
        ],
        batch_size=5000,
    )
    plan_numbers = _numbers("plan", visits, on=today)
    plans = []
    for v, (its, _t, _h) in zip(visits, meta, strict=True):
        plans.append(
            InspectionPlan(
                visit_id=v.pk,
                number=plan_numbers[v.pk],
                items=[
                    {
                        "code": i.code,
                        "name": i.name,
                        "domain": i.domain,
                        "content": [],
                        "offsite_capable": i.offsite_capable,
                        "offsite_insufficient_reason": "须现场核验设备设施和作业现场。"
                        if i.offsite_capable
                        else "",
                    }
                    for i in its
                ],
                key_points="核查重点部位和上次检查发现问题的整改情况。",
                methods="查阅资料、现场查看、询问有关人员。",
                steps="出示证件、逐项检查、制作记录。",
                approved_by=approver,
                approved_at=_at(v.planned_date, 8) - dt.timedelta(days=3) if approver else None,
            )
        )
    InspectionPlan.objects.bulk_create(plans, batch_size=2000)

    hazards, links = [], []
    for v, (its, _t, has) in zip(visits, meta, strict=True):
        if not has or v.status != "done":
            continue
        for _ in range(rng.randint(1, 2)):
            level, desc, place = rng.choice(HAZARDS)
            fixed = rng.random() < 0.5
            hazards.append(
                Hazard(
                    visit_id=v.pk,
                    enterprise_id=v.enterprise_id,
                    item=rng.choice(its),
                    level=level,
                    description=desc,
                    place=place,
                    status="rectified" if fixed else "open",
                    rectified_at=_at(min(v.planned_date + dt.timedelta(days=20), today), 10)
                    if fixed
                    else None,
                )
            )
            links.append(v)
    Hazard.objects.bulk_create(hazards, batch_size=5000)
    orders, order_hazards = [], []
    by_visit: dict[int, list[Hazard]] = {}
    for h, v in zip(hazards, links, strict=True):
        by_visit.setdefault(v.pk, []).append(h)
    visit_of = {v.pk: v for v in links}
    order_numbers = _numbers("order", [visit_of[vid] for vid in by_visit], on=today)
    for vid, hs in by_visit.items():
        v = visit_of[vid]
        open_ = any(h.status == "open" for h in hs)
        orders.append(
            RectificationOrder(
                visit_id=vid,
                enterprise_id=v.enterprise_id,
                number=order_numbers[vid],
                requirements="按期整改并书面报告整改情况。",
                issued_on=v.planned_date,
                deadline=v.planned_date + dt.timedelta(days=30),
                status="issued" if open_ else "rectified",
            )
        )
        order_hazards.append(hs)
    RectificationOrder.objects.bulk_create(orders, batch_size=5000)
    order_through = RectificationOrder.hazards.through
    order_through.objects.bulk_create(
        [
            order_through(rectificationorder_id=o.pk, hazard_id=h.pk)
            for o, hs in zip(orders, order_hazards, strict=True)
            for h in hs
        ],
        batch_size=5000,
    )
    n_guided = _guidance(visits, meta, today=today)
    open_h = sum(1 for h in hazards if h.status == "open")
    out.write(
        f"Visits {year}: {len(visits)} visits, {counts['at_cap']} enterprises at their cap, "
        f"{counts['exempt_beyond']} with exempt visits beyond it, {len(hazards)} hazards "
        f"({open_h} open), {len(orders)} orders, guidance recorded at {n_guided} visits."
    )


def _guidance(visits, meta, *, today: dt.date) -> int:
    """谁执法谁普法 in the demo (R2.4, R8.6): the proposed guidance recorded at nine done visits
    in ten (the tenth shows the missing record), and one planned visit in fifty named 督导 or
    观摩 (still an inspection). Uses no random numbers, so the other builders' data stay as
    they were."""
    from fairinspect.catalog import guidance as guidance_list
    from fairinspect.rules.guidance import propose_guidance

    from .models import GuidanceGiven

    version = guidance_list.version_in_force()
    if version is None:
        return 0
    entries = {e.code: e for e in version.entries.all()}
    facts = guidance_list.facts(entries.values())
    industry = dict(Enterprise.objects.values_list("pk", "industry_id"))
    rows, guided = [], 0
    for n, (v, (its, _t, _h)) in enumerate(zip(visits, meta, strict=True)):
        if n % 50 == 7:
            v.entry_kind = "supervision" if n % 100 == 7 else "observation"
        if v.status != "done" or n % 10 == 3:
            continue
        proposals = propose_guidance(
            facts,
            industry_code=industry.get(v.enterprise_id) or "",
            item_codes=[i.code for i in its],
        )
        if not proposals:
            continue
        guided += 1
        rows += [
            GuidanceGiven(
                visit_id=v.pk,
                enterprise_id=v.enterprise_id,
                entry=entries[p.code],
                audiences=["main_person_in_charge", "safety_manager"],
                recorded_at=v.checked_out_at or _at(min(v.planned_date, today), 11),
            )
            for p in proposals[:3]
        ]
    Visit.objects.bulk_update([v for v in visits if v.entry_kind != "inspection"], ["entry_kind"])
    GuidanceGiven.objects.bulk_create(rows, batch_size=5000)
    return guided
