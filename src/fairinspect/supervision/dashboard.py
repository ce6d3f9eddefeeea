"""Reads for the supervisor's home page and dashboard: every number is one aggregate query
(set-based, indexed), and every number carries the link that opens the records behind it.

There is no figure per officer anywhere here (严禁下达检查指标): visits, fines and breaches are
counted by enterprise class, district, trigger, grade, unit and month only.
"""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse

from fairinspect.cases.models import Case as PenaltyCase
from fairinspect.cases.models import Disclosure
from fairinspect.cases.queries import open_statuses
from fairinspect.registry.models import Enterprise
from fairinspect.registry.queries import district_names
from fairinspect.rules import complaints as crule
from fairinspect.rules.breaches import RULE_LABELS
from fairinspect.rules.caps import EXEMPT_TRIGGERS, TRIGGER_LABELS, Grade
from fairinspect.rules.discretion import Grade as PenaltyGrade
from fairinspect.visits.models import RectificationOrder, Visit, VisitRating
from fairinspect.visits.queries import cap_setting

from .models import Breach, Complaint, ConductCase, ReviewFinding

EXEMPT = sorted(t.value for t in EXEMPT_TRIGGERS)
GRADES = ((1, Grade.ONE, "一级"), (2, Grade.TWO, "二级"), (3, Grade.THREE, "三级"))
BUCKETS = {"none": "未检查", "below": "未达上限", "at": "达到上限", "over": "超过上限"}


def home_counts(today: dt.date) -> dict[str, int]:
    open_states = [s.value for s in crule.OPEN_STATES]
    return {
        "complaints_open": Complaint.objects.filter(state__in=open_states).count(),
        "complaints_overdue": Complaint.objects.filter(
            state__in=open_states, next_due__lt=today
        ).count(),
        "complaints_received": Complaint.objects.filter(state="received").count(),
        "breaches_open": Breach.objects.exclude(status="closed").count(),
        "conduct_open": ConductCase.objects.filter(status="open").count(),
        "findings_open": ReviewFinding.objects.filter(status="open").count(),
    }


def _bounds(year: int):
    tz = ZoneInfo(settings.TIME_ZONE)
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def _drill(metric: str, key: str, year: int) -> str:
    return (
        reverse("supervision:dashboard_records")
        + "?"
        + urlencode({"m": metric, "k": key, "year": year})
    )


def counted_visits(year: int):
    lo, hi = _bounds(year)
    _table, policy = cap_setting(year)
    qs = Visit.objects.filter(
        kind="on_site",
        status__in=["in_progress", "done"],
        checked_in_at__gte=lo,
        checked_in_at__lt=hi,
    )
    return qs if policy.exempt_consumes_cap else qs.exclude(trigger__in=EXEMPT)


def enterprises_with_caps(year: int):
    """Each active enterprise with its counted visits this year, its cap, class and bucket
    (all computed in SQL)."""
    table, _policy = cap_setting(year)
    n = (
        counted_visits(year)
        .filter(enterprise=OuterRef("pk"))
        .order_by()
        .values("enterprise")
        .annotate(c=Count("id"))
        .values("c")
    )
    year_end = dt.date(year, 12, 31)
    graded = Q(grade_valid_to__isnull=True) | Q(grade_valid_to__gte=year_end)
    whens = [
        When(graded & Q(high_risk=hr, standardization_grade=g), then=Value(table.cap(hr, grade)))
        for hr in (True, False)
        for g, grade, _l in GRADES
    ]
    whens.append(When(high_risk=True, then=Value(table.cap(True, Grade.NONE))))
    cls = [When(graded & Q(standardization_grade=g), then=Value(g)) for g, _gr, _l in GRADES]
    qs = Enterprise.objects.exclude(status="closed")
    qs = qs.annotate(
        n=Coalesce(Subquery(n, output_field=IntegerField()), Value(0)),
        cap=Case(*whens, default=Value(table.cap(False, Grade.NONE)), output_field=IntegerField()),
        grade_class=Case(*cls, default=Value(0), output_field=IntegerField()),
    )
    return qs.annotate(
        bucket=Case(
            When(n=0, then=Value("none")),
            When(n__lt=F("cap"), then=Value("below")),
            When(n=F("cap"), then=Value("at")),
            default=Value("over"),
        )
    )


