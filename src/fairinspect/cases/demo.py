"""Demo cases: the published no-penalty list and a handful of cases in different states: one
closed with its decision published, one overdue, one no-penalty, one waiting for filing, one
notified, one reviewed with an amount outside the range, and 一案双罚 from a visit's hazard
when the visits demo left an unreported major hazard."""

from __future__ import annotations

import datetime as dt

from fairinspect.registry.models import Enterprise, User

from . import services
from .models import Case

FACTS = "{d}，执法人员对该单位进行检查，发现其{what}。"
EVIDENCE = "现场检查记录\n询问笔录\n现场照片3张\n执法记录仪音像资料"


def _walk(case, until, *, people, start, facts, proposed=None, reason=""):
    plan = [
        ("approve_filing", "approver", 0, {}),
        (
            "investigate",
            "officer",
            5,
            {
                "facts": facts,
                "facts_text": case.facts_text
                or FACTS.format(
                    d=f"{start.year}年{start.month}月{start.day}日", what=case.violation_title
                ),
                "evidence": EVIDENCE,
                "proposed_fine": proposed,
                "outside_range_reason": reason,
            },
        ),
        ("notify", "officer", 8, {}),
        (
            "record_statement",
            "officer",
            10,
            {
                "statement": "我单位已立即整改，请求从轻处罚。",
                "statement_answer": "当事人已整改属实，已在裁量中考虑；"
                "其请求超出法定从轻情形的部分不予采纳。",
            },
        ),
        (
            "legal_review",
            "legal",
            15,
            {
                "opinion": "事实清楚，证据确凿，定性准确，适用依据正确，程序合法，裁量适当。",
                "approve": True,
                "accept_outside_range": bool(reason),
            },
        ),
        ("discuss", "approver", 16, {"minutes": "经集体讨论，同意法制审核意见。"}),
        ("decide", "approver", 17, {}),
        ("serve", "officer", 18, {}),
        ("execute", "officer", 25, {}),
        ("close", "approver", 26, {}),
    ]
    for action, who, offset, data in plan:
        if action == "discuss" and not case.is_major:
            continue
        data = {k: v for k, v in data.items() if v not in (None, "")}
        if action == "investigate" and "proposed_fine" not in data:
            # The demo officer proposes the recommended floor, stating it as an officer must.
            data["proposed_fine"] = _floor(case, facts, start + dt.timedelta(days=offset))
        case = services.transition(
            actor=people[who],
            case=case,
            action=action,
            data=data,
            today=start + dt.timedelta(days=offset),
        )
        if action == until:
            break
    return case


def _floor(case, facts, on):
    result, _, _ = services.assess(
        enterprise=case.enterprise,
        violation_code=case.violation_code,
        party=case.party,
        facts=facts,
        on=on,
        exclude=case,
    )
    return str(result.fine_min)


