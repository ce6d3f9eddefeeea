"""Demo records of the enterprise's side, every state once: the demo enterprise's complete
group with a member who left (history), its self-checks with a missing quarter (flagged),
a self-reported hazard being rectified with a report and photo waiting for review, one
closed; a rectification report for an officer's order; a major hazard officers found that
the enterprise had reported (not penalised, R11.3) and the unreported ones (R7.6) the
visits demo made; self-inspection reports accepted (the draw leaves the enterprise out),
submitted and returned. Deterministic from `rng`; written directly (backdated), no audit."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from fairinspect.registry.models import Enterprise, User
from fairinspect.rules import selfcheck as rule

from . import standards
from .models import (
    Evidence,
    GroupChange,
    GroupMember,
    RectificationReport,
    SelfCheck,
    SelfInspection,
    SelfReportedHazard,
)

# A 1×1 PNG: the photo of the demo's rectification reports.
PHOTO = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2d8d2"
    "a90000000049454e44ae426082"
)
MEMBERS = [
    ("李建华", "leader", "副总经理", ""),
    ("王立新", "safety_manager", "安全环保部部长", ""),
    ("马晓燕", "union", "工会主席", ""),
    ("阿不都·热合曼", "worker_rep", "储运班班长", ""),
    ("陈思远", "safety_engineer", "注册安全工程师", "ZA-2019-650012"),
]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _answers(std, hazard_item: str | None = None, place: str = "", note: str = "") -> list[dict]:
    out = []
    for i in std.items:
        hazard = i["code"] == hazard_item
        out.append(
            {
                "item": i["code"],
                "clause": i["clause"],
                "text": i["text"],
                "result": "hazard" if hazard else "ok",
                "place": place if hazard else "",
                "note": note if hazard else "",
            }
        )
    return out


def build(*, rng, today: dt.date, enterprises: int, out) -> None:
    user = User.objects.filter(username="enterprise").select_related("enterprise").first()
    if user is None or user.enterprise is None:
        out.write("Enterprise: no demo enterprise user; skipped.")
        return
    ent = user.enterprise
    officer = User.objects.filter(username="ts_officer").first()
    approver = User.objects.filter(username="approver").first()
    std = standards.standard_for(ent.industry_id)
    joined = dt.date(today.year - 1, 3, 1)

    # R11.1: the group, and a union member who left and was replaced (history rows).
    members = []
    for name, role, position, cert in MEMBERS:
        m = GroupMember.objects.create(
            enterprise=ent,
            name=name,
            role=role,
            position=position,
            certificate=cert,
            joined_on=joined,
            created_by=user,
        )
        GroupChange.objects.create(enterprise=ent, member=m, action="joined", on=joined, actor=user)
        members.append(m)
    left_on = dt.date(today.year - 1, 9, 30)
    old = GroupMember.objects.create(
        enterprise=ent,
        name="刘振国",
        role="union",
        position="原工会主席",
        joined_on=dt.date(today.year - 2, 1, 5),
        left_on=left_on,
        created_by=user,
    )
    GroupChange.objects.create(
        enterprise=ent, member=old, action="joined", on=old.joined_on, actor=user
    )
    GroupChange.objects.create(
        enterprise=ent, member=old, action="left", on=left_on, note="退休", actor=user
    )

    # R11.2: checks for this year's required quarters that have ended, except the last one
    # (missing: flagged to the enterprise and the bureau), and one in the current quarter.
    # The earliest carries the hazards.
    current = rule.quarter_of(today)
    ended = [
        q
        for q in range(1, current)
        if rule.quarter_end(today.year, q) >= standards.counting_starts()
    ]
    days = [
        rule.quarter_start(today.year, q) + dt.timedelta(days=20 + rng.randrange(30))
        for q in ended[:-1]
    ]
    days.append(max(rule.quarter_start(today.year, current), today - dt.timedelta(days=10)))
    item_codes = _inspection_items()
    checks: list[SelfCheck] = []
    for k, day in enumerate(days, start=1) if std.items else ():
        with_hazard = k == 1
        checks.append(
            SelfCheck.objects.create(
                number=f"自查〔{today.year}〕{ent.credit_code[-6:]}-{ent.pk}-{k}",
                enterprise=ent,
                checked_on=day,
                year=today.year,
                quarter=rule.quarter_of(day),
                standard=std.code,
                standard_title=std.title,
                answers=_answers(
                    std,
                    std.items[4]["code"] if with_hazard else None,
                    "2号储罐区",
                    "紧急切断阀未投用",
                ),
                participants=[{"member": m.pk, "name": m.name, "role": m.role} for m in members],
                main_person_took_part=k == 1,
                main_person_name=ent.main_person,
                reported_to_main_person_on=min(day + dt.timedelta(days=1), today),
                summary="组织内部安全检查组对照判定标准逐项检查。",
                filed_by=user,
                filed_at=_at(min(day + dt.timedelta(days=2), today), 9),
            )
        )
    if checks and item_codes:
        first = checks[0]
        rectifying = SelfReportedHazard.objects.create(
            number=f"{first.number}-H1",
            enterprise=ent,
            self_check=first,
            standard_item=f"{std.title}{std.items[4]['clause']}" if std.items else "",
            standard_text=std.items[4]["text"] if std.items else "",
            item_code=item_codes[0],
            place="2号储罐区",
            description="紧急切断阀未投用",
            measures="更换执行机构并与DCS联调",
            deadline=today + dt.timedelta(days=20),
            reported_at=first.filed_at,
        )
        closed = SelfReportedHazard.objects.create(
            number=f"{first.number}-H2",
            enterprise=ent,
            self_check=first,
            standard_item=f"{std.title}{std.items[1]['clause']}" if std.items else "",
            standard_text=std.items[1]["text"] if std.items else "",
            item_code=item_codes[-1],
            place="维修班组",
            description="两名焊工证书过期仍上岗",
            measures="停止作业，复训取证",
            deadline=first.checked_on + dt.timedelta(days=15),
            status="rectified",
            reported_at=first.filed_at,
            closed_at=first.filed_at + dt.timedelta(days=14),
            closed_by=officer,
        )
        _report(ent, user, self_hazard=rectifying, text="已更换切断阀执行机构，联调记录附后。")
        done = _report(ent, user, self_hazard=closed, text="两名焊工已复训取证。")
        RectificationReport.objects.filter(pk=done.pk).update(
            review="accepted", reviewed_by=officer, reviewed_at=closed.closed_at
        )
        _matched_hazard(ent, rectifying, today)

    # A rectification report for an order officers issued, waiting for their follow-up.
    from fairinspect.visits.models import RectificationOrder

    order = RectificationOrder.objects.filter(enterprise=ent, status="issued").first()
    if order is not None:
        _report(ent, user, order=order, text="已按指令书要求整改，照片附后。")

    _self_inspections(rng=rng, today=today, approver=approver, out=out)
    out.write(
        f"Enterprise: group of {len(members) + 1} (one left), {len(checks)} self-checks, "
        "self-reported hazards, rectification reports and self-inspection reports."
    )


def _inspection_items() -> list[str]:
    from fairinspect.catalog.queries import items_in_force

    return list(
        items_in_force().filter(domain="hazchem").values_list("code", flat=True)[:3]
    ) or list(items_in_force().values_list("code", flat=True)[:3])


def _report(ent, user, *, text: str, order=None, self_hazard=None) -> RectificationReport:
    r = RectificationReport.objects.create(
        enterprise=ent,
        order=order,
        self_hazard=self_hazard,
        description=text,
        reported_by=user,
        reported_at=timezone.now(),
    )
    digest = hashlib.sha256(PHOTO).hexdigest()
    ev = Evidence(
        report=r,
        enterprise=ent,
        original_name="整改后照片.png",
        sha256=digest,
        size=len(PHOTO),
        content_type="image/png",
    )
    ev.file.save(f"{ent.pk}-{r.pk}-{digest[:16]}.png", ContentFile(PHOTO), save=False)
    ev.save()
    return r


def _matched_hazard(ent, report: SelfReportedHazard, today: dt.date) -> None:
    """A major hazard officers recorded on a finished visit at the same item and place as a
    hazard the enterprise had reported: R11.3 applies (no case)."""
    from fairinspect.catalog.models import InspectionItem
    from fairinspect.visits.models import Hazard, Visit

    item = InspectionItem.objects.filter(version__status="published", code=report.item_code).first()
    if item is None:
        return
    visit = Visit.objects.filter(enterprise=ent, status="done").order_by("-planned_date").first()
    if visit is None:
        visit = _done_visit(ent, item, today)
        if visit is None:
            return
    h = Hazard.objects.create(
        visit=visit,
        enterprise=ent,
        item=item,
        level="major",
        description="储罐区紧急切断阀未投用",
        place="2号储罐区东侧",
    )
    # Officers found it after the enterprise had reported it.
    found = max(h.created_at, report.reported_at + dt.timedelta(hours=1))
    Hazard.objects.filter(pk=h.pk).update(created_at=found)


def _done_visit(ent, item, today: dt.date):
    """A finished visit of the demo enterprise by the district's two demo officers, each with
    the certificate in force that day, on a plan approved beforehand: a legitimate visit, no
    breach (R8.4). The visits demo gives the enterprise only today's approved plan."""
    from fairinspect.registry.models import Certificate, Department
    from fairinspect.visits.models import InspectionPlan, Visit, VisitOfficer

    officers = [
        u.officer
        for u in User.objects.filter(username__in=["ts_officer", "ts_officer2"])
        .select_related("officer")
        .order_by("username")
        if hasattr(u, "officer")
    ]
    unit = Department.objects.filter(kind="bureau", division_code=ent.district_code).first()
    if len(officers) < 2 or unit is None:
        return None
    day = today - dt.timedelta(days=1)
    # Each shows a certificate in force that day (a legitimate team, not a breach, R8.4).
    numbers = [
        c.number
        for o in officers
        if (
            c := Certificate.objects.filter(
                officer=o, status="valid", valid_from__lte=day, valid_to__gte=day
            )
            .order_by("-valid_to")
            .first()
        )
    ]
    if len(numbers) < len(officers):
        return None
    v = Visit.objects.create(
        enterprise=ent,
        kind="on_site",
        trigger="annual_plan",
        status="done",
        planned_date=day,
        department=unit,
        inspecting_level="district",
        checked_in_at=_at(day, 9),
        checked_out_at=_at(day, 11),
        summary="按检查方案完成检查。",
    )
    v.items.add(item)
    InspectionPlan.objects.create(
        visit=v,
        items=[{"code": item.code, "name": item.name}],
        approved_by=User.objects.filter(username="approver").first(),
        approved_at=_at(day - dt.timedelta(days=2), 16),
    )
    for n, (o, number) in enumerate(zip(officers, numbers, strict=True)):
        VisitOfficer.objects.create(
            visit=v,
            officer=o,
            is_lead=n == 0,
            certificate_number=number,
            confirmed_at=v.checked_in_at,
        )
    return v


