"""Issue 15 items 2 and 4: a search index that costs the database nothing to compute, an
exact-name index, and room for in-place updates (PostgreSQL only; SQLite gets the column).

- `search_grams` holds the two-character pieces of the key (rules.search.key_grams),
  computed by the application. The GIN index reads `string_to_array(search_grams, ' ')`
  (a built-in C function) instead of `fi_bigrams(search_key)` (a SQL function run for
  every row written: 3.9 s of a 100,000-row write transaction). It replaces
  `enterprise_search_bigram_idx`; `fi_bigrams` stays for whoever calls it.
- `enterprise_search_key_pattern_idx`: a B-tree (text_pattern_ops) on the key, so the
  "exact name first" test (`key = q OR key LIKE 'q\n%'`) is an index lookup, not a scan
  of every match of a two-character query.
- `fillfactor = 50` on the enterprise table: a re-import that changes no indexed column
  (a new 主要负责人, a new phone) updates every row in place (a HOT update: no index
  entry is written), so the write transaction that holds the changed rows is short.
  It applies to pages written from now on; a `VACUUM FULL registry_enterprise` in a quiet
  hour applies it to the existing pages.
"""

from django.db import migrations, models

CREATE_SQL = [
    "DROP INDEX IF EXISTS enterprise_search_bigram_idx",
    # The stored keys' pieces, in SQL (no row leaves the database), before the index exists.
    "UPDATE registry_enterprise SET search_grams = coalesce((SELECT string_agg(g, ' ') "
    "FROM unnest(fi_bigrams(search_key)) AS g WHERE strpos(g, E'\\n') = 0), '')",
    "CREATE INDEX IF NOT EXISTS enterprise_search_gram_idx ON registry_enterprise "
    "USING gin (string_to_array(search_grams, ' ')) WITH (fastupdate = on)",
    "CREATE INDEX IF NOT EXISTS enterprise_search_key_pattern_idx ON registry_enterprise "
    "(search_key text_pattern_ops)",
    "ALTER TABLE registry_enterprise SET (fillfactor = 50)",
]
UNDO_SQL = [
    "ALTER TABLE registry_enterprise RESET (fillfactor)",
    "DROP INDEX IF EXISTS enterprise_search_key_pattern_idx",
    "CREATE INDEX IF NOT EXISTS enterprise_search_bigram_idx ON registry_enterprise "
    "USING gin (fi_bigrams(search_key))",
    "DROP INDEX IF EXISTS enterprise_search_gram_idx",
]


def _pg(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


def grams(apps, schema_editor):
    """SQLite: the keys' pieces computed here (PostgreSQL does it in CREATE_SQL)."""
    if schema_editor.connection.vendor == "postgresql":
        return
    from fairinspect.rules.search import key_grams, search_key

    Enterprise = apps.get_model("registry", "Enterprise")
    batch = []
    fields = ["name", "former_names", "former_identifiers", "credit_code", "address"]
    for e in Enterprise.objects.only(*fields).iterator(chunk_size=2000):
        e.search_key = search_key(
            name=e.name,
            former_names=e.former_names or (),
            credit_code=e.credit_code,
            address=e.address,
            former_identifiers=e.former_identifiers or (),
        )
        e.search_grams = key_grams(e.search_key)
        batch.append(e)
        if len(batch) >= 2000:
            Enterprise.objects.bulk_update(batch, ["search_key", "search_grams"])
            batch = []
    if batch:
        Enterprise.objects.bulk_update(batch, ["search_key", "search_grams"])


# The national export's older identifier columns (present in exports of enterprises
# registered before 2015): kept as the enterprise's former identifiers (issue 15 item 2).
NATIONAL_IDENTIFIER_COLUMNS = {
    "注册号": "former_identifiers",
    "工商注册号": "former_identifiers",
    "原注册号": "former_identifiers",
    "组织机构代码": "former_identifiers",
}


def identifier_columns(apps, schema_editor):
    ImportMapping = apps.get_model("registry", "ImportMapping")
    for m in ImportMapping.objects.filter(source="gsxt"):
        m.columns = {**NATIONAL_IDENTIFIER_COLUMNS, **(m.columns or {})}
        m.save(update_fields=["columns"])


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_search_key_bigrams_national_mapping")]

    operations = [
        migrations.AddField(
            model_name="enterprise",
            name="search_grams",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(grams, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(_pg(CREATE_SQL), _pg(UNDO_SQL), elidable=False),
        migrations.RunPython(identifier_columns, migrations.RunPython.noop, elidable=False),
    ]
