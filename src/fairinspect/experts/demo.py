"""Demo expert pool (R12.1, R12.2): every registry expert appointed with how they were
selected and trained; one suspended; one with a consultancy tie to an enterprise (refused on
that enterprise's plan page, the reason shown); a draft plan with an expert on its team and
the pool offered on its plan page; a done visit with an expert's advice and evaluation."""

from __future__ import annotations

import datetime as dt

from fairinspect.catalog.models import InspectionItem
from fairinspect.core.errors import DomainError
from fairinspect.registry.models import Enterprise, Expert, User
from fairinspect.visits import services as visits
from fairinspect.visits.models import Visit

from . import services


def build(*, rng, today, enterprises, out) -> None:
    admin = User.objects.get(username="admin")
    officer = User.objects.select_related("officer").get(username="officer")
    officer2 = User.objects.select_related("officer").get(username="officer2")
    experts = list(Expert.objects.order_by("id"))
    for n, e in enumerate(experts):
        services.appoint(
            actor=admin,
            expert=e,
            method=("open", "recommended", "applied")[n % 3],
            selected_on=e.appointed_from - dt.timedelta(days=30),
            basis="资格审查合格，专业考核合格（演示数据）。",
            term_from=e.appointed_from,
            term_to=e.appointed_to,
            document_number=f"乌应急专聘〔{e.appointed_from.year}〕{n + 1}号",
        )
        services.record_training(
            actor=admin, expert=e, on=today - dt.timedelta(days=20 + n), topic="执法检查专家履职规范",
            hours=4, provider="乌鲁木齐市应急管理局",
        )  # fmt: skip
    if len(experts) < 4:
        return
    Expert.objects.filter(pk=experts[-1].pk).update(status="suspended")
    items = [
        i.code
        for i in InspectionItem.objects.filter(
            version__status="published", domain="hazchem", offsite_capable=False
        ).order_by("code")[:2]
    ]
    hazchem = [e for e in experts if "hazchem" in (e.specialties or [])]
    draft = None
    for ent in Enterprise.objects.filter(
        supervising_level="city", industry__code__startswith="26"
    ).order_by("id")[:20]:
        try:
            draft = visits.create_visit(
                actor=officer, enterprise=ent, kind="on_site", trigger="annual_plan",
                planned_date=today + dt.timedelta(days=5), item_codes=items,
                officer_ids=[officer.officer.pk, officer2.officer.pk], today=today,
            )  # fmt: skip
            break
        except DomainError:
            continue
    if draft is not None and len(hazchem) >= 2:
        services.declare_tie(
            actor=admin, expert=hazchem[0], enterprise=draft.enterprise, kind="consulted",
            started_on=today - dt.timedelta(days=900), ended_on=today - dt.timedelta(days=300),
            note="为该企业编制安全现状评价报告（演示数据）",
        )  # fmt: skip
        services.add_to_visit(actor=officer, visit=draft, expert=hazchem[1])
    done = (
        Visit.objects.filter(status="done", team__officer__user__isnull=False)
        .order_by("-checked_out_at", "id")
        .first()
    )
    member = done.team.filter(officer__user__isnull=False).first() if done else None
    if done is not None and member is not None and member.officer.user is not None:
        officer = member.officer.user
        expert = experts[2]
        done.experts.add(expert)  # the demo's past visit: as if planned with the expert
        services.record_advice(
            actor=officer, visit=done, expert=expert,
            text="建议对储罐区可燃气体检测报警仪进行标定，并完善防火堤排水切换记录。",
        )  # fmt: skip
        services.evaluate(
            actor=officer, visit=done, expert=expert, score=4, comment="意见专业，现场配合良好。",
            on=today,
        )  # fmt: skip
    out.write(
        f"Demo: {len(experts)} experts appointed and trained; draft plan "
        f"{draft.pk if draft else '—'} with an expert; done visit {done.pk if done else '—'} "
        "with advice and an evaluation."
    )
