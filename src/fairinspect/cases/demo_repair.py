"""Demo credit repair (R10.3), one of each state: the demo enterprise has a paid, published
penalty it may apply to repair today (and a recent one still inside its shortest period);
three other enterprises have an application pending, one granted (publication ended, level
restored) and one refused with its reasons."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile

from fairinspect.core.roles import Role
from fairinspect.registry.models import Enterprise, User

from . import services
from .demo import _walk

PDF = b"%PDF-1.4\n% demo\n"
ORDINARY = {"harm": "slight", "staff_affected_share": "0.05", "headcount": 60}


def _paid_published(ent, *, people, start, code="AQSCF2021-97-4"):
    case = services.open_case(
        actor=people["officer"], enterprise=ent, party="unit", violation_code=code, on=start,
        source="执法检查发现",
    )  # fmt: skip
    case = _walk(case, "execute", people=people, start=start, facts=ORDINARY)
    services.publish_disclosure(
        actor=people["officer"], disclosure=case.disclosure, on=start + dt.timedelta(days=19)
    )
    case.refresh_from_db()
    return case


def _docs():
    out = []
    for k in ("commitment", "licence", "performance"):
        f = ContentFile(PDF, name=f"{k}.pdf")
        out.append((k, f))
    return out


def build(*, rng, today, enterprises, out) -> None:
    people = {
        k: User.objects.get(username=k) for k in ("officer", "approver", "legal", "approver2")
    }
    start = today - dt.timedelta(days=160)
    ent_user = User.objects.filter(username="enterprise").select_related("enterprise").first()
    if ent_user is not None and ent_user.enterprise is not None:
        _paid_published(ent_user.enterprise, people=people, start=start)  # may apply today
    group = Group.objects.get(name=Role.ENTERPRISE.value)
    # Three enterprises from the end of the register (the other demos use its beginning).
    others = list(Enterprise.objects.exclude(users__isnull=False).order_by("-id")[:3])
    states = ("pending", "granted", "refused")
    n = 0
    for ent, state in zip(others, states, strict=False):
        user = User.objects.create(
            username=f"repair_{state}", first_name=f"{ent.name}安全员", enterprise=ent
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(group)
        case = _paid_published(ent, people=people, start=start)
        app = services.apply_credit_repair(
            actor=user,
            case=case,
            statement="罚款已于决定送达后缴清，培训档案已补齐并经复查。",
            commitment="本单位承诺已纠正违法行为，今后严格遵守安全生产法律法规。",
            documents=_docs(),
            on=today - dt.timedelta(days=5),
        )
        if state == "granted":
            ent.credit_level = "C"
            ent.save(update_fields=["credit_level"])
            services.decide_credit_repair(
                actor=people["approver2"], application=app, grant=True,
                reason="罚款已缴清，违法行为已纠正，最短公示期已满，材料齐全，准予修复。",
                credit_level="B", on=today - dt.timedelta(days=2),
            )  # fmt: skip
        elif state == "refused":
            services.decide_credit_repair(
                actor=people["approver2"], application=app, grant=False,
                reason="整改证明未加盖公章，无法核实，不予修复；可补正后重新申请。",
                on=today - dt.timedelta(days=2),
            )  # fmt: skip
        n += 1
    out.write(
        f"Demo: credit repair — 1 repairable penalty, {n} applications (pending, granted, refused)."
    )
