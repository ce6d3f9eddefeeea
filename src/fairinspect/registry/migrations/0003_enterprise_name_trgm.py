"""A trigram index on the enterprise name, on PostgreSQL only (a no-op on SQLite).

The enterprise search filters with `name LIKE '%…%'` (queries.filter_enterprises), which a
B-tree index cannot serve: without this index PostgreSQL reads the whole table on every
search. bench/registry_search.py measures the search with and without it
(docs/performance.md). pg_trgm is a trusted extension: the database owner may create it.
The index is not declared on the model (it would need django.contrib.postgres and would
not exist on SQLite), so `makemigrations` leaves it alone.
"""

from django.db import migrations

INDEX_NAME = "enterprise_name_trgm_idx"
CREATE_SQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON registry_enterprise USING gin (name gin_trgm_ops)",
]
DROP_SQL = [f"DROP INDEX IF EXISTS {INDEX_NAME}"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_reference_data")]

    operations = [migrations.RunPython(_run(CREATE_SQL), _run(DROP_SQL), elidable=False)]
