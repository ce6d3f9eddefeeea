"""Issue 13 item 4: on PostgreSQL the visits are partitioned by RANGE (planned_date), one
partition a year (2020-2035) plus a DEFAULT one (fairinspect.core.partitioning). SQLite is
left untouched.

- The primary key becomes (id, planned_date); Django keeps `id` as the primary key.
- Every foreign key into visits_visit (the team, items, check-ins, hazards, orders, cases,
  experts' records, joint plans, a follow-up's parent visit…) becomes two-column:
  `(visit_id, visit_planned_date) REFERENCES visits_visit (id, planned_date) MATCH FULL ON
  UPDATE CASCADE`. The hidden `<fk>_planned_date` columns are filled by a trigger; a visit
  moved to another year (an UPDATE of planned_date) moves to its partition and the new date
  cascades into the rows that reference it.
- R3.3's "one inspection per record round" (visit_justification_record_once) cannot be a
  unique index of a partitioned table without the partition key, which would let the same
  record justify one visit a year. It moves, under the same name, to a side table
  `visits_visit_justification_claim` (one row per visit that claims a record round), kept
  by a trigger on visits_visit: the rule still holds across years and a duplicate raises the
  same IntegrityError the visit services map to their message.

Reversible: the reverse turns visits_visit back into a plain table (tests that migrate
backwards across this migration, e.g. cases' number backfill, do so)."""

from django.db import migrations

from fairinspect.core import partitioning

CLAIM = "visits_visit_justification_claim"
UNIQUE = "visit_justification_record_once"

CLAIM_TABLE = f"""
DROP INDEX IF EXISTS {UNIQUE};
CREATE TABLE {CLAIM} (
    visit_id bigint PRIMARY KEY,
    justification_kind varchar(24) NOT NULL,
    justification_reference varchar(100) NOT NULL,
    justification_round smallint NOT NULL
);
INSERT INTO {CLAIM}
SELECT id, justification_kind, justification_reference, justification_round FROM visits_visit
WHERE justification_round IS NOT NULL AND NOT status = 'cancelled';
CREATE UNIQUE INDEX {UNIQUE} ON {CLAIM}
    (justification_kind, justification_reference, justification_round);
"""

CLAIM_TRIGGERS = f"""
CREATE OR REPLACE FUNCTION fi_visit_justification_claim() RETURNS trigger AS $$
-- R3.3: a visit that uses a record round (not cancelled) claims it in {CLAIM}, whose unique
-- index is the one visits_visit cannot have across its year partitions.
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.id = NEW.id
       AND (OLD.justification_round IS NOT NULL AND OLD.status <> 'cancelled')
           = (NEW.justification_round IS NOT NULL AND NEW.status <> 'cancelled')
       AND OLD.justification_kind = NEW.justification_kind
       AND OLD.justification_reference = NEW.justification_reference
       AND OLD.justification_round IS NOT DISTINCT FROM NEW.justification_round THEN
        RETURN NULL;  -- nothing the claim depends on changed
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM {CLAIM} WHERE visit_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE')
       AND NEW.justification_round IS NOT NULL AND NEW.status <> 'cancelled' THEN
        INSERT INTO {CLAIM} VALUES
            (NEW.id, NEW.justification_kind, NEW.justification_reference,
             NEW.justification_round);
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION fi_visit_justification_claims_truncate() RETURNS trigger AS $$
BEGIN
    TRUNCATE {CLAIM};  -- a TRUNCATE of the visits (a test's flush) fires no row trigger
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER fi_justification_claim AFTER INSERT OR UPDATE OR DELETE ON visits_visit
    FOR EACH ROW EXECUTE FUNCTION fi_visit_justification_claim();
CREATE TRIGGER fi_justification_claims_truncate AFTER TRUNCATE ON visits_visit
    FOR EACH STATEMENT EXECUTE FUNCTION fi_visit_justification_claims_truncate();
"""

DROP_CLAIM = f"""
DROP TRIGGER IF EXISTS fi_justification_claim ON visits_visit;
DROP TRIGGER IF EXISTS fi_justification_claims_truncate ON visits_visit;
DROP TABLE IF EXISTS {CLAIM};
DROP FUNCTION IF EXISTS fi_visit_justification_claim();
DROP FUNCTION IF EXISTS fi_visit_justification_claims_truncate();
"""

# The index as Django created it (models.Visit.Meta.constraints).
UNIQUE_ON_VISITS = f"""
CREATE UNIQUE INDEX {UNIQUE} ON visits_visit
    (justification_kind, justification_reference, justification_round)
    WHERE justification_round IS NOT NULL AND NOT status = 'cancelled';
"""


def _partitioned(cursor) -> bool:
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table "
        "WHERE partrelid = 'visits_visit'::regclass)"
    )
    return cursor.fetchone()[0]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as c:
        if _partitioned(c):
            return
        # ALTER TABLE refuses a table with pending deferred checks (rows written earlier in
        # the same transaction, as in a test that migrates): run them now, defer them again
        # at the end (every deferrable constraint here is INITIALLY DEFERRED).
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        c.execute(CLAIM_TABLE)
    partitioning.convert(
        schema_editor,
        "visits_visit",
        "planned_date",
        partitioning.years(2020, 2035),
        referenced=True,
    )
    with schema_editor.connection.cursor() as c:
        c.execute(CLAIM_TRIGGERS)
        c.execute("SET CONSTRAINTS ALL DEFERRED")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as c:
        if not _partitioned(c):
            return
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        c.execute(DROP_CLAIM)
    partitioning.unconvert(schema_editor, "visits_visit", "planned_date")
    with schema_editor.connection.cursor() as c:
        c.execute(UNIQUE_ON_VISITS)
        c.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    atomic = True
    # Every app whose foreign keys into visits_visit must exist before the conversion.
    dependencies = [
        ("visits", "0008_merge_numbers_and_list_index"),
        ("cases", "0002_case_from_visit_hazard"),
        ("experts", "0001_expert_pool"),
        ("monitoring", "0002_offsite_inspection"),
        ("planning", "0003_joint_plans_and_merges"),
    ]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
