"""Issue 13: on PostgreSQL the audit events are partitioned by RANGE (at), one partition a
year (2020-2035) plus a DEFAULT one (fairinspect.core.partitioning). The primary key becomes
(id, at) and the unique (chain, seq) becomes unique (chain, seq, at) — the chain's row lock
(trail.py) is what keeps seq unique; the index only backs it up within a year. SQLite is
left untouched."""

from django.db import migrations

from fairinspect.core import partitioning


def forwards(apps, schema_editor):
    partitioning.convert(schema_editor, "audit_auditevent", "at", partitioning.years(2020, 2035))


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("audit", "0002_copy_supervision_events")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
