"""The pre-check's and the quota's statements run prepared (core/prepared.py: compiled once
per connection, re-run with the request's values) and give what the querysets they are built
from give (issue 13 item 2; R6.1, R3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connections
from django.db.models.sql.compiler import SQLCompiler

from fairinspect.core.errors import NotFound
from fairinspect.core.prepared import Prepared
from fairinspect.core.roles import Role
from fairinspect.registry import access as registry_access
from fairinspect.registry.access import EnterpriseScope
from fairinspect.visits import qr, queries
from fairinspect.visits.api import quota as quota_api
from fairinspect.visits.models import Hazard, RectificationOrder

from .conftest import TODAY
from .test_services import fill

pytestmark = pytest.mark.django_db
Y0, Y1 = dt.date(TODAY.year, 1, 1), dt.date(TODAY.year, 12, 31)


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_r6_1_prepared_year_visits_match_the_queryset(team, make_enterprise, approved_visit):
    (_u1, o1), _ = team
    ent = make_enterprise(supervising_level="city")
    approved_visit(ent)
    fill(ent, 3)
    fill(
        ent,
        1,
        trigger="complaint",
        justification_kind="complaint_record",
        justification_reference="C-1",
        justification_date=TODAY.replace(month=1),
    )
    for officer in (o1, None):
        prepared = queries._year_visits(ent, TODAY.year, officer)
        orm = list(queries._year_visits_qs(ent.pk, Y0, Y1, officer.pk if officer else None))
        assert [v.pk for v in prepared] == [v.pk for v in orm] and len(orm) == 5
        for a, b in zip(prepared, orm, strict=True):
            assert _fields(a) == _fields(b)
            assert (a.pc_mine, getattr(a, "pc_experts", 0)) == (
                b.pc_mine,
                getattr(b, "pc_experts", 0),
            )
            assert a.department.name == b.department.name  # select_related, no query
    mine = [v for v in queries._year_visits(ent, TODAY.year, o1) if v.pc_mine]
    assert len(mine) == 1 and mine[0].status == "approved"
    assert queries._year_items(ent, TODAY.year)[mine[0].pk]
    assert queries._team_rows([mine[0].pk], TODAY.year) == list(
        queries._teams_qs(Y0, Y1, mine[0].pk)
    )
    # IN lists of other sizes: one statement per power of two, padded with the last id.
    pks = [v.pk for v in queries._year_visits(ent, TODAY.year, None)]
    assert queries._team_rows(pks[:3], TODAY.year) == list(queries._teams_qs(Y0, Y1, *pks[:3]))
    facts = queries.visit_facts(ent.pk, TODAY.year)
    assert sorted(f.visit_id for f in facts) == sorted(str(p) for p in pks)


def test_r6_1_prepared_hazards_orders_and_cap_setting(approved_visit, city_enterprise):
    v = approved_visit(city_enterprise)
    Hazard.objects.create(visit=v, enterprise=city_enterprise, level="major", description="甲")
    RectificationOrder.objects.create(
        visit=v,
        enterprise=city_enterprise,
        number="令1",
        requirements="x",
        issued_on=TODAY,
        deadline=TODAY,
        status="issued",
    )
    rows = queries._HAZARDS_AND_ORDERS.rows(e=city_enterprise.pk)
    assert sorted(rows, key=str) == sorted(
        (tuple(r) for r in queries._hazards_and_orders_qs(city_enterprise.pk)), key=str
    )
    assert {r[0] for r in rows} == {"h", "o"}
    from fairinspect.visits.models import CapTableSetting

    assert queries.cap_setting(2031)[0].year != 2031  # no row: the default table
    CapTableSetting.objects.create(year=2031, source="测试依据", exempt_consumes_cap=True)
    table, policy = queries.cap_setting(2031)
    assert (table.year, table.source, policy.exempt_consumes_cap) == (2031, "测试依据", True)


def test_r6_1_enterprise_for_prepared_visibility_is_the_querysets(make_user, make_enterprise):
    city = make_user("pp_city", Role.OFFICER, department="650100-WH")
    ts = make_user("pp_ts", Role.OFFICER, department="650102")
    nobody = make_user("pp_none", Role.ENTERPRISE)
    here = make_enterprise(district_code="650102")
    there = make_enterprise(district_code="650103")
    for user in (city, ts, nobody):
        scope = registry_access.enterprise_scope(user)
        visible = registry_access.enterprises_visible_to(user)
        for ent in (here, there):
            fast = qr.enterprise_for(qr.token_for(ent), scope=scope)
            (orm,) = qr._with_visibility(ent.pk, visible)
            assert bool(fast.pc_visible) == bool(orm.pc_visible), (user.username, ent.pk)
            assert _fields(fast) == _fields(orm)
    assert registry_access.enterprise_scope(city) == EnterpriseScope("all")
    assert registry_access.enterprise_scope(ts) == EnterpriseScope("district", district="650102")
    assert registry_access.enterprise_scope(nobody) == EnterpriseScope("none")
    assert qr.enterprise_for(qr.token_for(here), scope=None).pc_visible is False


def test_r3_quota_enterprise_lookup_is_get_enterprise(make_user, make_enterprise):
    city = make_user("pq_city", Role.OFFICER, department="650100-WH")
    ts = make_user("pq_ts", Role.OFFICER, department="650102")
    here = make_enterprise(district_code="650102")
    there = make_enterprise(district_code="650103")
    for user in (city, ts):
        for ent in (here, there):
            for code in (ent.credit_code, f" {ent.credit_code.lower()} "):
                try:
                    want = registry_access.get_enterprise(user, code).pk
                except NotFound:
                    want = None
                try:
                    got = quota_api._visible_enterprise(user, code).pk
                except NotFound:
                    got = None
                assert got == want, (user.username, ent.district_code)
    with pytest.raises(NotFound):
        quota_api._visible_enterprise(ts, there.credit_code)


def test_r6_1_a_prepared_statement_is_compiled_once_per_connection(city_enterprise, monkeypatch):
    calls = []
    real = SQLCompiler.as_sql

    def counting(self, *a, **kw):
        calls.append(1)
        return real(self, *a, **kw)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    p = Prepared(lambda e: type(city_enterprise).objects.filter(pk=e).values_list("name"), e=-9)
    assert p.rows(e=city_enterprise.pk) == [(city_enterprise.name,)]
    n = len(calls)
    assert n >= 1
    assert p.rows(e=city_enterprise.pk) == [(city_enterprise.name,)]
    assert p.rows(e=-1) == []
    assert len(calls) == n  # no compilation after the first
    assert connections["default"].__dict__["_fairinspect_prepared"]


def test_r6_1_a_sentinel_missing_from_the_sql_is_refused(city_enterprise):
    p = Prepared(lambda e: type(city_enterprise).objects.filter(pk=1).values_list("pk"), e=-9)
    with pytest.raises(ValueError, match="sentinel"):
        p.rows(e=city_enterprise.pk)
