"""Declarative range partitioning of a Django-managed PostgreSQL table (issue 13).

Used by migrations, on PostgreSQL only (SQLite is left as it is). `convert(schema_editor,
table, column, bounds)` turns an existing table into one partitioned by RANGE (column):

- the new parent has the same columns, defaults and identity (LIKE … INCLUDING ALL minus
  the indexes), its primary key becomes (id, column) — PostgreSQL requires the partition key
  in every unique index — and Django keeps reading `id` as the primary key (a sequence
  value: still unique in practice, and `WHERE id = …` still finds the row);
- every index is recreated on the parent under its old name; a unique index without the
  partition key gets it appended (the only weakening: documented in docs/scale.md);
- foreign keys out of the table are recreated; nothing may reference the table (checked),
  unless `referenced=True`: then every foreign key into it (found in pg_constraint, not
  listed by hand) becomes a two-column one, `(<fk>, <fk minus _id>_<column>) REFERENCES
  table (id, column) MATCH FULL ON UPDATE CASCADE`, keeping its ON DELETE and deferral. The
  hidden column `<fk minus _id>_<column>` is added to the referencing table, back-filled
  from the referenced row, and kept by a BEFORE INSERT OR UPDATE OF <fk> trigger
  (`fi_fill_key_<table>`): Django never writes it. Moving a row to another partition
  (an UPDATE of the column) cascades the new value into the referencing rows;
- one partition per bound plus a DEFAULT partition, so an insert outside the bounds never
  fails; the partitions are made first, then the rows copied (each straight into its own
  partition) and the identity sequence continues after the largest id.

Why not pg_partman: Django's ORM and migrations need nothing from it, and a clean machine
needs no extension; pg_partman (`postgresql-15-partman`) can adopt these tables later for
retention and pre-creation (`partman.create_parent(... p_type => 'range')`), see
docs/scale.md. New partitions ahead of time: `add_partitions`, which `manage.py
audit_partitions` calls. `unconvert` turns a table back into a plain one (a migration's
reverse; a unique index that got the column appended keeps it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

CONVERT = r"""
DROP FUNCTION IF EXISTS fi_partition_by_range(text, text);
DROP FUNCTION IF EXISTS fi_partition_by_range(text, text, boolean);
CREATE OR REPLACE FUNCTION fi_partition_by_range(
    tbl text, col text, referenced boolean, suffixes text[], los text[], his text[]
) RETURNS void AS $$
DECLARE
    old text := tbl || '_unpartitioned';
    colnum smallint;
    coltype text;
    r record;
    idx text[] := '{}';
    fks text[] := '{}';
    refs text[] := '{}';
    trg text[] := '{}';
    hid text;
    def text;
    seq text;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = tbl::regclass) THEN
        RETURN;  -- already partitioned
    END IF;
    IF NOT referenced AND EXISTS (
        SELECT 1 FROM pg_constraint WHERE contype = 'f' AND confrelid = tbl::regclass
    ) THEN
        RAISE EXCEPTION 'table % is referenced by a foreign key: cannot partition', tbl;
    END IF;
    SELECT attnum, format_type(atttypid, atttypmod) INTO colnum, coltype
    FROM pg_attribute WHERE attrelid = tbl::regclass AND attname = col;
    IF referenced THEN
        -- BEFORE INSERT OR UPDATE OF <fk> on a referencing table: copy the referenced row's
        -- key into the hidden column (arguments: the fk column, the hidden column). Static
        -- SQL, so PL/pgSQL keeps its plan (a dynamic EXECUTE re-plans over every partition
        -- on each row).
        EXECUTE format($f$
            CREATE OR REPLACE FUNCTION %I() RETURNS trigger AS $body$
            DECLARE
                ref text := to_jsonb(NEW) ->> TG_ARGV[0];
                val %s;
            BEGIN
                IF TG_OP = 'UPDATE' AND ref IS NOT DISTINCT FROM to_jsonb(OLD) ->> TG_ARGV[0]
                THEN
                    RETURN NEW;  -- same reference (ON UPDATE CASCADE sets the key itself)
                END IF;
                IF TG_OP = 'INSERT' AND to_jsonb(NEW) ->> TG_ARGV[1] IS NOT NULL THEN
                    RETURN NEW;  -- given (copied back by add_partitions); the FK checks it
                END IF;
                IF ref IS NOT NULL THEN
                    SELECT p.%I INTO val FROM %I p WHERE p.id = ref::bigint;
                END IF;
                RETURN jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[1], val));
            END $body$ LANGUAGE plpgsql
        $f$, 'fi_fill_key_' || tbl, coltype, col, tbl);
    END IF;
    -- Foreign keys into the table: drop them, give each referencing table the hidden key
    -- column (filled from the referenced row), recreate them on two columns afterwards.
    FOR r IN SELECT c.conname, rel.relname AS child, a.attname AS fk, c.confdeltype,
                    c.condeferrable, c.condeferred, cardinality(c.conkey) AS n
             FROM pg_constraint c
             JOIN pg_class rel ON rel.oid = c.conrelid
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
             WHERE c.contype = 'f' AND c.confrelid = tbl::regclass ORDER BY 2, 1 LOOP
        IF r.n <> 1 THEN
            RAISE EXCEPTION 'foreign key % on % has % columns', r.conname, r.child, r.n;
        END IF;
        hid := regexp_replace(r.fk, '_id$', '') || '_' || col;
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', r.child, r.conname);
        EXECUTE format('ALTER TABLE %I ADD COLUMN %I %s', r.child, hid, coltype);
        EXECUTE format('UPDATE %I c SET %I = p.%I FROM %I p WHERE p.id = c.%I',
                       r.child, hid, col, tbl, r.fk);
        refs := refs || format(
            'ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (%I, %I) REFERENCES %I (id, %I) '
            'MATCH FULL ON UPDATE CASCADE ON DELETE %s %s',
            r.child, r.conname, r.fk, hid, tbl, col,
            CASE r.confdeltype WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE'
                 WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END,
            CASE WHEN NOT r.condeferrable THEN 'NOT DEFERRABLE'
                 WHEN r.condeferred THEN 'DEFERRABLE INITIALLY DEFERRED'
                 ELSE 'DEFERRABLE INITIALLY IMMEDIATE' END);
        refs := refs || format(
            'CREATE TRIGGER %I BEFORE INSERT OR UPDATE OF %I ON %I FOR EACH ROW '
            'EXECUTE FUNCTION %I(%L, %L)',
            'fi_fill_' || hid, r.fk, r.child, 'fi_fill_key_' || tbl, r.fk, hid);
    END LOOP;
    FOR r IN SELECT i.indisunique, i.indisprimary, colnum = ANY(i.indkey) AS has_col,
                    pg_get_indexdef(i.indexrelid) AS d
             FROM pg_index i WHERE i.indrelid = tbl::regclass
             AND NOT EXISTS (SELECT 1 FROM pg_constraint u WHERE u.conrelid = tbl::regclass
                             AND u.contype = 'u' AND u.conindid = i.indexrelid) LOOP
        CONTINUE WHEN r.indisprimary;
        def := r.d;
        IF r.indisunique AND NOT r.has_col THEN
            def := regexp_replace(def, '\)$', ', ' || quote_ident(col) || ')');
        END IF;
        idx := idx || def;
    END LOOP;
    -- A unique constraint stays a constraint (what Django's migrations drop by name), with
    -- the partition key appended to its columns when it lacks it.
    FOR r IN SELECT conname, colnum = ANY(conkey) AS has_col, pg_get_constraintdef(oid) AS d
             FROM pg_constraint WHERE conrelid = tbl::regclass AND contype = 'u' LOOP
        def := r.d;
        IF NOT r.has_col THEN
            def := regexp_replace(def, '\)', ', ' || quote_ident(col) || ')');
        END IF;
        idx := idx || format('ALTER TABLE %I ADD CONSTRAINT %I %s', tbl, r.conname, def);
    END LOOP;
    -- conparentid = 0: not the clones a foreign key into a partitioned table has per
    -- partition (PostgreSQL makes them again).
    FOR r IN SELECT conname, pg_get_constraintdef(oid) AS d FROM pg_constraint
             WHERE conrelid = tbl::regclass AND contype = 'f' AND conparentid = 0 LOOP
        fks := fks || format('ALTER TABLE %I ADD CONSTRAINT %I %s', tbl, r.conname, r.d);
    END LOOP;
    -- The table's own triggers (a referencing table's hidden-key fill): on the new parent,
    -- which clones a row trigger onto every partition.
    FOR r IN SELECT pg_get_triggerdef(oid) AS d FROM pg_trigger
             WHERE tgrelid = tbl::regclass AND NOT tgisinternal LOOP
        trg := trg || r.d;
    END LOOP;
    EXECUTE format('ALTER TABLE %I RENAME TO %I', tbl, old);
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING IDENTITY '
                   'INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS '
                   'INCLUDING CONSTRAINTS) PARTITION BY RANGE (%I)', tbl, old, col);
    EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', tbl || '_default', tbl);
    -- The partitions before the rows: each row is written once, into its own partition.
    FOR i IN 1 .. coalesce(cardinality(suffixes), 0) LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                       tbl || '_' || suffixes[i], tbl, los[i], his[i]);
    END LOOP;
    EXECUTE format('INSERT INTO %I SELECT * FROM %I', tbl, old);
    seq := pg_get_serial_sequence(tbl, 'id');
    IF seq IS NOT NULL THEN
        EXECUTE format('SELECT setval(%L, COALESCE((SELECT max(id) FROM %I), 0) + 1, false)',
                       seq, tbl);
    END IF;
    EXECUTE format('DROP TABLE %I', old);
    EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (id, %I)', tbl, col);
    FOREACH def IN ARRAY idx LOOP EXECUTE def; END LOOP;
    FOREACH def IN ARRAY fks LOOP EXECUTE def; END LOOP;
    FOREACH def IN ARRAY trg LOOP EXECUTE def; END LOOP;
    FOREACH def IN ARRAY refs LOOP EXECUTE def; END LOOP;
