"""Issue 13 item 2: a draw's result becomes rows (DrawPairing: one per selected enterprise,
its drawn position, enterprise, credit code and paired officers) instead of the two JSON
values `selected` and `pairings`, which are dropped (one copy of the result, never two to
keep equal; `Draw.selected` / `Draw.pairings` stay as properties over the rows). The draw
keeps two digests of its result, `selected_sha256` (of the selection file, one credit code
a line) and `pairings_sha256` (of the canonical JSON of the pairings), written once with the
rows. On PostgreSQL a trigger on the rows (per statement, over its transition tables)
empties both digests whenever a row of a draw is inserted, changed or deleted while they
are set: the verification key then differs and the draw is verified again (reading the
rows), so an altered row is noticed without any page reading them. SQLite gets no trigger
(a trigger on one table naming another breaks SQLite's rebuild of that other table in any
later migration of planning_draw): there the verification hashes the rows, as it hashes the
pool text.

Reversible: backwards, the JSON values are rebuilt from the rows before the table goes."""

import hashlib
import json

import django.db.models.deletion
from django.db import migrations, models

PG_TRIGGER = """
CREATE OR REPLACE FUNCTION planning_drawpairing_stale() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE planning_draw SET selected_sha256 = '', pairings_sha256 = ''
        WHERE id IN (SELECT DISTINCT draw_id FROM new_rows)
          AND (selected_sha256 <> '' OR pairings_sha256 <> '');
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE planning_draw SET selected_sha256 = '', pairings_sha256 = ''
        WHERE id IN (SELECT DISTINCT draw_id FROM old_rows)
          AND (selected_sha256 <> '' OR pairings_sha256 <> '');
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER planning_drawpairing_stale_ins AFTER INSERT ON planning_drawpairing
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION planning_drawpairing_stale();
CREATE TRIGGER planning_drawpairing_stale_upd AFTER UPDATE ON planning_drawpairing
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION planning_drawpairing_stale();
CREATE TRIGGER planning_drawpairing_stale_del AFTER DELETE ON planning_drawpairing
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION planning_drawpairing_stale();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS planning_drawpairing_stale_ins ON planning_drawpairing;
DROP TRIGGER IF EXISTS planning_drawpairing_stale_upd ON planning_drawpairing;
DROP TRIGGER IF EXISTS planning_drawpairing_stale_del ON planning_drawpairing;
DROP FUNCTION IF EXISTS planning_drawpairing_stale();
"""
def _canonical(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def to_rows(apps, schema_editor):
    """Each draw's JSON result as rows, its digests computed as draws.ResultDigests does."""
    Draw = apps.get_model("planning", "Draw")
    DrawPairing = apps.get_model("planning", "DrawPairing")
    Enterprise = apps.get_model("registry", "Enterprise")
    Pool = apps.get_model("planning", "Pool")
    for draw in Draw.objects.exclude(pairings=[]).iterator(chunk_size=10):
        pairings = list(draw.pairings or [])
        facts = Pool.objects.filter(task_id=draw.task_id, kind="officers").first()
        names = {k: v.get("name", "") for k, v in (facts.facts if facts else {}).items()}
        codes = [p["enterprise"] for p in pairings]
        pks = dict(Enterprise.objects.filter(credit_code__in=codes).values_list("credit_code", "pk"))
        if missing := [c for c in codes if c not in pks]:
            raise RuntimeError(f"draw {draw.pk}: enterprises not in the registry: {missing[:5]}")
        DrawPairing.objects.bulk_create(
            (
                DrawPairing(
                    draw_id=draw.pk,
                    position=n,
                    enterprise_id=pks[p["enterprise"]],
                    credit_code=p["enterprise"],
                    officers=list(p.get("officers") or []),
                    officer_names=[names.get(o, "") for o in p.get("officers") or []],
                    skipped=list(p.get("skipped") or []),
                    unpaired=p.get("unpaired") or "",
                )
                for n, p in enumerate(pairings)
            ),
            batch_size=5000,
        )
        Draw.objects.filter(pk=draw.pk).update(
            selected_sha256=hashlib.sha256("".join(f"{c}\n" for c in codes).encode()).hexdigest(),
            pairings_sha256=hashlib.sha256(_canonical(pairings).encode()).hexdigest(),
        )


def to_json(apps, schema_editor):
    Draw = apps.get_model("planning", "Draw")
    for draw in Draw.objects.all().iterator(chunk_size=10):
        rows = list(draw.pairing_rows.order_by("position"))
        draw.selected = [r.credit_code for r in rows]
        draw.pairings = [
            {
                "enterprise": r.credit_code,
                "officers": list(r.officers),
                "skipped": [list(s) for s in r.skipped],
                "unpaired": r.unpaired,
            }
            for r in rows
        ]
        draw.save(update_fields=["selected", "pairings"])


def trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_TRIGGER)


def untrigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0008_task_weighted_by_risk"),
        ("registry", "0003_enterprise_name_trgm"),
    ]

    operations = [
        migrations.AddField(
            model_name="draw",
            name="selected_sha256",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="draw",
            name="pairings_sha256",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.CreateModel(
            name="DrawPairing",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveIntegerField()),
                ("credit_code", models.CharField(max_length=18, verbose_name="统一社会信用代码")),
                ("officers", models.JSONField(default=list, verbose_name="执法人员")),
                ("officer_names", models.JSONField(default=list, verbose_name="执法人员姓名")),
                ("skipped", models.JSONField(default=list, verbose_name="回避等跳过")),
                ("unpaired", models.TextField(blank=True, default="", verbose_name="未匹配原因")),
                (
                    "draw",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="pairing_rows",
                        to="planning.draw",
                    ),
                ),
                (
                    "enterprise",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registry.enterprise",
                    ),
                ),
            ],
            options={
                "verbose_name": "抽中企业",
                "verbose_name_plural": "抽中企业",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("draw", "position"), name="planning_drawpairing_position"
                    )
                ],
            },
        ),
        migrations.RunPython(to_rows, to_json),
        migrations.RemoveField(model_name="draw", name="pairings"),
        migrations.RemoveField(model_name="draw", name="selected"),
        migrations.RunPython(trigger, untrigger),
    ]
