"""Issue 13: a pool's exclusions become rows (PoolExclusion) instead of one JSON value, the
pool keeps their count, and `text_sha256` holds the SHA-256 of the stored text. On
PostgreSQL a trigger keeps `text_sha256` equal to the text's digest on every write (so the
public page checks the stored text without reading it) and the text's storage is EXTERNAL
(uncompressed TOAST: the streamed download reads slices). SQLite gets neither: there the
verification hashes the text in Python."""

import hashlib

import django.db.models.deletion
from django.db import migrations, models

TRIGGER = """
CREATE OR REPLACE FUNCTION planning_pool_text_sha256() RETURNS trigger AS $$
BEGIN
    NEW.text_sha256 := encode(sha256(convert_to(NEW.text, 'UTF8')), 'hex');
    RETURN NEW;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS planning_pool_text_sha256 ON planning_pool;
CREATE TRIGGER planning_pool_text_sha256 BEFORE INSERT OR UPDATE ON planning_pool
    FOR EACH ROW EXECUTE FUNCTION planning_pool_text_sha256();
ALTER TABLE planning_pool ALTER COLUMN text SET STORAGE EXTERNAL;
"""
DROP = """
DROP TRIGGER IF EXISTS planning_pool_text_sha256 ON planning_pool;
DROP FUNCTION IF EXISTS planning_pool_text_sha256();
"""


def to_rows(apps, schema_editor):
    Pool = apps.get_model("planning", "Pool")
    PoolExclusion = apps.get_model("planning", "PoolExclusion")
    for pool in Pool.objects.all().iterator(chunk_size=10):
        rows = [
            PoolExclusion(pool=pool, position=n, ident=e["id"], reasons=e["reasons"])
            for n, e in enumerate(pool.excluded or [])
        ]
        PoolExclusion.objects.bulk_create(rows, batch_size=5000)
        Pool.objects.filter(pk=pool.pk).update(
            excluded_count=len(rows),
            text_sha256=hashlib.sha256(pool.text.encode("utf-8")).hexdigest(),
        )


def to_json(apps, schema_editor):
    Pool = apps.get_model("planning", "Pool")
    for pool in Pool.objects.all():
        pool.excluded = [
            {"id": e.ident, "reasons": e.reasons} for e in pool.exclusions.order_by("position")
        ]
        pool.save(update_fields=["excluded"])


def trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)


def untrigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0006_merge_submitted_by_and_derived_last_year"),
    ]

    operations = [
        migrations.AddField(
            model_name="pool",
            name="excluded_count",
            field=models.PositiveIntegerField(default=0, verbose_name="排除数量"),
        ),
        migrations.AddField(
            model_name="pool",
            name="text_sha256",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.CreateModel(
            name="PoolExclusion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveIntegerField()),
                ("ident", models.CharField(max_length=64, verbose_name="编号")),
                ("reasons", models.JSONField(default=list, verbose_name="理由")),
                (
                    "pool",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="exclusions",
                        to="planning.pool",
                    ),
                ),
            ],
            options={
                "verbose_name": "排除记录",
                "verbose_name_plural": "排除记录",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("pool", "position"), name="planning_poolexclusion_position"
                    )
                ],
            },
        ),
        migrations.RunPython(to_rows, to_json),
        migrations.RemoveField(model_name="pool", name="excluded"),
        migrations.RunPython(trigger, untrigger),
    ]
