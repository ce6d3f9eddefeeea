"""Issue 13 item 4: on PostgreSQL the visits are partitioned by year of `planned_date`
(visits/migrations/0009). A year-bounded read (the pre-check's) reads only its year's
partition; the rows that reference a visit carry its planned_date in a hidden column kept
by the database; a visit moved to another year moves partition and its references follow;
R3.3's one visit per record round still holds across years."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from fairinspect.core import partitioning
from fairinspect.core.errors import ValidationFailed
from fairinspect.visits import services
from fairinspect.visits.models import Visit, VisitOfficer

from .conftest import TODAY

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="partitioning is PostgreSQL's",
    ),
]


def _one(sql: str, params=()):
    with connection.cursor() as c:
        c.execute(sql, params)
        return c.fetchone()


def _all(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as c:
        c.execute(sql, params)
        return c.fetchall()


def _plan(sql: str) -> str:
    return "\n".join(r[0] for r in _all("EXPLAIN (COSTS OFF) " + sql))


def _only_partition(plan: str, table: str, year: int) -> None:
    """The plan reads `table`'s partition of `year` and no other (nor the DEFAULT one)."""
    assert f"{table}_p{year}" in plan, plan
    others = [f"{table}_p{y}" for y in range(2020, 2036) if y != year]
    assert not [p for p in [*others, f"{table}_default"] if p in plan], plan


def _checked() -> None:
    """Run the deferred foreign-key checks now (a test's transaction never commits)."""
    with connection.cursor() as c:
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        c.execute("SET CONSTRAINTS ALL DEFERRED")


def _partition_of(visit_id: int) -> str:
    return _one("SELECT tableoid::regclass::text FROM visits_visit WHERE id = %s", [visit_id])[0]


def _hidden(table: str, visit_id: int) -> set:
    return {
        r[0]
        for r in _all(f"SELECT visit_planned_date FROM {table} WHERE visit_id = %s", [visit_id])
    }


def test_issue13_visits_have_one_partition_a_year_2020_to_2035_and_a_default():
    parts = {
        r[0]
        for r in _all(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'visits_visit'::regclass"
        )
    }
    assert parts == {f"visits_visit_p{y}" for y in range(2020, 2036)} | {"visits_visit_default"}
    pk = _one(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'visits_visit'::regclass AND contype = 'p'"
    )[0]
    assert pk == "PRIMARY KEY (id, planned_date)"
    # Every foreign key into the visits is a two-column one now.
    fks = _all(
        "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND confrelid = 'visits_visit'::regclass AND conparentid = 0"
    )
    assert len(fks) >= 20
    for table, d in fks:
        assert "REFERENCES visits_visit(id, planned_date) MATCH FULL ON UPDATE CASCADE" in d, (
            table,
            d,
        )


def test_issue13_the_precheck_year_query_reads_only_that_year_s_partition(city_enterprise):
    plan = _plan(
        f"SELECT id FROM visits_visit WHERE enterprise_id = {city_enterprise.pk} "
        "AND planned_date >= '2025-01-01' AND planned_date < '2026-01-01'"
    )
    _only_partition(plan, "visits_visit", 2025)


def test_issue13_a_row_referencing_a_visit_gets_its_planned_date_from_the_database(new_visit):
    v = new_visit()
    assert _partition_of(v.pk) == "visits_visit_p2025"
    assert _hidden("visits_visitofficer", v.pk) == {TODAY}
    assert _hidden("visits_visit_items", v.pk) == {TODAY}
    _checked()


def test_issue13_a_follow_up_carries_its_parent_visit_s_planned_date(new_visit, team):
    parent = new_visit()
    child = Visit.objects.get(pk=new_visit().pk)
    Visit.objects.filter(pk=child.pk).update(parent_visit=parent)
    assert _one("SELECT parent_visit_planned_date FROM visits_visit WHERE id = %s", [child.pk]) == (
        TODAY,
    )
    _checked()


