"""Querysets compiled once per connection and re-run with new values (issue 13: requests
close to their SQL).

Compiling a queryset (`SQLCompiler.as_sql`) costs far more CPU than the database spends
on a small indexed statement. A `Prepared` statement is still written as an ordinary
queryset (the ORM stays the one definition of the SQL), built once with *sentinel* values
in place of the request's own (an enterprise id, a year's first day…); the compiled SQL,
the positions of the sentinels among its parameters and the compiler (its select list and
result converters) are kept on the connection. Each request then substitutes its values
and executes the SQL directly, and rows come back through Django's own converters (and,
for a model queryset, `Model.from_db` and the select_related populators, as
`ModelIterable` does), so they are what the queryset itself would have returned.

Sentinels must be values no real request passes (negative ids, dates in 1901), inside the
field's range (Django turns an out-of-range integer lookup into "no rows"), and each
must be distinct; a statement whose *shape* depends on an argument (officer or none, city
or district view) is one `Prepared` per shape.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

_ATTR = "_fairinspect_prepared"


class _Compiled:
    __slots__ = (
        "compiler",
        "converters",
        "init",
        "model",
        "names",
        "params",
        "slots",
        "span",
        "sql",
    )

    def __init__(self, qs: QuerySet, sentinels: dict[str, Any], using: str):
        conn = connections[using]
        compiler = qs.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        adapted = {name: _adapt(conn, v) for name, v in sentinels.items()}
        # (position, name, adapt, wrap): `adapt` when the backend adapted the value (SQLite
        # dates), `wrap` the parameter's own type when it is a subclass (psycopg's Int2).
        slots: list[tuple[int, str, bool, type | None]] = []
        for i, p in enumerate(params):
            for name, v in sentinels.items():
                a = adapted[name]
                if isinstance(p, type(v)) and not isinstance(p, bool) and p == v:
                    slots.append((i, name, False, None if type(p) is type(v) else type(p)))
                    break
                if a is not v and isinstance(p, type(a)) and p == a:
                    slots.append((i, name, True, None if type(p) is type(a) else type(p)))
                    break
        found = {slot[1] for slot in slots}
        if found != set(sentinels):
            missing = ", ".join(sorted(set(sentinels) - found))
            raise ValueError(f"prepared statement: sentinel(s) {missing} not among the params")
        self.sql, self.params, self.slots, self.compiler = sql, list(params), slots, compiler
        # The result converters, as results_iter would find them on every execution (they
        # depend on the fields and the connection only; this compiler is the connection's).
        # A composite primary key's columns (none here) take results_iter's own path.
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        self.converters = (
            None if compiler.has_composite_fields(fields) else compiler.get_converters(fields)
        )
        q = qs.query
        self.names = [*q.extra_select, *q.values_select, *q.annotation_select]
        self.model = None
        self.init: list[str] = []
        self.span = (0, 0)  # the model's columns among the row's
        if (
            compiler.klass_info is not None
            and not q.values_select
            and getattr(qs, "_fields", None) is None
        ):
            self.model = compiler.klass_info["model"]
            fields = compiler.klass_info["select_fields"]
            self.span = start, end = fields[0], fields[-1] + 1
            self.init = [f[0].target.attname for f in compiler.select[start:end]]


def _cursor(conn):
    """A cursor for a prepared statement. On PostgreSQL with `prepare_threshold` set in the
    database's OPTIONS (settings.py sets 0 for the application's connections), psycopg's
    server-side binding cursor: the statement is prepared on the server at its first
    execution on the connection and later executions skip the planner. Wrapped as Django
    wraps every cursor (execute_wrappers, error mapping). Everywhere else, and while queries
    are logged (DEBUG, a test capturing them: the log must hold the literal statement,
    which a server-bound query does not have), the connection's ordinary cursor."""
    if conn.vendor != "postgresql" or conn.queries_logged:
        return conn.cursor()
    conn.ensure_connection()
    if conn.connection.prepare_threshold is None:
        return conn.cursor()
    import psycopg

    with conn.wrap_database_errors:
        # Django's own wrapping of a new cursor (private, but what conn.cursor() calls).
        return conn._prepare_cursor(psycopg.Cursor(conn.connection))


def _adapt(conn, value):
    """The parameter form the backend gives a value (SQLite passes dates as text)."""
    if isinstance(value, dt.datetime):
        return conn.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return conn.ops.adapt_datefield_value(value)
    return value


class Prepared:
    """One statement: `build(**sentinels)` gives its queryset (values()/values_list() for
    rows, or a model queryset for instances)."""

    def __init__(self, build: Callable[..., QuerySet], **sentinels: Any):
        self.build = build
        self.sentinels = sentinels

    def _compiled(self, using: str) -> _Compiled:
        conn = connections[using]
        cache = conn.__dict__.setdefault(_ATTR, {})
        # Keyed by the statement itself (not its id(): a collected statement's id is reused).
        c = cache.get(self)
        if c is None:
            c = cache[self] = _Compiled(self.build(**self.sentinels), self.sentinels, using)
        return c

    def _execute(self, using: str, values: dict[str, Any]):
        c = self._compiled(using)
        conn = connections[using]
        params = list(c.params)
        for i, name, adapt, wrap in c.slots:
            v = _adapt(conn, values[name]) if adapt else values[name]
            params[i] = wrap(v) if wrap is not None else v
        with _cursor(conn) as cur:
            cur.execute(c.sql, params)
            rows = cur.fetchall()
        if c.converters is None:
            return c, c.compiler.results_iter([rows])
        return c, c.compiler.apply_converters(rows, c.converters) if c.converters else rows

    def rows(self, using: str = "default", **values: Any) -> list[tuple]:
        """The rows as tuples, columns in the order of `names(using)`."""
        _c, rows = self._execute(using, values)
        return [tuple(r) for r in rows]

    def dicts(self, using: str = "default", **values: Any) -> list[dict[str, Any]]:
        """The rows as .values() would give them."""
        c, rows = self._execute(using, values)
        names = c.names
        return [dict(zip(names, r, strict=True)) for r in rows]

    def objects(self, using: str = "default", **values: Any) -> list[Any]:
        """The model instances (with select_related objects and annotations)."""
        c, rows = self._execute(using, values)
        compiler = c.compiler
        if c.model is None:
            raise TypeError("objects() needs a model queryset")
        start, end = c.span
        populators = get_related_populators(compiler.klass_info, compiler.select, using)
        annotations = compiler.annotation_col_map
        out = []
        for row in rows:
            obj = c.model.from_db(using, c.init, row[start:end])
            for p in populators:
                p.populate(row, obj)
            if annotations:
                for attr, pos in annotations.items():
                    setattr(obj, attr, row[pos])
            out.append(obj)
        return out

    def names(self, using: str = "default") -> list[str]:
        return list(self._compiled(using).names)
