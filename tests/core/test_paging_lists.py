"""Issue 13 item 4 (R13.1): every list page pages by the one keyset pager (core/paging.py,
core/_keyset_pager.html). For each list that moved off the old page-number pager: seed more
than a page of rows (with ties on the sort key, so the id tiebreak matters), walk two pages by
the "下一页" cursor with the filters kept in the link, come back by "上一页", and see an edited
cursor refused (a 422 page naming `cursor`, as the other keyset pages answer)."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.utils import timezone

from fairinspect.core.roles import Role

pytestmark = pytest.mark.django_db

NOW = timezone.now()
TODAY = timezone.localdate()


def _link(body: str, rel: str) -> QueryDict | None:
    m = re.search(rf'rel="{rel}" href="\?([^"]*)"', body)
    return QueryDict(html.unescape(m.group(1))) if m else None


def _rows(response, key) -> list:
    assert response.status_code == 200, response.content[:500]
    return [key(r) for r in response.context["page"]]


def walk_two_pages(client, url, params, want, per_page, key=lambda r: r.pk):
    """Page 1, then page 2 by its next link; the rows are `want`'s first ones in order."""
    assert len(want) > per_page, "seed more than one page"
    first = client.get(url, params)
    rows1 = _rows(first, key)
    body = first.content.decode()
    assert "共 " in body and "第 1 / " not in body
    nxt = _link(body, "next")
    assert nxt is not None and _link(body, "prev") is None
    assert "page" not in nxt
    for k, v in params.items():  # the filters stay in the link
        assert nxt.get(k) == str(v), (k, nxt)
    second = client.get(url, nxt)
    rows2 = _rows(second, key)
    assert len(rows1) == per_page and rows2
    assert rows1 + rows2 == want[: len(rows1) + len(rows2)]
    prev = _link(second.content.decode(), "prev")
    assert prev is not None
    assert _rows(client.get(url, prev), key) == rows1
    # An edited cursor: its signature no longer matches.
    token = nxt["cursor"]
    bad = token[:-2] + ("zz" if not token.endswith("zz") else "yy")
    refused = client.get(url, {**params, "cursor": bad})
    assert refused.status_code == 422
    assert refused.context["error"].field == "cursor"
    assert "翻页位置无效" in refused.content.decode()
    # A cursor of another list is refused the same way.
    other = client.get(url, {**params, "cursor": _FOREIGN})
    assert other.status_code == 422 and other.context["error"].field == "cursor"
    return rows1, rows2


_FOREIGN = "eyJvIjoiLWlkIiwiayI6WzFdfQ:1tHnQx:not-this-lists-signature"


def _ids(qs, *order):
    return list(qs.order_by(*order).values_list("pk", flat=True))


# ---- registry ----------------------------------------------------------------------------


def test_r13_1_the_officer_list_pages_by_cursor(client, make_user):
    from fairinspect.registry.models import Department, Officer

    admin = make_user("pg_admin", Role.ADMIN)
    depts = list(Department.objects.filter(code__in=["650100-WH", "650100-ZH"]))
    Officer.objects.bulk_create(
        Officer(name=f"翻页员{n % 7}", department=depts[n % 2], status="on_duty") for n in range(53)
    )
    Officer.objects.create(name="翻页员离岗", department=depts[0], status="left")
    want = _ids(Officer.objects.filter(status="on_duty"), "department__code", "name", "id")
    client.force_login(admin)
    walk_two_pages(client, "/registry/officers/", {"status": "on_duty"}, want, 50)


# ---- planning ----------------------------------------------------------------------------


def test_r13_1_the_conflict_list_pages_by_cursor(client, make_user, make_officer, make_enterprise):
    from fairinspect.planning.models import OfficerConflict

    admin = make_user("pg_admin", Role.ADMIN)
    officer = make_officer()
    for _ in range(33):
        OfficerConflict.objects.create(
            officer=officer, enterprise=make_enterprise(), kind="relative"
        )
    OfficerConflict.objects.create(
        officer=officer, enterprise=make_enterprise(), kind="former_employer"
    )
    OfficerConflict.objects.update(created_at=NOW)  # all tied: the id decides
    want = _ids(OfficerConflict.objects.filter(kind="relative"), "-created_at", "-id")
    client.force_login(admin)
    walk_two_pages(client, "/planning/conflicts/", {"kind": "relative"}, want, 30)