def test_issue13_moving_a_visit_to_another_year_moves_its_row_and_its_references(
    new_visit, records
):
    from .test_exemption_records import record_for

    v = new_visit(trigger="application", justification=record_for(records, "application"))
    follow = new_visit()
    Visit.objects.filter(pk=follow.pk).update(parent_visit=v)
    later = dt.date(2026, 2, 3)
    assert Visit.objects.filter(pk=v.pk).update(planned_date=later) == 1
    assert _partition_of(v.pk) == "visits_visit_p2026"
    assert Visit.objects.get(pk=v.pk).planned_date == later
    assert _hidden("visits_visitofficer", v.pk) == {later}
    assert _hidden("visits_visit_items", v.pk) == {later}
    assert _one(
        "SELECT parent_visit_planned_date FROM visits_visit WHERE id = %s", [follow.pk]
    ) == (later,)
    # Its claim on the record moved with it (R3.3).
    assert _one(
        "SELECT count(*) FROM visits_visit_justification_claim WHERE visit_id = %s", [v.pk]
    ) == (1,)
    _checked()


def test_issue13_deleting_a_visit_still_cascades_to_its_team_and_items(new_visit):
    v = new_visit()
    pk = v.pk
    v.delete()
    assert not VisitOfficer.objects.filter(visit_id=pk).exists()
    assert _one("SELECT count(*) FROM visits_visit_items WHERE visit_id = %s", [pk]) == (0,)
    _checked()


def test_issue13_a_visit_with_an_order_still_cannot_be_deleted(new_visit, team):
    from fairinspect.visits.models import RectificationOrder

    (u1, _o1), _ = team
    v = new_visit()
    RectificationOrder.objects.create(
        visit=v,
        enterprise=v.enterprise,
        number="乌应急责改〔2025〕901号",
        issued_on=TODAY,
        deadline=TODAY + dt.timedelta(days=30),
        issued_by=u1,
    )
    with pytest.raises(ProtectedError), transaction.atomic():
        v.delete()
    assert Visit.objects.filter(pk=v.pk).exists()
    _checked()


def _twin(visit: Visit, planned_date: dt.date) -> Visit:
    twin = Visit.objects.get(pk=visit.pk)
    twin.pk = None
    twin.planned_date = planned_date
    return twin


def test_r3_3_one_visit_per_record_round_holds_across_years(new_visit, records, team):
    """The unique index cannot live on the year partitions: it lives on the claims' side
    table under the same name, and the service's race handler still maps it."""
    from fairinspect.visits.services.creation import _record_used_up_on_race

    from .test_exemption_records import record_for

    v = new_visit(trigger="application", justification=record_for(records, "application"))
    assert v.justification_round == 1
    refused = pytest.raises(IntegrityError, match="visit_justification_record_once")
    with refused, transaction.atomic():
        _twin(v, dt.date(2026, 3, 1)).save()
    mapped = pytest.raises(ValidationFailed)
    with mapped as e, transaction.atomic(), _record_used_up_on_race():
        _twin(v, dt.date(2027, 3, 1)).save()
    assert (e.value.code, e.value.field) == ("justification_used_up", "justification.reference")
    # A cancelled visit gives the record back, whatever the year of the next one.
    services.cancel_visit(actor=team[0][0], visit=v, reason="计划调整")
    other = _twin(v, dt.date(2026, 3, 1))
    other.status = Visit.Status.DRAFT
    other.save()
    assert _partition_of(other.pk) == "visits_visit_p2026"
    # …and taking it again by un-cancelling the first is refused.
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.filter(pk=v.pk).update(status=Visit.Status.DRAFT)


def test_r3_3_the_claims_follow_a_flush_of_the_visits(new_visit, records):
    """A TRUNCATE (a transactional test's flush) empties the claims too."""
    from .test_exemption_records import record_for

    new_visit(trigger="application", justification=record_for(records, "application"))
    with connection.cursor() as c:
        c.execute("SAVEPOINT t")
        c.execute("SELECT count(*) FROM visits_visit_justification_claim")
        assert c.fetchone()[0] == 1
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        c.execute("TRUNCATE visits_visit CASCADE")
        c.execute("SELECT count(*) FROM visits_visit_justification_claim")
        assert c.fetchone()[0] == 0
        c.execute("ROLLBACK TO SAVEPOINT t")
        c.execute("SET CONSTRAINTS ALL DEFERRED")


