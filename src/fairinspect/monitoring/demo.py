"""Demo monitoring: points at the high-risk enterprises with two hours of readings sent
through the ingestion service (so the wall, charts, queue and ranking have something to
show), including a gas leak, a tank filling too fast and an offline sensor."""

from __future__ import annotations

import datetime as dt
import math

from django.utils import timezone

from fairinspect.registry.models import Enterprise, User

from . import services
from .models import Reading

POINTS = [
    # code, name, kind, unit, range, limits (low_low, low, high, high_high), rate/min, normal
    ("GT-101", "罐区可燃气体探测器", "gas", "%LEL", (0, 100), (None, None, 25, 50), 20, 3.0),
    ("LT-201", "1号储罐液位", "tank", "m", (0, 20), (1, 2, 16, 18), 1.0, 9.0),
    ("TT-301", "反应釜温度", "temperature", "℃", (0, 300), (None, 40, 180, 200), 15, 150.0),
    ("PT-401", "反应釜压力", "pressure", "MPa", (0, 4), (None, 0.2, 2.5, 3.0), 0.5, 1.6),
]


def build(*, rng, today, out, **_kw) -> None:
    admin = User.objects.get(username="admin")
    enterprises = list(Enterprise.objects.filter(high_risk=True).order_by("id")[:8])
    demo_user = User.objects.filter(username="enterprise").select_related("enterprise").first()
    if demo_user and demo_user.enterprise and demo_user.enterprise not in enterprises:
        enterprises.insert(0, demo_user.enterprise)
    now = timezone.now().replace(second=0, microsecond=0)
    start = now - dt.timedelta(hours=2)
    n_warnings = 0
    for e_index, ent in enumerate(enterprises):
        for code, name, kind, unit, (lo, hi), (ll, low, high, hh), rate, _normal in POINTS:
            services.create_point(
                actor=admin, enterprise=ent, code=code, name=name, kind=kind, unit=unit, range_low=lo, range_high=hi,
                low_low=ll, low=low, high=high, high_high=hh, rate_per_minute=rate,
            )  # fmt: skip
        cred, _key = services.issue_credential(actor=admin, enterprise=ent, gateway="DCS-演示")
        for minute_block in range(0, 120, 30):
            readings = []
            for m in range(minute_block, minute_block + 30):
                at = start + dt.timedelta(minutes=m)
                for code, _n, _kind, _u, (lo, hi), _lim, _r, normal in POINTS:
                    if e_index == 2 and code == "TT-301" and m > 60:
                        continue  # an offline sensor
                    noise = rng.gauss(0, (hi - lo) * 0.004)
                    v = normal + (hi - lo) * 0.01 * math.sin(m / 9) + noise
                    if e_index == 0 and code == "GT-101" and m >= 95:
                        v = min(
                            hi, 3 + (m - 95) * 2.5
                        )  # a leak: 25 %LEL at minute ~104, 50 at ~114
                    if e_index == 1 and code == "LT-201" and m >= 80:
                        v = min(hi, normal + (m - 80) * 0.2)  # filling without stop
                    readings.append(services.RawReading(code, at, round(max(lo, min(hi, v)), 3)))
            res = services.ingest(
                credential=cred,
                message_id=f"demo-{ent.pk}-{minute_block}",
                readings=readings,
                source=Reading.Source.HTTP,
                now=now,
            )
            n_warnings += len(res.warnings_opened)
    n_warnings += services.sweep_stale(now=now)
    _configuration_and_drafts(admin, enterprises, out)
    out.write(
        f"monitoring: {len(enterprises)} enterprises, {len(POINTS) * len(enterprises)} points, {n_warnings} warnings"
    )


def _configuration_and_drafts(admin, enterprises, out) -> None:
    """A point whose limits were changed (audited), the assistant's drafts (one confirmed
    after an edit, one left a draft), and, when the visits demo made an off-site
    inspection, the method it was done by."""
    from fairinspect.registry.access import is_staff
    from fairinspect.visits.models import Visit

    from . import assistant
    from .models import MonitoringPoint

    if not enterprises:
        return
    point = MonitoringPoint.objects.get(enterprise=enterprises[0], code="PT-401")
    services.update_point(actor=admin, point=point, high=2.4, high_high=2.9)
    officer = User.objects.filter(username="officer").first()
    if officer is not None and is_staff(officer):
        d = assistant.request_draft(
            actor=officer, purpose="warning_digest", enterprise=enterprises[0]
        )
        assistant.confirm_draft(
            actor=officer, log_id=d.log_id, text=d.text + "\n经核实，企业已关闭进料阀并通风。"
        )
        assistant.request_draft(actor=officer, purpose="plan_points", enterprise=enterprises[1])
    v = (
        Visit.objects.filter(kind="off_site", offsite_method__isnull=True)
        .prefetch_related("team__officer__user")
        .first()
    )
    if v is not None:
        member = next((t.officer.user for t in v.team.all() if t.officer.user_id), None)
        if member is not None:
            services.record_offsite_method(
                actor=member,
                visit=v,
                method="document_review",
                material="审查安全生产责任制、隐患排查台账和重大危险源包保责任落实记录",
            )
            out.write("monitoring: an off-site inspection by document review\n")