def test_r13_1_the_sampling_task_list_pages_by_cursor(client, make_user):
    from fairinspect.planning.models import SamplingTask
    from fairinspect.registry.models import Department

    admin = make_user("pg_admin", Role.ADMIN)
    dept = Department.objects.get(code="650100-WH")
    SamplingTask.objects.bulk_create(
        SamplingTask(
            title=f"翻页任务{n}",
            department=dept,
            year=2026,
            window_start=dt.date(2026, 3, 1),
            window_end=dt.date(2026, 3, 31),
            count=1,
        )
        for n in range(52)
    )
    SamplingTask.objects.update(created_at=NOW)
    want = _ids(SamplingTask.objects.all(), "-created_at", "-id")
    client.force_login(admin)
    walk_two_pages(client, "/planning/tasks/", {}, want, 50)


# ---- cases -------------------------------------------------------------------------------


def _cases(n, enterprise, user, **values):
    from fairinspect.cases.models import Case

    Case.objects.bulk_create(
        Case(
            enterprise=enterprise,
            party="unit",
            cause=f"翻页案件{i}",
            created_by=user,
            created_on=dt.date(2026, 1, 5),
            **{k: (v(i) if callable(v) else v) for k, v in values.items()},
        )
        for i in range(n)
    )
    return Case.objects.filter(cause__startswith="翻页案件")


def test_r13_1_the_overdue_case_list_pages_by_cursor(client, make_user, make_enterprise):
    from fairinspect.cases import access

    user = make_user("pg_admin", Role.ADMIN, Role.OFFICER, Role.SUPERVISOR)
    ent = make_enterprise()
    _cases(
        53,
        ent,
        user,
        next_due=lambda i: TODAY - dt.timedelta(days=1 + i % 3),
        next_due_kind="decision",
    )
    visible = access.cases_visible_to(user).filter(next_due__lt=TODAY)
    want = _ids(visible, "next_due", "id")
    assert len(want) == 53
    client.force_login(user)
    walk_two_pages(client, "/cases/overdue/", {}, want, 50)


def test_r13_1_the_public_disclosure_list_pages_by_cursor(client, make_user, make_enterprise):
    from fairinspect.cases.models import Disclosure

    user = make_user("pg_admin", Role.ADMIN)
    cases = list(_cases(52, make_enterprise(), user))
    Disclosure.objects.bulk_create(
        Disclosure(
            case=c,
            decision_number=f"乌应急罚〔2026〕{i}号",
            decided_on=dt.date(2026, 2, 1 + i % 4),
            due_on=dt.date(2029, 2, 1),
            published_on=dt.date(2026, 2, 10),
        )
        for i, c in enumerate(cases)
    )
    want = _ids(Disclosure.objects.filter(published_on__isnull=False), "-decided_on", "-id")
    walk_two_pages(client, "/cases/disclosures/", {}, want, 50)


# ---- monitoring --------------------------------------------------------------------------


def _visits(n, enterprise, **values):
    from fairinspect.registry.models import Department
    from fairinspect.visits.models import Visit

    dept = Department.objects.get(code="650100-WH")
    base = dict(
        kind="on_site",
        trigger="annual_plan",
        status="draft",
        department=dept,
        inspecting_level=enterprise.supervising_level,
    )
    base.update(values)
    return Visit.objects.bulk_create(
        Visit(
            enterprise=enterprise,
            planned_date=dt.date(2026, 3, 1 + i % 3),
            **{k: (v(i) if callable(v) else v) for k, v in base.items()},
        )
        for i in range(n)
    )


def test_r13_1_the_offsite_inspection_list_pages_by_cursor(client, make_user, make_enterprise):
    from fairinspect.visits.models import Visit

    user = make_user("pg_admin", Role.ADMIN, Role.SUPERVISOR, department="650100-ZH")
    _visits(52, make_enterprise(), kind="off_site")
    want = _ids(Visit.objects.filter(kind="off_site"), "-planned_date", "-id")
    client.force_login(user)
    walk_two_pages(client, "/monitoring/offsite/", {"method": "none"}, want, 50)