def test_issue13_a_new_year_partition_takes_its_visits_out_of_default(new_visit):
    v = new_visit()
    far = _twin(v, dt.date(2040, 5, 1))
    far.save()
    VisitOfficer.objects.create(visit=far, officer=v.officers.first())
    far.items.set(v.items.all())
    assert _partition_of(far.pk) == "visits_visit_default"
    _checked()
    made = partitioning.add_partitions(connection, "visits_visit", partitioning.years(2040, 2040))
    assert made == 1
    assert _partition_of(far.pk) == "visits_visit_p2040"
    assert _hidden("visits_visitofficer", far.pk) == {dt.date(2040, 5, 1)}
    assert Visit.objects.get(pk=far.pk).team.count() == 1
    _checked()


def test_issue13_the_audit_partitions_command_creates_the_visits_years_ahead():
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("audit_partitions", "--years-ahead", "11", stdout=out)  # 2025 … 2036
    assert "partition(s) created" in out.getvalue()
    assert _one("SELECT to_regclass('visits_visit_p2036')")[0] is not None


# Visits 0010: the team and the items are partitioned by the visit's date too.

CHILDREN = ("visits_visitofficer", "visits_visit_items")
Y0, Y1 = dt.date(TODAY.year, 1, 1), dt.date(TODAY.year, 12, 31)


def _child_partitions(table: str, visit_id: int) -> set[str]:
    return {
        r[0]
        for r in _all(
            f"SELECT tableoid::regclass::text FROM {table} WHERE visit_id = %s", [visit_id]
        )
    }


def test_issue13_the_team_and_items_have_one_partition_a_year_and_a_default():
    for table in CHILDREN:
        assert _one(
            "SELECT pg_get_partkeydef(partrelid) FROM pg_partitioned_table "
            "WHERE partrelid = %s::regclass",
            [table],
        ) == ("RANGE (visit_planned_date)",)
        parts = {
            r[0]
            for r in _all(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = %s::regclass",
                [table],
            )
        }
        assert parts == {f"{table}_p{y}" for y in range(2020, 2036)} | {f"{table}_default"}
        defs = {
            r[0]
            for r in _all(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND conparentid = 0",
                [table],
            )
        }
        assert "PRIMARY KEY (id, visit_planned_date)" in defs
        assert (
            "FOREIGN KEY (visit_id, visit_planned_date) REFERENCES visits_visit(id, planned_date) "
            "MATCH FULL ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED"
        ) in defs
        # Nothing references them (a foreign key into them would need the date as well).
        assert _one(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND confrelid = %s::regclass",
            [table],
        ) == (0,)
    assert _one(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'visit_officer_unique'"
    ) == ("UNIQUE (visit_id, officer_id, visit_planned_date)",)


def test_issue13_a_visit_s_team_and_items_rows_are_in_its_year_s_partition(new_visit):
    v = new_visit()
    assert _child_partitions("visits_visitofficer", v.pk) == {"visits_visitofficer_p2025"}
    assert _child_partitions("visits_visit_items", v.pk) == {"visits_visit_items_p2025"}
    assert v.team.count() == 2 and v.items.count() >= 1
    _checked()


def test_issue13_moving_a_visit_to_another_year_moves_its_team_and_items_rows(new_visit, team):
    v = new_visit()
    member = VisitOfficer.objects.filter(visit=v).order_by("id").first()
    assert member is not None and member.visit_planned_date == TODAY
    Visit.objects.filter(pk=v.pk).update(planned_date=dt.date(2026, 2, 3))
    assert _child_partitions("visits_visitofficer", v.pk) == {"visits_visitofficer_p2026"}
    assert _child_partitions("visits_visit_items", v.pk) == {"visits_visit_items_p2026"}
    # A team row read before the move and saved after it keeps the moved date (an UPDATE
    # never writes the column back).
    member.certificate_number = "X-1"
    member.save()
    assert _hidden("visits_visitofficer", v.pk) == {dt.date(2026, 2, 3)}
    _checked()