def _caps_rows(year: int) -> list[dict]:
    """(high_risk, grade class, bucket, enterprises) in one pass: the year's counted visits
    grouped by enterprise (a hash aggregate), joined to the enterprises once."""
    from django.db import connection

    table, policy = cap_setting(year)
    lo, hi = _bounds(year)
    year_end = dt.date(year, 12, 31)
    graded = "(e.grade_valid_to IS NULL OR e.grade_valid_to >= %s)"
    cap = " ".join(
        f"WHEN e.high_risk = {'TRUE' if hr else 'FALSE'} AND e.standardization_grade = {g} "
        f"AND {graded} THEN {table.cap(hr, grade)}"
        for hr in (True, False)
        for g, grade, _l in GRADES
    )
    cap = (
        f"CASE {cap} WHEN e.high_risk = TRUE THEN {table.cap(True, Grade.NONE)} "
        f"ELSE {table.cap(False, Grade.NONE)} END"
    )
    cls = " ".join(
        f"WHEN e.standardization_grade = {g} AND {graded} THEN {g}" for g, _gr, _l in GRADES
    )
    exempt = (
        ""
        if policy.exempt_consumes_cap
        else f"AND trigger NOT IN ({','.join(['%s'] * len(EXEMPT))})"
    )
    sql = f"""
        SELECT high_risk, grade_class,
               CASE WHEN n = 0 THEN 'none' WHEN n < cap THEN 'below' WHEN n = cap THEN 'at'
                    ELSE 'over' END AS bucket, COUNT(*)
        FROM (SELECT e.high_risk, CASE {cls} ELSE 0 END AS grade_class, {cap} AS cap,
                     COALESCE(v.c, 0) AS n
              FROM registry_enterprise e
              LEFT JOIN (SELECT enterprise_id, COUNT(*) AS c FROM visits_visit
                         WHERE kind = 'on_site' AND status IN ('in_progress', 'done')
                           AND checked_in_at >= %s AND checked_in_at < %s {exempt}
                         GROUP BY enterprise_id) v ON v.enterprise_id = e.id
              WHERE e.status <> 'closed') x
        GROUP BY 1, 2, 3
    """
    params = [year_end] * 3 + [year_end] * 6 + [lo, hi]
    params += [] if policy.exempt_consumes_cap else EXEMPT
    with connection.cursor() as c:
        c.execute(sql, params)
        return [
            {"high_risk": bool(r[0]), "grade_class": r[1], "bucket": r[2], "c": r[3]}
            for r in c.fetchall()
        ]


def caps_by_class(year: int) -> list[dict]:
    rows = _caps_rows(year)
    out: dict[tuple, dict] = {}
    for r in rows:
        g = r["grade_class"]
        key = (r["high_risk"], g)
        label = f"{'高危' if r['high_risk'] else '非高危'}·{dict((x[0], x[2]) for x in GRADES).get(g, '未定级')}"
        row = out.setdefault(
            key,
            {
                "label": label,
                "key": f"{int(r['high_risk'])}-{g}",
                **{b: 0 for b in BUCKETS},
                "links": {},
            },
        )
        row[r["bucket"]] = r["c"]
    for row in out.values():
        row["links"] = {b: _drill("caps", f"{row['key']}-{b}", year) for b in BUCKETS}
    return [out[k] for k in sorted(out, key=lambda k: (not k[0], k[1] or 9))]