def test_r13_1_the_assistant_log_pages_by_cursor(client, make_user):
    from fairinspect.monitoring.models import AssistantLog

    user = make_user("pg_sup", Role.SUPERVISOR, department="650100-ZH")
    AssistantLog.objects.bulk_create(
        AssistantLog(purpose="visit_summary", requested_by=user, prompt=f"草稿{n}")
        for n in range(23)
    )
    AssistantLog.objects.update(created_at=NOW)
    want = _ids(AssistantLog.objects.filter(confirmed_at__isnull=True), "-created_at", "-id")
    client.force_login(user)
    walk_two_pages(client, "/monitoring/assistant/log/", {"state": "unconfirmed"}, want, 20)


def test_r13_1_the_warning_queue_pages_by_cursor(client, make_user, make_enterprise):
    from fairinspect.monitoring.models import EarlyWarning, MonitoringPoint

    user = make_user("pg_admin", Role.ADMIN, Role.SUPERVISOR, department="650100-ZH")
    ent = make_enterprise()
    points = MonitoringPoint.objects.bulk_create(
        MonitoringPoint(
            enterprise=ent,
            code=f"P{n:03d}",
            name=f"点位{n}",
            kind="gas",
            unit="%LEL",
            range_low=0,
            range_high=100,
            created_at=NOW,
        )
        for n in range(52)
    )
    EarlyWarning.objects.bulk_create(
        EarlyWarning(
            number=f"YJ2026{n:05d}",
            enterprise=ent,
            point=p,
            rule_kind="high",
            grade="yellow",
            base_grade="yellow",
            value=50,
            started_at=NOW,
            last_seen_at=NOW,
            acknowledge_by=NOW + dt.timedelta(hours=1),
            report_by=NOW + dt.timedelta(hours=1 + n % 3),
            review_by=NOW + dt.timedelta(days=3),
        )
        for n, p in enumerate(points)
    )
    want = _ids(EarlyWarning.objects.filter(stage="open"), "report_by", "id")
    client.force_login(user)
    walk_two_pages(client, "/monitoring/warnings/", {"stage": "open"}, want, 50)


def test_r13_1_the_risk_ranking_pages_by_cursor(client, make_user, make_enterprise):
    from fairinspect.monitoring import ranking

    user = make_user("pg_admin", Role.ADMIN, Role.SUPERVISOR, department="650100-ZH")
    for n in range(52):  # mostly tied scores: ties go by id
        make_enterprise(credit_level="D" if n % 5 == 0 else "B")
    want = [r.enterprise_id for r in ranking.ranking_for(user)]
    client.force_login(user)
    walk_two_pages(client, "/monitoring/ranking/", {}, want, 50, key=lambda r: r.enterprise_id)
    # The place numbers go on from the first page.
    body = client.get("/monitoring/ranking/", {"cursor": ""}).content.decode()
    assert '<td data-label="#">1</td>' in body and '<td data-label="#">50</td>' in body
    nxt = _link(body, "next")
    assert nxt is not None
    page2 = client.get("/monitoring/ranking/", nxt).content.decode()
    assert '<td data-label="#">51</td>' in page2 and '<td data-label="#">1</td>' not in page2


# ---- supervision -------------------------------------------------------------------------


def test_r13_1_the_breach_list_pages_by_cursor(client, make_user):
    from fairinspect.supervision.models import Breach

    user = make_user("pg_sup", Role.SUPERVISOR, department="650100-ZH")
    Breach.objects.bulk_create(
        Breach(
            rule="no_recording",
            key=f"visit:{n}",
            year=2026,
            message=f"线索{n}",
            found_on=dt.date(2026, 4, 1 + n % 3),
            last_seen_on=dt.date(2026, 4, 5),
        )
        for n in range(52)
    )
    want = _ids(Breach.objects.exclude(status="closed"), "-found_on", "-id")
    client.force_login(user)
    params = {"rule": "no_recording", "status": "open"}
    walk_two_pages(client, "/supervision/breaches/", params, want, 50)


def test_r13_1_the_training_shortfall_list_pages_by_cursor(client, make_user):
    from fairinspect.registry.models import Department, Officer
    from fairinspect.supervision.models import TrainingRecord

    user = make_user("pg_sup", Role.SUPERVISOR, department="650100-ZH")
    dept = Department.objects.get(code="650100-WH")
    officers = Officer.objects.bulk_create(
        Officer(name=f"培训员{n % 4}", department=dept, status="on_duty") for n in range(53)
    )
    # One officer has enough hours and is not listed.
    TrainingRecord.objects.create(
        officer=officers[0], course="全年", on=dt.date(2026, 5, 1), hours=Decimal("99")
    )
    want = _ids(
        Officer.objects.filter(status="on_duty").exclude(pk=officers[0].pk),
        "department__code",
        "name",
        "id",
    )
    client.force_login(user)
    walk_two_pages(client, "/supervision/training/", {"year": "2026"}, want, 50)