def test_issue13_the_team_still_refuses_a_duplicate_member(new_visit, team):
    (_u1, o1), _ = team
    v = new_visit()
    assert v.team.filter(officer=o1).exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitOfficer.objects.create(visit=v, officer=o1)
    with pytest.raises(IntegrityError), transaction.atomic():
        item = v.items.first()
        Visit.items.through.objects.create(visit=v, inspectionitem=item)


def test_issue13_items_add_remove_set_and_clear_on_the_partitioned_table(new_visit, items):
    v = new_visit()
    all_items = items["onsite"]
    v.items.set(all_items[:1])
    assert list(v.items.all()) == all_items[:1]
    v.items.add(*all_items)
    v.items.add(*all_items)  # already there: nothing added twice
    assert sorted(i.pk for i in v.items.all()) == sorted(i.pk for i in all_items)
    v.items.remove(all_items[0])
    assert all_items[0] not in v.items.all()
    assert _child_partitions("visits_visit_items", v.pk) == {"visits_visit_items_p2025"}
    v.items.clear()
    assert not v.items.exists()
    all_items[1].visits.add(v)  # from the other side
    assert _hidden("visits_visit_items", v.pk) == {TODAY}
    _checked()


def _explain(qs, **options) -> str:
    return qs.explain(**options)


def test_issue13_the_precheck_s_items_and_team_queries_read_one_year_s_partition(
    new_visit, team, city_enterprise
):
    from fairinspect.visits import queries

    (_u1, o1), _ = team
    v = new_visit()
    items_qs = queries._YEAR_ITEMS.build(e=city_enterprise.pk, start=Y0, end=Y1)
    team_qs = queries._teams_qs(Y0, Y1, v.pk)
    for table, qs in (("visits_visit_items", items_qs), ("visits_visitofficer", team_qs)):
        plan = _explain(qs)
        _only_partition(plan, table, 2025)
    # "Is the officer on this visit's team", a subquery per visit of the year: bounded to the
    # year too, so planned over the 2025 team partition only.
    mine = queries._year_visits_qs(city_enterprise.pk, Y0, Y1, o1.pk)
    plan = _explain(mine)
    _only_partition(plan, "visits_visitofficer", 2025)
    pc = queries.precheck(city_enterprise, officer=o1, today=TODAY)
    assert [m.pk for m in pc.mine] == [v.pk] and len(pc.mine[0].pc_team) == 2


def test_issue13_a_new_year_partition_takes_the_team_and_items_out_of_default(new_visit):
    import io

    from django.core.management import call_command

    v = new_visit()
    far = _twin(v, dt.date(2040, 5, 1))
    far.save()
    VisitOfficer.objects.create(visit=far, officer=v.officers.first())
    far.items.set(v.items.all())
    assert _child_partitions("visits_visitofficer", far.pk) == {"visits_visitofficer_default"}
    _checked()
    with time_machine.travel(dt.datetime(2040, 1, 2, tzinfo=dt.UTC)):
        call_command("audit_partitions", "--years-ahead", "0", stdout=io.StringIO())
    assert _partition_of(far.pk) == "visits_visit_p2040"
    assert _child_partitions("visits_visitofficer", far.pk) == {"visits_visitofficer_p2040"}
    assert _child_partitions("visits_visit_items", far.pk) == {"visits_visit_items_p2040"}
    assert Visit.objects.get(pk=far.pk).team.count() == 1
    _checked()


def test_issue13_the_audit_partitions_command_creates_the_team_and_items_years_ahead():
    import io

    from django.core.management import call_command

    call_command("audit_partitions", "--years-ahead", "11", stdout=io.StringIO())
    for table in CHILDREN:
        assert _one("SELECT to_regclass(%s)", [f"{table}_p2036"])[0] is not None