END $$ LANGUAGE plpgsql;
"""

UNCONVERT = r"""
CREATE OR REPLACE FUNCTION fi_unpartition(tbl text, col text) RETURNS void AS $$
-- The reverse of fi_partition_by_range: a plain table with primary key (id) again; the
-- foreign keys into it are single-column again and the hidden key columns are dropped.
DECLARE
    tmp text := tbl || '_partitioned';
    r record;
    idx text[] := '{}';
    fks text[] := '{}';
    refs text[] := '{}';
    trg text[] := '{}';
    def text;
    seq text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = tbl::regclass) THEN
        RETURN;  -- not partitioned
    END IF;
    FOR r IN SELECT c.conname, rel.relname AS child, a.attname AS fk, h.attname AS hid,
                    c.confdeltype, c.condeferrable, c.condeferred
             FROM pg_constraint c
             JOIN pg_class rel ON rel.oid = c.conrelid
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
             LEFT JOIN pg_attribute h ON h.attrelid = c.conrelid AND h.attnum = c.conkey[2]
             WHERE c.contype = 'f' AND c.confrelid = tbl::regclass AND c.conparentid = 0
             ORDER BY 2, 1 LOOP
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', r.child, r.conname);
        IF r.hid IS NOT NULL THEN
            EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', 'fi_fill_' || r.hid, r.child);
            EXECUTE format('ALTER TABLE %I DROP COLUMN %I', r.child, r.hid);
        END IF;
        refs := refs || format(
            'ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (%I) REFERENCES %I (id) '
            'ON DELETE %s %s',
            r.child, r.conname, r.fk, tbl,
            CASE r.confdeltype WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE'
                 WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END,
            CASE WHEN NOT r.condeferrable THEN 'NOT DEFERRABLE'
                 WHEN r.condeferred THEN 'DEFERRABLE INITIALLY DEFERRED'
                 ELSE 'DEFERRABLE INITIALLY IMMEDIATE' END);
    END LOOP;
    FOR r IN SELECT i.indisprimary, pg_get_indexdef(i.indexrelid) AS d
             FROM pg_index i WHERE i.indrelid = tbl::regclass
             AND NOT EXISTS (SELECT 1 FROM pg_constraint u WHERE u.conrelid = tbl::regclass
                             AND u.contype = 'u' AND u.conindid = i.indexrelid) LOOP
        CONTINUE WHEN r.indisprimary;
        idx := idx || replace(r.d, ' ON ONLY ', ' ON ');
    END LOOP;
    FOR r IN SELECT conname, pg_get_constraintdef(oid) AS d FROM pg_constraint
             WHERE conrelid = tbl::regclass AND contype = 'u' LOOP
        idx := idx || format('ALTER TABLE %I ADD CONSTRAINT %I %s', tbl, r.conname, r.d);
    END LOOP;
    FOR r IN SELECT conname, pg_get_constraintdef(oid) AS d FROM pg_constraint
             WHERE conrelid = tbl::regclass AND contype = 'f' AND conparentid = 0 LOOP
        fks := fks || format('ALTER TABLE %I ADD CONSTRAINT %I %s', tbl, r.conname, r.d);
    END LOOP;
    FOR r IN SELECT pg_get_triggerdef(oid) AS d FROM pg_trigger
             WHERE tgrelid = tbl::regclass AND NOT tgisinternal AND tgparentid = 0 LOOP
        trg := trg || r.d;
    END LOOP;
    EXECUTE format('ALTER TABLE %I RENAME TO %I', tbl, tmp);
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING IDENTITY '
                   'INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS '
                   'INCLUDING CONSTRAINTS)', tbl, tmp);
    EXECUTE format('INSERT INTO %I SELECT * FROM %I', tbl, tmp);
    seq := pg_get_serial_sequence(tbl, 'id');
    IF seq IS NOT NULL THEN
        EXECUTE format('SELECT setval(%L, COALESCE((SELECT max(id) FROM %I), 0) + 1, false)',
                       seq, tbl);
    END IF;
    EXECUTE format('DROP TABLE %I', tmp);
    EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (id)', tbl);
    FOREACH def IN ARRAY idx LOOP EXECUTE def; END LOOP;
    FOREACH def IN ARRAY fks LOOP EXECUTE def; END LOOP;
    FOREACH def IN ARRAY trg LOOP EXECUTE def; END LOOP;
    FOREACH def IN ARRAY refs LOOP EXECUTE def; END LOOP;
    EXECUTE format('DROP FUNCTION IF EXISTS %I()', 'fi_fill_key_' || tbl);