def visits_by_district(year: int) -> list[dict]:
    names = district_names()
    rows = (
        counted_visits(year)
        .values("enterprise__district_code")
        .annotate(visits=Count("id"), enterprises=Count("enterprise", distinct=True))
        .order_by("enterprise__district_code")
    )
    return [
        {
            "label": names.get(r["enterprise__district_code"], r["enterprise__district_code"]),
            "visits": r["visits"],
            "enterprises": r["enterprises"],
            "per": round(r["visits"] / r["enterprises"], 2) if r["enterprises"] else 0,
            "link": _drill("district", r["enterprise__district_code"], year),
        }
        for r in rows
    ]


def multi_unit(year: int) -> dict:
    lo, hi = _bounds(year)
    many = (
        Visit.objects.filter(kind="on_site", checked_in_at__gte=lo, checked_in_at__lt=hi)
        .values("enterprise")
        .annotate(u=Count("department", distinct=True))
        .filter(u__gt=1)
    )
    repeats = Breach.objects.filter(year=year)
    return {
        "enterprises_multi_unit": many.count(),
        "multi_unit_link": _drill("multi_unit", "1", year),
        "same_item": repeats.filter(rule="same_item_multi_unit").count(),
        "same_item_link": reverse("supervision:breach_list") + "?rule=same_item_multi_unit",
        "district_after_city": repeats.filter(rule="district_after_city").count(),
        "district_link": reverse("supervision:breach_list") + "?rule=district_after_city",
    }


def by_trigger(year: int) -> list[dict]:
    lo, hi = _bounds(year)
    rows = (
        Visit.objects.filter(kind="on_site", checked_in_at__gte=lo, checked_in_at__lt=hi)
        .values("trigger")
        .annotate(c=Count("id"))
        .order_by("trigger")
    )
    total = sum(r["c"] for r in rows) or 1
    labels = {t.value: label for t, label in TRIGGER_LABELS.items()}
    return [
        {
            "key": r["trigger"],
            "label": labels.get(r["trigger"], r["trigger"]),
            "c": r["c"],
            "share": round(100 * r["c"] / total, 1),
            "exempt": r["trigger"] in EXEMPT,
            "link": _drill("trigger", r["trigger"], year),
        }
        for r in rows
    ]


def penalties(year: int) -> list[dict]:
    rows = (
        PenaltyCase.objects.filter(decided_on__year=year)
        .values("grade")
        .annotate(
            c=Count("id"),
            amount=Coalesce(
                Sum("fine_amount"),
                Value(0, output_field=PenaltyCase._meta.get_field("fine_amount")),
            ),
        )
        .order_by("grade")
    )
    out = []
    for r in rows:
        try:
            label = PenaltyGrade(r["grade"]).label
        except ValueError:
            label = r["grade"] or "未定"
        out.append(
            {
                "key": r["grade"],
                "label": label,
                "c": r["c"],
                "amount": r["amount"],
                "link": _drill("grade", r["grade"] or "-", year),
            }
        )
    return out


def overdue(today: dt.date) -> list[dict]:
    open_c = [s.value for s in crule.OPEN_STATES]
    return [
        {
            "label": "整改指令逾期未复查",
            "c": RectificationOrder.objects.filter(status="issued", deadline__lt=today).count(),
            "link": reverse("supervision:breach_list") + "?rule=overdue_order&status=open",
        },
        {
            "label": "案件超期",
            "c": PenaltyCase.objects.filter(next_due__lt=today, status__in=open_statuses()).count(),
            "link": reverse("cases:overdue"),
        },
        {
            "label": "投诉举报超期",
            "c": Complaint.objects.filter(next_due__lt=today, state__in=open_c).count(),
            "link": reverse("supervision:complaint_list") + "?overdue=1",
        },
        {
            "label": "处罚决定逾期未公开",
            "c": Disclosure.objects.filter(published_on__isnull=True, due_on__lt=today).count(),
            "link": reverse("supervision:breach_list") + "?rule=overdue_disclosure&status=open",
        },
    ]


