"""Search keys for the enterprises on record, the bigram index the search uses on
PostgreSQL, and the first saved column mapping (the national enterprise credit publicity
system's export, 国家企业信用信息公示系统).

The bigram index: `fi_bigrams(text)` is the set of two-character pieces of a text; a GIN
index over it finds the rows holding every piece of a query of two or more characters (a
trigram index cannot serve a two-character query: it has no trigram to look up). It
replaces the trigram index on the name alone (0003): the search now reads the key. On
SQLite both are skipped; the search reads the keys there (docs/performance.md).
"""

from django.db import migrations

BIGRAM_SQL = [
    """
    CREATE OR REPLACE FUNCTION fi_bigrams(t text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT coalesce(array_agg(DISTINCT substr(t, i, 2)), '{}')
      FROM generate_series(1, length(t) - 1) AS i
    $$
    """,
    "CREATE INDEX IF NOT EXISTS enterprise_search_bigram_idx ON registry_enterprise "
    "USING gin (fi_bigrams(search_key))",
    "DROP INDEX IF EXISTS enterprise_name_trgm_idx",
]
UNDO_SQL = [
    "DROP INDEX IF EXISTS enterprise_search_bigram_idx",
    "DROP FUNCTION IF EXISTS fi_bigrams(text)",
    "CREATE INDEX IF NOT EXISTS enterprise_name_trgm_idx ON registry_enterprise "
    "USING gin (name gin_trgm_ops)",
]

NATIONAL_COLUMNS = {
    "企业名称": "name",
    "名称": "name",
    "统一社会信用代码": "credit_code",
    "注册日期": "registered_on",
    "成立日期": "registered_on",
    "企业类型": "enterprise_type",
    "类型": "enterprise_type",
    "法定代表人": "legal_representative",
    "法定代表人/负责人": "legal_representative",
    "注册资本": "registered_capital",
    "经营范围": "business_scope",
    "登记机关": "registration_authority",
    "地区": "registration_authority",
    "住所": "address",
    "登记状态": "status",
    "经营状态": "status",
    "所属行业": "industry_name",
}


def _pg(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


def keys(apps, schema_editor):
    from fairinspect.rules.search import search_key

    Enterprise = apps.get_model("registry", "Enterprise")
    batch = []
    for e in Enterprise.objects.only("name", "former_names", "credit_code", "address").iterator():
        e.search_key = search_key(
            name=e.name, former_names=e.former_names or (), credit_code=e.credit_code,
            address=e.address,
        )
        batch.append(e)
        if len(batch) >= 1000:
            Enterprise.objects.bulk_update(batch, ["search_key"])
            batch = []
    if batch:
        Enterprise.objects.bulk_update(batch, ["search_key"])


def mapping(apps, schema_editor):
    ImportMapping = apps.get_model("registry", "ImportMapping")
    ImportMapping.objects.get_or_create(
        source="gsxt",
        defaults={
            "name": "国家企业信用信息公示系统导出",
            "columns": NATIONAL_COLUMNS,
            # The export carries no GB/T 4754 code or supervising level: a new enterprise
            # takes these until an officer sets them (the page asks for the industry).
            "defaults": {"supervising_level": "district", "industry_code": ""},
            "flags_missing": True,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_registration_fields_mapping_job_lease_tokens")]

    operations = [
        migrations.RunPython(keys, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(mapping, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(_pg(BIGRAM_SQL), _pg(UNDO_SQL), elidable=False),
    ]
