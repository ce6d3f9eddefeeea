"""Declarative range partitioning of a Django-managed PostgreSQL table (issue 13).

Used by migrations, on PostgreSQL only (SQLite is left as it is). `convert(schema_editor,
table, column, bounds)` turns an existing table into one partitioned by RANGE (column):

- the new parent has the same columns, defaults and identity (LIKE … INCLUDING ALL minus
  the indexes), its primary key becomes (id, column) — PostgreSQL requires the partition key
  in every unique index — and Django keeps reading `id` as the primary key (a sequence
  value: still unique in practice, and `WHERE id = …` still finds the row);
- every index is recreated on the parent under its old name; a unique index without the
  partition key gets it appended (the only weakening: documented in docs/scale.md);
- foreign keys out of the table are recreated; nothing may reference the table (checked);
- one partition per bound plus a DEFAULT partition, so an insert outside the bounds never
  fails; the rows are copied and the identity sequence continues after the largest id.

Why not pg_partman: Django's ORM and migrations need nothing from it, and a clean machine
needs no extension; pg_partman (`postgresql-15-partman`) can adopt these tables later for
retention and pre-creation (`partman.create_parent(... p_type => 'range')`), see
docs/scale.md. New partitions ahead of time: `add_partitions`, which `manage.py
audit_partitions` calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

CONVERT = r"""
CREATE OR REPLACE FUNCTION fi_partition_by_range(tbl text, col text) RETURNS void AS $$
DECLARE
    old text := tbl || '_unpartitioned';
    colnum smallint;
    r record;
    idx text[] := '{}';
    fks text[] := '{}';
    def text;
    seq text;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = tbl::regclass) THEN
        RETURN;  -- already partitioned
    END IF;
    IF EXISTS (SELECT 1 FROM pg_constraint WHERE contype = 'f' AND confrelid = tbl::regclass) THEN
        RAISE EXCEPTION 'table % is referenced by a foreign key: cannot partition', tbl;
    END IF;
    SELECT attnum INTO colnum FROM pg_attribute WHERE attrelid = tbl::regclass AND attname = col;
    FOR r IN SELECT i.indisunique, i.indisprimary, colnum = ANY(i.indkey) AS has_col,
                    pg_get_indexdef(i.indexrelid) AS d
             FROM pg_index i WHERE i.indrelid = tbl::regclass LOOP
        CONTINUE WHEN r.indisprimary;
        def := r.d;
        IF r.indisunique AND NOT r.has_col THEN
            def := regexp_replace(def, '\)$', ', ' || quote_ident(col) || ')');
        END IF;
        idx := idx || def;
    END LOOP;
    FOR r IN SELECT conname, pg_get_constraintdef(oid) AS d FROM pg_constraint
             WHERE conrelid = tbl::regclass AND contype = 'f' LOOP
        fks := fks || format('ALTER TABLE %I ADD CONSTRAINT %I %s', tbl, r.conname, r.d);
    END LOOP;
    EXECUTE format('ALTER TABLE %I RENAME TO %I', tbl, old);
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING IDENTITY '
                   'INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS '
                   'INCLUDING CONSTRAINTS) PARTITION BY RANGE (%I)', tbl, old, col);
    EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', tbl || '_default', tbl);
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
        c.execute(CONVERT)  # no parameters: the % of format() stay as they are


def convert(
    schema_editor, table: str, column: str, bounds: Iterable[tuple[str, dt.date, dt.date]]
) -> None:
    """Partition `table` by RANGE (`column`) with one partition per bound (PostgreSQL)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    install(schema_editor)
    with schema_editor.connection.cursor() as c:
        c.execute("SELECT fi_partition_by_range(%s, %s)", [table, column])
    add_partitions(schema_editor.connection, table, bounds)


def add_partitions(connection, table: str, bounds: Iterable[tuple[str, dt.date, dt.date]]) -> int:
    """Create the missing partitions of `table` (PostgreSQL). Rows of a new partition's
    range already in the DEFAULT partition are moved into it. Returns how many were made."""
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
        col = c.fetchone()[0]
        for suffix, lo, hi in bounds:
            part = f"{table}_{suffix}"
            c.execute("SELECT to_regclass(%s)", [part])
            if c.fetchone()[0] is not None:
                continue
            a, b = f"'{lo.isoformat()}'", f"'{hi.isoformat()}'"
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
            made += 1
    return made
