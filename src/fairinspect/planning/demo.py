"""Demo planning data: the city bureau's approved and published annual plan, one published
random draw (pools, a public seed, visits created), one announced special inspection."""

from __future__ import annotations

import datetime as dt

from fairinspect.registry.models import Department, Enterprise, User
from fairinspect.rules.caps import Grade

from . import bridge, draws, services


def _window(today: dt.date, offset: int, length: int) -> tuple[dt.date, dt.date]:
    start = min(today + dt.timedelta(days=offset), dt.date(today.year, 12, 31))
    return start, min(start + dt.timedelta(days=length), dt.date(today.year, 12, 31))


def build(*, rng, today: dt.date, enterprises: int, out) -> None:
    planner = User.objects.get(username="officer")
    approver = User.objects.get(username="approver")
    city = Department.objects.get(code="650100")
    year = today.year
    table = bridge.cap_table(year)

    plan = services.create_plan(actor=planner, data={"year": year}, today=today)
    rows = []
    for line in plan.lines.all():
        cap = table.cap(line.high_risk, Grade(line.grade))
        planned = min(line.enterprises * cap, (line.enterprises * 6 + 9) // 10)
        if not line.high_risk:
            # At least 10% fewer than last year's visits, which are counted, never typed.
            planned = min(planned, line.last_year_visits * 9 // 10)
        ratio = "0.10" if line.high_risk else "0.05"
        rows.append(
            {
                "high_risk": line.high_risk,
                "grade": line.grade,
                "planned_visits": planned,
                "sampling_ratio": ratio,
            }
        )
    services.update_plan_lines(actor=planner, plan=plan, lines=rows)
    majors = Enterprise.objects.filter(
        supervising_level="city", risk_level="major", status="active"
    ).order_by("credit_code")[:3]
    for e in majors:
        services.add_key_enterprise(
            actor=planner,
            plan=plan,
            data={"credit_code": e.credit_code, "reason": "重大风险企业，涉及重大危险源"},
        )
    services.submit_plan(actor=planner, plan=plan)
    services.approve_plan(
        actor=approver,
        plan=plan,
        data={"approval_doc_no": f"乌政函〔{year}〕18号", "approval_date": dt.date(year, 1, 20)},
    )
    services.file_plan(
        actor=approver,
        plan=plan,
        data={"filing_doc_no": f"乌司备〔{year}〕7号", "filing_date": dt.date(year, 1, 25)},
    )
    services.publish_plan(actor=approver, plan=plan)

    start, end = _window(today, 7, 21)
    task = draws.create_task(
        actor=planner,
        data={
            "title": f"{year}年危险化学品企业“双随机、一公开”抽查（第一批）",
            "items": ["YJ-WH-004", "YJ-WH-005"],
            "window_start": start,
            "window_end": end,
            "high_risk": True,
            "count": 8,
            "plan": plan,
        },
    )
    task = draws.publish_pools(actor=planner, task=task)
    live = draws.live_draw(task)
    assert live is not None  # publish_pools opens the first draw
    draw = draws.record_seed(
        actor=planner,
        draw=live,
        seed="".join(str(rng.randint(1, 6)) for _ in range(12)),
        entered_by="王某（群众代表）、刘某（企业代表）、陈某（公证员）依次掷骰子",
    )
    draw = draws.publish_result(
        actor=planner, draw=draws.run(actor=planner, draw=draw), today=today
    )

    services.set_special_quota(
        actor=approver,
        department=city,
        data={"year": year, "quota": 6, "source": "市应急管理局党委会议纪要（示例）"},
    )
    s_start, s_end = _window(today, 14, 10)
    special = services.create_special(
        actor=planner,
        data={
            "kind": "key_period",
            "title": "重大节日前危险化学品重点时段检查",
            "targets": "全市危险化学品经营（带储存）企业、加油站",
            "content": "储存场所安全管理、重大危险源包保责任落实、应急值守",
            "reason": "节日期间危险化学品运输和储存量增大，事故风险上升",
            "start_date": s_start,
            "end_date": s_end,
        },
    )
    services.submit_special(actor=planner, special=special)
    special = services.decide_special(actor=approver, special=special, approve=True, note="同意")
    services.announce_special(actor=planner, special=special, today=today)
    out.write(
        f"Planning: plan {plan.title} published; draw of {len(draw.selected)} enterprises "
        f"(seed {draw.seed}, {len(draw.visit_ids)} visits); special inspection announced."
    )