def _self_inspections(*, rng, today: dt.date, approver, out) -> None:
    """Three eligible enterprises (A-level credit, grade 1 or 2, founded long ago, no
    accident): one accepted report (out of the draws), one submitted, one returned."""
    from fairinspect.cases.models import CreditRecord

    accident_ids = CreditRecord.objects.filter(kind="accident").values("enterprise_id")
    pool = list(
        Enterprise.objects.filter(credit_level="A", standardization_grade__in=[1, 2])
        .exclude(pk__in=accident_ids)
        .exclude(users__username="enterprise")
        .order_by("pk")[:30]
    )
    if len(pool) < 3:
        pool = list(
            Enterprise.objects.exclude(pk__in=accident_ids)
            .exclude(users__username="enterprise")
            .order_by("pk")[:3]
        )
    picks = rng.sample(pool, 3) if len(pool) >= 3 else pool
    from django.contrib.auth.models import Group

    from fairinspect.core.roles import Role

    group = Group.objects.get(name=Role.ENTERPRISE.value)
    for n, (ent, status) in enumerate(
        zip(picks, ("accepted", "submitted", "returned"), strict=False), start=1
    ):
        submitter = User.objects.create(
            username=f"selfinspect{n}", first_name=f"{ent.name}安全员", enterprise=ent
        )
        submitter.set_unusable_password()
        submitter.save(update_fields=["password"])
        submitter.groups.add(group)
        Enterprise.objects.filter(pk=ent.pk).update(
            credit_level="A",
            standardization_grade=ent.standardization_grade or 2,
            grade_valid_to=None,
            registered_on=ent.registered_on or dt.date(today.year - 12, 5, 1),
        )
        SelfInspection.objects.create(
            enterprise=ent,
            year=today.year,
            report=f"{ent.name}{today.year}年度企业自我检查报告：对照检查事项清单逐项自查，"
            "未发现重大事故隐患，一般隐患已整改。",
            eligibility={"eligible": True, "on": today.isoformat(), "reasons": []},
            submitted_by=submitter,
            submitted_at=_at(today - dt.timedelta(days=30)),
            status=status,
            decided_by=approver if status != "submitted" else None,
            decided_at=_at(today - dt.timedelta(days=20)) if status != "submitted" else None,
            decision_note="报告未附自查记录，请补充后重新提交。" if status == "returned" else "",
        )
