"""Issue 13 item 4: on PostgreSQL the visits are partitioned by year of `planned_date`
(visits/migrations/0009). A year-bounded read (the pre-check's) reads only its year's
partition; the rows that reference a visit carry its planned_date in a hidden column kept
by the database; a visit moved to another year moves partition and its references follow;
R3.3's one visit per record round still holds across years."""

from __future__ import annotations

import datetime as dt

import pytest
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
    assert "visits_visit_p2025" in plan
    others = [f"visits_visit_p{y}" for y in range(2020, 2036) if y != 2025]
    assert not [p for p in [*others, "visits_visit_default"] if p in plan], plan


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
