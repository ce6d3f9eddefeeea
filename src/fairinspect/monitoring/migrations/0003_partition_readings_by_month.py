"""Issue 13 item 4: on PostgreSQL the monitoring readings are partitioned by RANGE (at), one
partition a month (2025-01 to 2027-12) plus a DEFAULT one (fairinspect.core.partitioning).
The primary key becomes (id, at); the unique (point, at) and the (enterprise, at) index
already hold the partition key, so nothing is weakened. Later months are created ahead by
`fairinspect monitor-partitions` (daily timer). SQLite is left untouched."""

import datetime as dt

from django.db import migrations

from fairinspect.core import partitioning


def forwards(apps, schema_editor):
    partitioning.convert(
        schema_editor,
        "monitoring_reading",
        "at",
        partitioning.months(dt.date(2025, 1, 1), dt.date(2027, 12, 1)),
    )


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("monitoring", "0002_offsite_inspection")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