END $$ LANGUAGE plpgsql;
"""


def months(first: dt.date, last: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """(suffix, from, to) for every month from first's month to last's month."""
    out = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        out.append((f"p{y}{m:02d}", dt.date(y, m, 1), dt.date(ny, nm, 1)))
        y, m = ny, nm
    return out


def years(first: int, last: int) -> list[tuple[str, dt.date, dt.date]]:
    return [(f"p{y}", dt.date(y, 1, 1), dt.date(y + 1, 1, 1)) for y in range(first, last + 1)]


def install(schema_editor) -> None:
    with schema_editor.connection.cursor() as c:
        for sql in (CONVERT, UNCONVERT):
            c.execute(sql)  # no parameters: the % of format() stay as they are


def convert(
    schema_editor,
    table: str,
    column: str,
    bounds: Iterable[tuple[str, dt.date, dt.date]],
    *,
    referenced: bool = False,
) -> None:
    """Partition `table` by RANGE (`column`) with one partition per bound (PostgreSQL).
    `referenced`: the foreign keys into `table` become two-column ones (module docstring)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    bounds = list(bounds)
    install(schema_editor)
    with schema_editor.connection.cursor() as c:
        c.execute(
            "SELECT fi_partition_by_range(%s, %s, %s, %s, %s, %s)",
            [
                table,
                column,
                referenced,
                [suffix for suffix, _lo, _hi in bounds],
                [lo.isoformat() for _s, lo, _hi in bounds],
                [hi.isoformat() for _s, _lo, hi in bounds],
            ],
        )


