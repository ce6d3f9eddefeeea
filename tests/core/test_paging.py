"""Issue 13 item 4 (R3.6, R8.5): the big lists page by a signed keyset cursor and estimate
their totals above a threshold — the enterprise list and search (page and API), the visit
list, the case list and the audit trail. Every row is seen once walking forward or back,
with ties on the sort key; a forged cursor or a deep offset is a 422 naming the parameter."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairinspect.core import paging
from fairinspect.core.errors import ValidationFailed
from fairinspect.core.roles import Role
from fairinspect.registry import queries
from fairinspect.registry.models import Enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def tied(make_enterprise):
    """23 enterprises: four names each shared by several, grades 1–3 and none (NULL)."""
    out = []
    for n in range(23):
        grade = (None, 1, 2, 3)[n % 4]
        out.append(make_enterprise(name=f"并列企业{n % 4}号", standardization_grade=grade))
    return out


def _walk(ks: paging.Keyset, limit: int) -> tuple[list[int], list[list[int]]]:
    pages, cursor = [], None
    while True:
        page = ks.page(limit, cursor)
        pages.append([e.pk for e in page.rows])
        if not page.next_cursor:
            return [i for p in pages for i in p], pages
        cursor = page.next_cursor
        assert len(pages) < 100


ORDERS = [tuple(v) for v in queries.SORTS.values()]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(limit=st.integers(1, 9), order=st.sampled_from(ORDERS))
def test_r13_1_a_keyset_walk_sees_every_row_once_in_order_with_ties_and_nulls(tied, limit, order):
    ks = paging.Keyset(Enterprise.objects.all(), order, scope="test")
    expected = [e.pk for e in ks.ordered()]
    assert len(expected) == 23
    seen, pages = _walk(ks, limit)
    assert seen == expected  # nothing lost, nothing repeated, the order kept
    # Back from the last page, one page at a time, gives the same pages.
    page = ks.page(limit, ks.cursor(Enterprise.objects.get(pk=pages[-1][-1])))
    assert page.rows == [] and page.next_cursor is None
    back = ks.page(
        limit,
        paging.Keyset(Enterprise.objects.all(), order, scope="test").cursor(
            Enterprise.objects.get(pk=pages[-1][0]), backward=True
        ),
    )
    if len(pages) > 1:
        assert [e.pk for e in back.rows] == pages[-2]
        assert back.next_cursor is not None


def test_r13_1_going_back_past_the_start_gives_the_first_page(tied):
    ks = paging.Keyset(Enterprise.objects.all(), ("name", "id"), scope="test")
    first = ks.page(10)
    second = ks.page(10, first.next_cursor)
    assert ks.page(10, second.prev_cursor).rows == first.rows
    assert ks.page(10, second.prev_cursor).prev_cursor is None
    assert first.prev_cursor is None


def test_r13_1_the_search_walks_exact_names_first_then_the_rest_by_cursor(
    make_enterprise, client, admin_user, api_token
):
    for _ in range(4):
        make_enterprise(name="翻页测试")  # four with the exact name
    for n in range(9):
        make_enterprise(name=f"A翻页测试{n % 3}")  # ties in name
    h = api_token(admin_user)
    expected = [
        e.pk
        for e in queries.search_results(
            Enterprise.objects.all(), queries.EnterpriseFilter(q="翻页测试")
        )
    ]
    assert len(expected) == 13
    for limit in (1, 3, 4, 5, 50):
        seen, pages, cursor = [], [], ""
        while True:
            r = client.get(
                "/api/v1/enterprises", {"q": "翻页测试", "limit": limit, "cursor": cursor}, **h
            )
            assert r.status_code == 200, r.content
            body = r.json()
            ids = [Enterprise.objects.get(credit_code=i["credit_code"]).pk for i in body["items"]]
            pages.append((ids, body["prev_cursor"]))
            seen += ids
            if not body["next_cursor"]:
                break
            cursor = body["next_cursor"]
        assert seen == expected, limit
        # 上一页 from every page gives the page before.
        for i in range(1, len(pages)):
            r = client.get(
                "/api/v1/enterprises", {"q": "翻页测试", "limit": limit, "cursor": pages[i][1]}, **h
            )
            got = [
                Enterprise.objects.get(credit_code=x["credit_code"]).pk for x in r.json()["items"]
            ]
            assert got == pages[i - 1][0], (limit, i)
        assert body["total"] == 13 and body["total_estimated"] is False


@pytest.mark.parametrize(
    "path",
    ["/api/v1/enterprises", "/api/v1/visits", "/api/v1/cases", "/api/v1/audit/events"],
)
@pytest.mark.parametrize("cursor", ["garbage", "eyJvIjoiaWQifQ:1abc:forged", "x" * 1500])
def test_r13_1_a_forged_or_garbage_cursor_is_a_422_naming_the_cursor(
    client, make_user, api_token, tied, path, cursor
):
    user = make_user("allroles", Role.ADMIN, Role.SUPERVISOR, Role.OFFICER, department="650100-ZH")
    r = client.get(path, {"cursor": cursor}, **api_token(user))
    assert r.status_code == 422, (path, r.status_code, r.content)
    assert r.json()["field"] == "cursor"


def test_r13_1_a_cursor_of_another_list_or_order_is_refused(tied, client, admin_user, api_token):
    ks = paging.Keyset(Enterprise.objects.all(), ("name", "id"), scope="test")
    other = ks.cursor(tied[0])
    with pytest.raises(ValidationFailed) as exc:
        paging.Keyset(Enterprise.objects.all(), ("-updated_at", "-id"), scope="test").page(5, other)
    assert exc.value.field == "cursor"
    res = queries.search_results(Enterprise.objects.all(), queries.EnterpriseFilter())
    mine = res.keyset().cursor(tied[0])
    # Tampering one character of a valid cursor breaks its signature.
    bad = mine[:-1] + ("A" if mine[-1] != "A" else "B")
    r = client.get("/api/v1/enterprises", {"cursor": bad}, **api_token(admin_user))
    assert r.status_code == 422 and r.json()["field"] == "cursor"
    r = client.get("/api/v1/enterprises", {"cursor": other}, **api_token(admin_user))
    assert r.status_code == 422 and r.json()["field"] == "cursor"


def test_r13_1_a_deep_offset_is_a_422_naming_it_and_the_page_says_why(
    client, admin_user, api_token
):
    r = client.get(
        "/api/v1/enterprises", {"offset": paging.MAX_OFFSET + 1}, **api_token(admin_user)
    )
    assert r.status_code == 422 and r.json()["field"] == "offset"
    ok = client.get("/api/v1/enterprises", {"offset": paging.MAX_OFFSET}, **api_token(admin_user))
    assert ok.status_code == 200
    client.force_login(admin_user)
    page = client.get("/registry/enterprises/", {"page": 10_000})
    assert page.status_code == 422
    assert "最多只能跳过" in page.content.decode()
    page = client.get("/registry/enterprises/", {"cursor": "garbage"})
    assert page.status_code == 422 and "翻页位置无效" in page.content.decode()


def test_r13_1_the_old_page_parameter_still_works(client, admin_user, tied):
    client.force_login(admin_user)
    names = [
        e.name for e in queries.search_results(Enterprise.objects.all(), queries.EnterpriseFilter())
    ]
    body = client.get("/registry/enterprises/", {"page": 1}).content.decode()
    assert "共 23 家" in body and "下一页" not in body  # 23 < 50: one page
    assert names[0] in body


def test_r13_1_totals_are_exact_up_to_the_threshold_and_estimated_above(
    tied, client, admin_user, api_token, monkeypatch
):
    qs = Enterprise.objects.all()
    assert paging.count(qs, 23) == paging.Total(23)
    over = paging.count(qs, 22)
    assert over.estimated and over.n >= 22
    monkeypatch.setattr(paging, "COUNT_THRESHOLD", 10)
    monkeypatch.setattr(queries, "SEARCH_COUNT_CAP", 10)
    body = client.get("/api/v1/enterprises", **api_token(admin_user)).json()
    assert body["total_estimated"] is True and body["total_capped"] is True
    client.force_login(admin_user)
    html = client.get("/registry/enterprises/").content.decode()
    from django.db import connection

    if connection.vendor == "postgresql":
        assert "约 " in html
    else:
        assert "超过 10 家" in html
        assert body["total"] == 10
    monkeypatch.setattr(paging, "COUNT_THRESHOLD", 1000)
    monkeypatch.setattr(queries, "SEARCH_COUNT_CAP", 1000)
    body = client.get("/api/v1/enterprises", **api_token(admin_user)).json()
    assert body == {**body, "total": 23, "total_estimated": False}


def test_r13_1_the_visit_case_and_audit_lists_page_by_cursor(
    client, make_user, api_token, make_enterprise, monkeypatch
):
    from fairinspect.audit import trail
    from fairinspect.registry.models import Department
    from fairinspect.visits.models import Visit

    user = make_user("lister", Role.ADMIN, Role.SUPERVISOR, Role.OFFICER, department="650100-ZH")
    ent = make_enterprise()
    dept = Department.objects.get(code="650100-WH")
    for n in range(7):  # ties on planned_date
        Visit.objects.create(
            enterprise=ent,
            kind="on_site",
            trigger="annual_plan",
            status="draft",
            planned_date=dt.date(2025, 3, 1 + n % 2),
            department=dept,
            inspecting_level=ent.supervising_level,
        )
    for n in range(5):
        trail.record(actor=user, action="test.paging", obj=ent, summary=f"第{n}条")
    h = api_token(user)
    for path, extra, want in (
        (
            "/api/v1/visits",
            {"scope": "all"},
            list(Visit.objects.order_by("-planned_date", "-id").values_list("id", flat=True)),
        ),
        ("/api/v1/audit/events", {"object": f"registry.enterprise:{ent.pk}"}, None),
        ("/api/v1/cases", {}, []),
    ):
        seen, cursor = [], ""
        while True:
            r = client.get(path, {**extra, "limit": 2, "cursor": cursor}, **h)
            assert r.status_code == 200, (path, r.content)
            body = r.json()
            seen += [i["id"] for i in body["items"]]
            if not body["next_cursor"]:
                break
            cursor = body["next_cursor"]
        if want is None:
            assert len(seen) == 5 and seen == sorted(seen, reverse=True)
        else:
            assert seen == want, path
    client.force_login(user)
    page = client.get("/visits/", {"scope": "all"})
    assert page.status_code == 200 and "共 7 条" in page.content.decode()
    for url in ("/supervision/audit/", "/cases/"):
        assert client.get(url).status_code == 200
        assert client.get(url, {"cursor": "bad"}).status_code == 422


@pytest.mark.postgres_only
def test_r13_1_on_postgresql_a_deep_page_is_an_index_scan_without_offset_and_totals_are_planned():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("the planner's estimate and EXPLAIN are PostgreSQL's")
    Enterprise.objects.bulk_create(
        Enterprise(
            credit_code=f"91650102{n:010d}",
            name=f"深页企业{n % 2000:04d}",  # every name twice: ties
            address="天山区测试路1号",
            district_code="650102",
            industry_id="2614",
            high_risk=False,
            risk_level="general",
            credit_level="B",
            supervising_level="district",
        )
        for n in range(4000)
    )
    with connection.cursor() as c:
        c.execute("ANALYZE registry_enterprise")
    res = queries.search_results(Enterprise.objects.all(), queries.EnterpriseFilter())
    ks = res.keyset()
    row = ks.ordered()[3000]
    with CaptureQueriesContext(connection) as cq:
        page = res.page(50, ks.cursor(row))
    assert len(page.rows) == 50 and page.rows[0].pk != row.pk
    sql = next(q["sql"] for q in cq.captured_queries if "registry_enterprise" in q["sql"])
    assert "OFFSET" not in sql.upper()
    with connection.cursor() as c:
        c.execute("EXPLAIN " + sql)
        plan = "\n".join(r[0] for r in c.fetchall())
    assert "Index Scan using enterprise_name_idx" in plan, plan
    assert "Index Cond" in plan and "Seq Scan" not in plan, plan
    total = paging.count(Enterprise.objects.all())
    assert total.estimated and total.planned and 3000 < total.n < 5000
    assert (
        paging.count(Enterprise.objects.filter(name__startswith="深页企业000")).estimated is False
    )