@pytest.mark.django_db(transaction=True)
def test_issue13_the_children_s_partitioning_reverses_with_rows_in_it(new_visit, team):
    from django.db.migrations.executor import MigrationExecutor

    v = new_visit()
    before = (
        sorted(VisitOfficer.objects.filter(visit=v).values_list("id", "officer_id")),
        sorted(Visit.items.through.objects.filter(visit=v).values_list("id", "inspectionitem_id")),
    )
    executor = MigrationExecutor(connection)
    executor.migrate([("visits", "0009_partition_by_year")])
    for table in CHILDREN:
        assert _one(
            "SELECT count(*) FROM pg_partitioned_table WHERE partrelid = %s::regclass", [table]
        ) == (0,)
    assert _one(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'visit_officer_unique'"
    ) == ("UNIQUE (visit_id, officer_id)",)
    assert _hidden("visits_visitofficer", v.pk) == {TODAY}
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    after = (
        sorted(VisitOfficer.objects.filter(visit=v).values_list("id", "officer_id")),
        sorted(Visit.items.through.objects.filter(visit=v).values_list("id", "inspectionitem_id")),
    )
    assert after == before
    assert _child_partitions("visits_visitofficer", v.pk) == {"visits_visitofficer_p2025"}
    # The identity continues after the rows copied back and forth.
    other = new_visit()
    assert min(m.pk for m in other.team.all()) > max(i for i, _o in before[0])


def test_issue13_a_visit_page_s_reads_plan_one_partition_and_follow_a_moved_visit(new_visit, team):
    """The visit page (and every action on a visit) reads it by id through `get_visit`:
    its date first (a prepared statement), then the row with its joins by id and date; the
    team, the items, "is on the team" and the team's size by the visit's date too."""
    from django.test.utils import CaptureQueriesContext

    from fairinspect.visits import access, queries

    (u1, o1), _ = team
    v = new_visit()
    for day in (v.planned_date, dt.date(2027, 3, 4)):  # then moved to another year
        Visit.objects.filter(pk=v.pk).update(planned_date=day)
        with CaptureQueriesContext(connection) as cq:
            got = access.get_visit(u1, v.pk)
            team_rows = queries.team_of(got)
            items = queries.items_of(got)
            assert queries.on_team(got, o1) and queries.team_size(got) == 2
        assert got.pk == v.pk and got.planned_date == day
        assert [m.pk for m in team_rows] == [
            m.pk for m in VisitOfficer.objects.filter(visit=v).order_by("-is_lead", "id")
        ]
        assert [i.pk for i in items] == [i.pk for i in v.items.all()] and items
        year = day.year
        pruned = 0
        for q in cq.captured_queries:
            sql = q["sql"]
            if '"planned_date" FROM "visits_visit" WHERE' in sql:
                continue  # the date by id: over every partition, planned once per connection
            for table in ("visits_visit", "visits_visitofficer", "visits_visit_items"):
                if f'FROM "{table}"' in sql or f'JOIN "{table}"' in sql:
                    plan = _plan(sql)
                    _only_partition(plan, table, year)
                    pruned += 1
        assert pruned >= 5, cq.captured_queries


def test_issue13_planning_s_reads_of_a_year_s_items_plan_one_items_partition(
    new_visit, city_enterprise
):
    """The draw's repeated items, the city's inspected items and the same-item visits of a
    year (planning.bridge) read that year's partition of the items only."""
    from django.test.utils import CaptureQueriesContext

    from fairinspect.planning import bridge

    v = new_visit()
    codes = [i.code for i in v.items.all()]
    year = v.planned_date.year
    with CaptureQueriesContext(connection) as cq:
        visited = bridge.visited_items([city_enterprise.pk], year, items=codes)
        bridge.city_inspected_items(city_enterprise.pk, year)
        same = list(bridge.same_item_visits(city_enterprise.pk, year, codes))
    assert visited == {city_enterprise.pk: set(codes)}
    assert [s.pk for s in same] == [v.pk]
    # The three reads (the found visits' items prefetch, by their ids, is the fourth).
    bounded = '"visit_planned_date" BETWEEN'
    planned = [q["sql"] for q in cq.captured_queries if bounded in q["sql"]]
    assert len(planned) == 3, cq.captured_queries
    for sql in planned:
        plan = _plan(sql)
        _only_partition(plan, "visits_visit_items", year)
