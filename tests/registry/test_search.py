"""Search finds what people type (issue 15 item 1): an import → search round trip with
names of every shape, former names, codes and addresses; exact matches first."""

import pytest
from django.db import connection

from fairinspect.registry import queries
from fairinspect.registry.models import Enterprise
from fairinspect.rules.credit_code import make_credit_code

from .test_import import csv_bytes, row, run

NAMES = {
    1: "中国工商银行股份有限公司乌鲁木齐分行",  # 18 characters, all "alnum"
    2: "NEC（中国）有限公司乌鲁木齐分公司",
    3: "乌鲁木齐阿不都·热合曼商贸有限公司",
    4: "新疆天山（控股）集团有限公司",
    5: "乌鲁木齐石油化工有限公司",
    6: "新疆天山集团",
}


@pytest.fixture
def imported(admin_user):
    rows = [row(n, name=name, address=f"天山区示例路{n}号") for n, name in NAMES.items()]
    job = run(admin_user, "e.csv", csv_bytes(rows))
    assert job.status == "done", job.errors
    return {e.name: e for e in Enterprise.objects.all()}


def found(q: str) -> list[str]:
    """The names in the order the list page and the API show them."""
    results = queries.search_results(Enterprise.objects.all(), queries.EnterpriseFilter(q=q))
    return [e.name for e in results]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("中国工商银行股份有限公司乌鲁木齐分行", 1),  # an 18-character name is a name
        ("工商银行", 1),
        ("ＮＥＣ", 2),
        ("nec(中国)", 2),
        ("阿不都•热合曼", 3),
        ("阿不都.热合曼", 3),
        ("阿不都 热合曼", 3),
        ("(控股)", 4),
        ("【控股】", 4),
        ("wlmqsyhg", 5),  # pinyin initials of 乌鲁木齐石油化工
        ("示例路3号", 3),  # the address
    ],
)
def test_r3_1_an_imported_name_is_found_however_it_is_typed(imported, typed, expected):
    assert NAMES[expected] in found(typed)


def test_r3_1_a_credit_code_typed_with_spaces_finds_the_enterprise(imported):
    code = make_credit_code(f"91650103{4:09d}")
    spaced = " ".join([code[:4], code[4:8], code[8:12], code[12:]]).lower()
    assert found(spaced) == [NAMES[4]]
    assert found(code[:17]) == [NAMES[4]]  # the start of a code finds it too


def test_r3_1_an_exact_name_comes_before_longer_names_containing_it(imported):
    assert found("新疆天山集团")[0] == "新疆天山集团"
    assert found("新疆天山")[:2] == sorted(found("新疆天山")[:2])  # by name after the exact ones
    assert set(found("新疆天山")) == {NAMES[4], NAMES[6]}


def test_r3_1_a_former_name_finds_the_enterprise(admin_user, imported):
    rows = [
        row(n, name=("新疆天山发展集团" if n == 6 else name), address=f"天山区示例路{n}号")
        for n, name in NAMES.items()
    ]
    job = run(admin_user, "again.csv", csv_bytes(rows))
    assert (job.updated_count, job.unchanged_count) == (1, 5)
    e = Enterprise.objects.get(name="新疆天山发展集团")
    assert e.former_names == ["新疆天山集团"]
    assert "新疆天山发展集团" in found("新疆天山集团")


def test_r3_1_an_edit_through_the_service_keeps_the_search_key(admin_user, imported):
    from fairinspect.registry import services

    e = imported[NAMES[5]]
    services.update_enterprise(actor=admin_user, enterprise=e, data={"name": "米东示例化工厂"})
    assert found("米东示例") == ["米东示例化工厂"]


def test_r3_1_the_exact_name_comes_first_even_where_the_name_order_puts_it_last(admin_user):
    rows = [row(1, name="AZZ集团公司"), row(2, name="ＺＺ集团"), row(3, name="BZZ集团")]
    assert run(admin_user, "z.csv", csv_bytes(rows)).status == "done"
    assert found("zz集团") == ["ＺＺ集团", "AZZ集团公司", "BZZ集团"]
    page = queries.search_results(Enterprise.objects.all(), queries.EnterpriseFilter(q="zz集团"))
    assert [e.name for e in page[1:3]] == ["AZZ集团公司", "BZZ集团"]  # page 2 after the exact
    assert page.count() == 3 and not page.capped


def test_r3_1_a_search_matching_very_many_counts_up_to_the_cap(imported, monkeypatch):
    monkeypatch.setattr(queries, "SEARCH_COUNT_CAP", 3)
    f = queries.EnterpriseFilter(q="有限公司")
    page = queries.search_results(Enterprise.objects.all(), f)
    # Above the cap the count is estimated: SQLite stops at the cap, PostgreSQL asks the
    # planner and says at least one more than the cap (core/paging.count).
    assert page.capped
    assert page.count() == 3 if connection.vendor == "sqlite" else page.count() > 3
    assert len(page[0:50]) == 5  # the rows are all there; only the count stops
    # Without a query the list's total is estimated above the threshold too (issue 13).
    every = queries.search_results(Enterprise.objects.all(), queries.EnterpriseFilter())
    assert every.capped and every.count() >= 3


def test_r3_1_the_list_page_says_when_the_count_stopped(
    client, admin_user, api_token, imported, monkeypatch
):
    monkeypatch.setattr(queries, "SEARCH_COUNT_CAP", 3)
    client.force_login(admin_user)
    resp = client.get("/registry/enterprises/", {"q": "有限公司"})
    assert resp.status_code == 200
    said = "超过 3 家" if connection.vendor == "sqlite" else "约 "
    assert said in resp.content.decode()
    api = client.get("/api/v1/enterprises", {"q": "有限公司"}, **api_token(admin_user))
    assert api.status_code == 200 and api.json()["total_capped"] is True