def complaints_by_state(today: dt.date) -> list[dict]:
    rows = dict(Complaint.objects.values_list("state").annotate(c=Count("id")).order_by())
    late = dict(
        Complaint.objects.filter(next_due__lt=today)
        .values_list("state")
        .annotate(c=Count("id"))
        .order_by()
    )
    url = reverse("supervision:complaint_list")
    return [
        {
            "key": s.value,
            "label": s.label,
            "c": rows.get(s.value, 0),
            "overdue": late.get(s.value, 0) if s in crule.OPEN_STATES else 0,
            "link": f"{url}?state={s.value}",
        }
        for s in crule.State
    ]


def breaches_by_month(year: int) -> dict:
    rows = (
        Breach.objects.filter(found_on__year=year)
        .annotate(m=TruncMonth("found_on"))
        .values("m", "rule")
        .annotate(c=Count("id"))
        .order_by("m")
    )
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    series: dict[str, list[int]] = {}
    for r in rows:
        m = r["m"].strftime("%Y-%m") if r["m"] else ""
        if m in months:
            series.setdefault(r["rule"], [0] * 12)[months.index(m)] += r["c"]
    return {
        "months": months,
        "series": [
            {
                "rule": k,
                "label": RULE_LABELS.get(k, k),  # type: ignore[call-overload]  # Rule is a StrEnum
                "data": v,
                "link": reverse("supervision:breach_list") + f"?rule={k}",
            }
            for k, v in sorted(series.items())
        ],
    }


def ratings(year: int) -> dict:
    qs = VisitRating.objects.filter(created_at__year=year)
    by_score = dict(qs.values_list("score").annotate(c=Count("id")).order_by())
    url = reverse("visits:ratings")
    return {
        "avg": qs.aggregate(a=Avg("score"))["a"],
        "n": qs.count(),
        "scores": [
            {"score": s, "c": by_score.get(s, 0), "link": f"{url}?score={s}"} for s in range(1, 6)
        ],
    }


def guidance(year: int) -> dict:
    """谁执法谁普法 as activity (R2.4): the year's visits with guidance recorded, the entries
    explained and the enterprises reached, per year with its records' page; never per officer."""
    from fairinspect.visits import guidance as visit_guidance

    rows = visit_guidance.activity_by_year(Enterprise.objects.all())
    this = next(
        (r for r in rows if r["year"] == year), {"visits": 0, "entries": 0, "enterprises": 0}
    )
    return {**this, "link": f"{reverse('visits:guidance_activity')}?year={year}"}


def build(year: int, today: dt.date) -> dict:
    return {
        "caps": caps_by_class(year),
        "districts": visits_by_district(year),
        "multi": multi_unit(year),
        "triggers": by_trigger(year),
        "penalties": penalties(year),
        "overdue": overdue(today),
        "complaints": complaints_by_state(today),
        "breaches": breaches_by_month(year),
        "ratings": ratings(year),
        "guidance": guidance(year),
    }


def charts_json(d: dict) -> dict:
    """What the chart script reads (json_script): labels, values and the drill-down links."""
    return {
        "caps": {
            "labels": [r["label"] for r in d["caps"]],
            "series": [
                {
                    "name": BUCKETS[b],
                    "data": [r[b] for r in d["caps"]],
                    "links": [r["links"][b] for r in d["caps"]],
                }
                for b in BUCKETS
            ],
        },
        "triggers": [
            {"name": r["label"], "value": r["c"], "link": r["link"]} for r in d["triggers"]
        ],
        "penalties": {
            "labels": [r["label"] for r in d["penalties"]],
            "counts": [r["c"] for r in d["penalties"]],
            "amounts": [float(r["amount"] or 0) for r in d["penalties"]],
            "links": [r["link"] for r in d["penalties"]],
        },
        "complaints": {
            "labels": [r["label"] for r in d["complaints"]],
            "counts": [r["c"] for r in d["complaints"]],
            "overdue": [r["overdue"] for r in d["complaints"]],
            "links": [r["link"] for r in d["complaints"]],
        },
        "breaches": d["breaches"],
        "ratings": {
            "labels": [f"{r['score']}分" for r in d["ratings"]["scores"]],
            "counts": [r["c"] for r in d["ratings"]["scores"]],
            "links": [r["link"] for r in d["ratings"]["scores"]],
        },
    }