def unconvert(schema_editor, table: str, column: str) -> None:
    """Turn a table partitioned by `convert` back into a plain one (PostgreSQL)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    install(schema_editor)
    with schema_editor.connection.cursor() as c:
        c.execute("SELECT fi_unpartition(%s, %s)", [table, column])


def add_partitions(connection, table: str, bounds: Iterable[tuple[str, dt.date, dt.date]]) -> int:
    """Create the missing partitions of `table` (PostgreSQL). Rows of a new partition's
    range already in the DEFAULT partition are moved into it (for a referenced table, with
    the foreign keys into it dropped and added back around the move). Returns how many
    were made."""
    if connection.vendor != "postgresql":
        return 0
    made = 0
    with connection.cursor() as c:
        c.execute(
            "SELECT a.attname FROM pg_partitioned_table p JOIN pg_attribute a "
            "ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] "
            "WHERE p.partrelid = %s::regclass",
            [table],
        )
        row = c.fetchone()
        if row is None:
            return 0  # not (or no longer) partitioned
        col = row[0]
        for suffix, lo, hi in bounds:
            part = f"{table}_{suffix}"
            c.execute("SELECT to_regclass(%s)", [part])
            if c.fetchone()[0] is not None:
                continue
            a, b = f"'{lo.isoformat()}'", f"'{hi.isoformat()}'"
            c.execute(
                f'SELECT EXISTS (SELECT 1 FROM "{table}_default" '
                f'WHERE "{col}" >= {a} AND "{col}" < {b})'
            )
            references = _drop_references(c, table) if c.fetchone()[0] else []
            # Rows of this range sitting in DEFAULT would block the new partition: move them.
            c.execute(
                f'CREATE TEMP TABLE "{part}_moving" AS WITH m AS (DELETE FROM "{table}_default" '
                f'WHERE "{col}" >= {a} AND "{col}" < {b} RETURNING *) SELECT * FROM m'
            )
            c.execute(
                f'CREATE TABLE "{part}" PARTITION OF "{table}" FOR VALUES FROM ({a}) TO ({b})'
            )
            c.execute(f'INSERT INTO "{table}" SELECT * FROM "{part}_moving"')
            c.execute(f'DROP TABLE "{part}_moving"')
            for sql in references:
                c.execute(sql)
            if references:
                c.execute("SET CONSTRAINTS ALL DEFERRED")
            made += 1
    return made


def _drop_references(c, table: str) -> list[str]:
    """Drop the foreign keys into `table` (a referenced partitioned table: the rows moving
    out of DEFAULT would fail their checks, made per partition) and return the statements
    that put them back (checked again when added). Their pending checks run first: ALTER
    TABLE refuses a table with pending trigger events."""
    c.execute(
        "SELECT rel.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "JOIN pg_class rel ON rel.oid = c.conrelid WHERE c.contype = 'f' "
        "AND c.confrelid = %s::regclass AND c.conparentid = 0 ORDER BY 1, 2",
        [table],
    )
    rows = c.fetchall()
    if not rows:
        return []
    c.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for child, name, _d in rows:
        c.execute(f'ALTER TABLE "{child}" DROP CONSTRAINT "{name}"')
    return [f'ALTER TABLE "{child}" ADD CONSTRAINT "{name}" {d}' for child, name, d in rows]
