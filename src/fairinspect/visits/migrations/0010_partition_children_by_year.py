"""Issue 13 item 4, second step: on PostgreSQL the visits' biggest children, the team
(`visits_visitofficer`) and the items (`visits_visit_items`), are partitioned like the visits,
by RANGE (visit_planned_date), one partition a year 2020-2035 plus a DEFAULT one
(`partitioning.convert`, as in 0009).

- Their primary keys become (id, visit_planned_date); `visit_officer_unique` becomes unique
  (visit, officer, visit_planned_date) and the items' (visit, inspectionitem) unique likewise:
  no weakening, a visit has one date and the two-column foreign key keeps the copy equal to it.
- The foreign key to the visit, (visit_id, visit_planned_date) ON UPDATE CASCADE (0009), goes
  with them: a visit moved to another year moves its team and items rows to that year's
  partitions. Nothing references these two tables.
- PostgreSQL routes a row to its partition before any trigger runs (a BEFORE trigger may not
  move it: "moving row to another partition during a BEFORE FOR EACH ROW trigger is not
  supported"), so 0009's hidden column can no longer be filled by the database alone on
  insert: it becomes a model field (`models.VisitDateField`) that Django writes from the
  visit. For the items this needs an explicit through model, `VisitItem`, on the same table
  (`Visit.items` is unchanged otherwise). 0009's fill trigger stays (an UPDATE of visit_id).

SQLite: the state change adds the column (filled from the visits); nothing is partitioned.
Reversible: the reverse makes both plain tables again, with their old unique constraints."""

from django.db import migrations, models

from fairinspect.core import partitioning

CHILDREN = {
    # table: (unique constraint, its columns before this migration)
    "visits_visitofficer": ("visit_officer_unique", "visit_id, officer_id"),
    "visits_visit_items": (
        "visits_visit_items_visit_id_inspectionitem_id_b458d654_uniq",
        "visit_id, inspectionitem_id",
    ),
}
YEARS = (2020, 2035)


def _partitioned(cursor, table: str) -> bool:
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass)",
        [table],
    )
    return cursor.fetchone()[0]


def forwards(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        with conn.cursor() as c:
            for table in CHILDREN:
                c.execute(f"ALTER TABLE {table} ADD COLUMN visit_planned_date date NULL")
                c.execute(
                    f"UPDATE {table} SET visit_planned_date = (SELECT v.planned_date FROM "
                    f"visits_visit v WHERE v.id = {table}.visit_id)"
                )
        return
    with conn.cursor() as c:
        # Pending deferred checks (rows written earlier in the same transaction) would make
        # ALTER TABLE refuse: run them now, defer them again at the end.
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        todo = [t for t in CHILDREN if not _partitioned(c, t)]
    for table in todo:
        partitioning.convert(
            schema_editor, table, "visit_planned_date", partitioning.years(*YEARS)
        )
    with conn.cursor() as c:
        c.execute("SET CONSTRAINTS ALL DEFERRED")


def backwards(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        with conn.cursor() as c:
            for table in CHILDREN:
                c.execute(f"ALTER TABLE {table} DROP COLUMN visit_planned_date")
        return
    with conn.cursor() as c:
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        todo = [t for t in CHILDREN if _partitioned(c, t)]
    for table in todo:
        partitioning.unconvert(schema_editor, table, "visit_planned_date")
        name, columns = CHILDREN[table]
        with conn.cursor() as c:
            c.execute(
                f"ALTER TABLE {table} DROP CONSTRAINT {name}, "
                f"ADD CONSTRAINT {name} UNIQUE ({columns}), "
                # NOT NULL came with the primary key (id, visit_planned_date).
                "ALTER COLUMN visit_planned_date DROP NOT NULL"
            )
    with conn.cursor() as c:
        c.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    atomic = True
    dependencies = [
        ("catalog", "0003_guidance_list"),
        ("visits", "0009_partition_by_year"),
    ]
    operations = [
        migrations.SeparateDatabaseAndState(
            # On PostgreSQL the column exists since 0009 (kept by the database); on SQLite
            # forwards() adds it.
            database_operations=[migrations.RunPython(forwards, backwards, elidable=False)],
            state_operations=[
                migrations.AddField(
                    model_name="visitofficer",
                    name="visit_planned_date",
                    field=models.DateField(editable=False, null=True),
                ),
                migrations.CreateModel(
                    name="VisitItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("visit_planned_date", models.DateField(editable=False, null=True)),
                        (
                            "inspectionitem",
                            models.ForeignKey(
                                on_delete=models.deletion.CASCADE,
                                to="catalog.inspectionitem",
                            ),
                        ),
                        (
                            "visit",
                            models.ForeignKey(
                                on_delete=models.deletion.CASCADE, to="visits.visit"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "visits_visit_items",
                        "unique_together": {("visit", "inspectionitem")},
                    },
                ),
                migrations.AlterField(
                    model_name="visit",
                    name="items",
                    field=models.ManyToManyField(
                        related_name="visits",
                        through="visits.VisitItem",
                        to="catalog.inspectionitem",
                        verbose_name="检查事项",
                    ),
                ),
            ],
        )
    ]