def drill(metric: str, key: str, year: int):
    """The records behind one number: (title, kind, queryset)."""
    lo, hi = _bounds(year)
    if metric == "caps":
        hr, g, bucket = key.split("-")
        qs = (
            enterprises_with_caps(year)
            .filter(high_risk=hr == "1", grade_class=int(g), bucket=bucket)
            .order_by("name")
        )
        return f"{BUCKETS.get(bucket, bucket)}的企业", "enterprise", qs
    if metric == "district":
        ids = counted_visits(year).filter(enterprise__district_code=key)
        return "计入频次的现场检查", "visit", ids.select_related("enterprise", "department")
    if metric == "multi_unit":
        ids = (
            Visit.objects.filter(kind="on_site", checked_in_at__gte=lo, checked_in_at__lt=hi)
            .values("enterprise")
            .annotate(u=Count("department", distinct=True))
            .filter(u__gt=1)
            .values("enterprise")
        )
        return (
            "多个单位检查的企业",
            "enterprise",
            Enterprise.objects.filter(pk__in=ids).order_by("name"),
        )
    if metric == "trigger":
        qs = Visit.objects.filter(
            kind="on_site", checked_in_at__gte=lo, checked_in_at__lt=hi, trigger=key
        ).select_related("enterprise", "department")
        return (
            f"检查来源：{dict((t.value, lbl) for t, lbl in TRIGGER_LABELS.items()).get(key, key)}",
            "visit",
            qs,
        )
    if metric == "grade":
        qs = PenaltyCase.objects.filter(decided_on__year=year, grade="" if key == "-" else key)
        return "作出决定的案件", "case", qs.select_related("enterprise")
    return None


def export_xlsx(d: dict, year: int) -> bytes:
    from openpyxl import Workbook

    from fairinspect.registry.tabular import safe_cell as _cell

    wb = Workbook(write_only=True)

    def sheet(title, header, rows):
        ws = wb.create_sheet(title)
        ws.append(header)
        for r in rows:
            ws.append([_cell(v) for v in r])

    sheet(
        "频次与上限",
        ["企业类别", *BUCKETS.values()],
        [[r["label"], *[r[b] for b in BUCKETS]] for r in d["caps"]],
    )
    sheet(
        "分区检查",
        ["区县", "检查次数", "企业数", "企业平均"],
        [[r["label"], r["visits"], r["enterprises"], r["per"]] for r in d["districts"]],
    )
    sheet(
        "检查来源",
        ["来源", "次数", "占比%", "不受限"],
        [[r["label"], r["c"], r["share"], "是" if r["exempt"] else "否"] for r in d["triggers"]],
    )
    sheet(
        "处罚",
        ["裁量阶次", "案件数", "罚款合计"],
        [[r["label"], r["c"], float(r["amount"] or 0)] for r in d["penalties"]],
    )
    sheet("超期", ["事项", "数量"], [[r["label"], r["c"]] for r in d["overdue"]])
    sheet(
        "投诉举报",
        ["状态", "数量", "超期"],
        [[r["label"], r["c"], r["overdue"]] for r in d["complaints"]],
    )
    sheet(
        "违规线索",
        ["规则", *d["breaches"]["months"]],
        [[s["label"], *s["data"]] for s in d["breaches"]["series"]],
    )
    sheet("企业评价", ["评分", "数量"], [[r["score"], r["c"]] for r in d["ratings"]["scores"]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