def test_r13_1_the_complaint_list_pages_by_cursor(client, make_user):
    from fairinspect.supervision.models import Complaint

    user = make_user("pg_sup", Role.SUPERVISOR, department="650100-ZH")
    Complaint.objects.bulk_create(
        Complaint(
            number=f"TS2026{n:05d}",
            channel="public_form",
            subject="enterprise",
            category="hazard",
            content=f"投诉{n}",
            received_on=TODAY,
            received_at=NOW - dt.timedelta(minutes=n % 3),
        )
        for n in range(52)
    )
    want = _ids(Complaint.objects.filter(state="received"), "-received_at", "-id")
    client.force_login(user)
    walk_two_pages(client, "/supervision/complaints/", {"state": "received"}, want, 50)


def test_r13_1_the_conduct_case_list_pages_by_cursor(client, make_user):
    from fairinspect.supervision.models import ConductCase

    user = make_user("pg_sup", Role.SUPERVISOR, department="650100-ZH")
    ConductCase.objects.bulk_create(
        ConductCase(summary=f"行为{n}", opened_on=dt.date(2026, 6, 1 + n % 2)) for n in range(51)
    )
    want = _ids(ConductCase.objects.all(), "-opened_on", "-id")
    client.force_login(user)
    walk_two_pages(client, "/supervision/conduct/", {}, want, 50)


def test_r13_1_the_dashboard_drill_down_pages_by_cursor(client, make_user, make_enterprise):
    from fairinspect.visits.models import Visit

    user = make_user("pg_sup", Role.SUPERVISOR, department="650100-ZH")
    at = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))
    _visits(52, make_enterprise(), status="done", checked_in_at=at)
    want = _ids(Visit.objects.filter(trigger="annual_plan"), "-planned_date", "-id")
    client.force_login(user)
    params = {"m": "trigger", "k": "annual_plan", "year": "2026"}
    walk_two_pages(client, "/supervision/dashboard/records/", params, want, 50)


# ---- audit, portal, visits ---------------------------------------------------------------


def test_r13_1_the_public_checkpoint_list_pages_by_cursor(client):
    from fairinspect.audit.models import Checkpoint

    Checkpoint.objects.bulk_create(
        Checkpoint(seq=n, at=NOW, chains_total=1, events_total=n, mac=f"{n:064x}", key_id="k1")
        for n in range(1, 53)
    )
    want = _ids(Checkpoint.objects.all(), "-seq")
    walk_two_pages(client, "/audit/checkpoints/", {}, want, 50)


def test_r13_1_the_public_article_list_pages_by_cursor(client, make_user):
    from fairinspect.portal.models import Article

    user = make_user("pg_editor", Role.ADMIN)
    Article.objects.bulk_create(
        Article(
            kind="news",
            title=f"翻页新闻{n}",
            status="published",
            published_at=NOW - dt.timedelta(days=1 + n % 2),
            created_by=user,
        )
        for n in range(22)
    )
    want = _ids(Article.objects.filter(kind="news"), "-published_at", "-id")
    walk_two_pages(client, "/public/news/", {}, want, 20)


def test_r13_1_the_visit_rating_list_pages_by_cursor(client, make_user, make_enterprise):
    from fairinspect.visits.models import VisitRating

    user = make_user("pg_sup", Role.SUPERVISOR, department="650100-ZH")
    visits = _visits(33, make_enterprise())
    VisitRating.objects.bulk_create(
        VisitRating(visit=v, score=3 + n % 2, comment=f"评价{n}") for n, v in enumerate(visits)
    )
    VisitRating.objects.update(created_at=NOW)
    want = _ids(VisitRating.objects.filter(score=3), "-created_at", "-id")
    assert len(want) == 17
    # 17 rows of score 3 fit one page of 30: page the whole list instead, and the filtered one
    # shows its total without links.
    want = _ids(VisitRating.objects.all(), "-created_at", "-id")
    client.force_login(user)
    walk_two_pages(client, "/visits/ratings/", {"unit": "650100-WH"}, want, 30)
    one = client.get("/visits/ratings/", {"score": "3"}).content.decode()
    assert "共 17 条" in one and 'rel="next"' not in one