def build(*, rng, today, enterprises, out) -> None:
    people = {
        k: User.objects.get(username=u)
        for k, u in (
            ("officer", "officer"),
            ("approver", "approver"),
            ("legal", "legal"),
            ("admin", "admin"),
        )
    }
    version = services.load_no_penalty_list(actor=people["admin"])
    if version.status == "draft":
        services.publish_no_penalty_list(
            actor=people["admin"], version=version, on=today - dt.timedelta(days=120)
        )
    ents = list(Enterprise.objects.order_by("id")[:400])
    pick = rng.sample(ents, 8)
    for e in pick:
        if not e.main_person:
            e.main_person = "王" + rng.choice("伟强磊军洋勇杰涛明")
            e.save(update_fields=["main_person"])

    def new(e, code, days_ago, party="unit", **kw):
        return services.open_case(
            actor=people["officer"],
            enterprise=e,
            party=party,
            violation_code=code,
            on=today - dt.timedelta(days=days_ago),
            source="执法检查发现",
            **kw,
        )

    ordinary = {"harm": "slight", "staff_affected_share": "0.05", "headcount": 60}
    closed = _walk(
        new(pick[0], "AQSCF2021-97-4", 70),
        "close",
        people=people,
        start=today - dt.timedelta(days=70),
        facts=ordinary,
    )
    services.publish_disclosure(
        actor=people["officer"],
        disclosure=closed.disclosure,
        on=closed.decided_on + dt.timedelta(days=3),
    )
    _walk(
        new(pick[1], "AQSCF2021-99-3", 110),
        "investigate",
        people=people,
        start=today - dt.timedelta(days=110),
        facts={"harm": "slight"},
    )  # overdue decision
    _walk(
        new(pick[2], "AQSCF2021-97-5", 30),
        "close",
        people=people,
        start=today - dt.timedelta(days=30),
        facts={"first_offence": True, "harm": "none", "corrected_in_time": True},
    )  # no penalty
    new(pick[3], "AQSCF2021-101-3", 1)
    _walk(
        new(pick[4], "AQSCF2021-99-5", 9),
        "notify",
        people=people,
        start=today - dt.timedelta(days=9),
        facts=ordinary,
    )
    _walk(
        new(pick[5], "AQSCF2021-97-4", 20),
        "legal_review",
        people=people,
        start=today - dt.timedelta(days=20),
        facts=ordinary,
        proposed="45000",
        reason="涉及危险化学品特种作业岗位，未培训人员已上岗作业，危害较大。",
    )
    _walk(
        new(
            pick[6],
            "AQSCF2021-94",
            40,
            party="person",
            person_name=pick[6].main_person,
            person_role="主要负责人",
        ),
        "decide",
        people=people,
        start=today - dt.timedelta(days=40),
        facts={"harm": "slight"},
    )
    made = 7
    try:
        from fairinspect.visits.models import Hazard

        h = (
            Hazard.objects.filter(level="major", reported_by_enterprise=False, cases__isnull=True)
            .select_related("enterprise")
            .first()
        )
        if h is not None:
            if not h.enterprise.main_person:
                h.enterprise.main_person = "赵刚"
                h.enterprise.save(update_fields=["main_person"])
            made += len(
                services.open_cases_from_hazard(actor=people["officer"], hazard=h, on=today)
            )
    except Exception as exc:  # the visits demo is optional here; the cases demo stands alone
        out.write(f"(no case from a hazard: {exc})")
    made += _party_demo(people=people, today=today, ents=ents)
    out.write(f"Cases: {made} ({Case.objects.filter(next_due__lt=today).count()} overdue).")


def _party_demo(*, people, today, ents) -> int:
    """What the demo enterprise's user sees: a served fine with its payment due and the
    documents served, a serious-dishonesty listing old enough to apply for early removal;
    and an accident on another enterprise's credit record."""

    ent_user = User.objects.filter(username="enterprise").select_related("enterprise").first()
    if ent_user is None or ent_user.enterprise is None:
        return 0
    ent = ent_user.enterprise
    start = today - dt.timedelta(days=400)
    case = services.open_case(
        actor=people["officer"],
        enterprise=ent,
        party="unit",
        violation_code="AQSCF2021-99-4",
        on=start,
        source="执法检查发现",
    )
    case = _walk(
        case,
        "serve",
        people=people,
        start=start,
        facts={"harm": "serious", "staff_affected_share": "0.3", "headcount": 80},
    )
    # 令第11号 due process: the second approver proposes on a written basis, the officer serves
    # the notice, the period runs out, and the first approver (who did not propose) decides.
    listing = services.propose_listing_by_approver(
        actor=User.objects.get(username="approver2"),
        case=case,
        ground="unlicensed_operation",
        reason="演示数据：安全生产许可证被暂扣期间仍组织生产。",
        on=case.decided_on,
    )
    services.notify_listing(actor=people["officer"], listing=listing, on=case.decided_on)
    services.list_dishonest(
        actor=people["approver"], listing=listing, on=case.decided_on + dt.timedelta(days=15)
    )
    served = services.open_case(
        actor=people["officer"],
        enterprise=ent,
        party="unit",
        violation_code="AQSCF2021-97-4",
        on=today - dt.timedelta(days=25),
        source="执法检查发现",
    )
    _walk(
        served,
        "serve",
        people=people,
        start=today - dt.timedelta(days=25),
        facts={"harm": "slight", "staff_affected_share": "0.05", "headcount": 80},
    )
    other = next((e for e in ents if e.pk != ent.pk), None)
    if other is not None:
        services.record_accident(
            actor=people["officer"],
            enterprise=other,
            on=today - dt.timedelta(days=200),
            level="general",
            fatalities=1,
            injuries=0,
            summary="机械伤害事故，死亡1人（演示数据）。",
            today=today,
        )
    return 2
