"""Departments of the bureau, GB/T 4754-2017 industries with their high-risk mapping, and
one group per role. Reference data every install needs; reloading later is
`fairinspect load_reference` (idempotent)."""

from django.db import migrations


def load(apps, schema_editor):
    from fairinspect.core.roles import Role
    from fairinspect.registry.reference import load_departments, load_industries

    load_departments(apps.get_model("registry", "Department"))
    load_industries(apps.get_model("registry", "Industry"))
    Group = apps.get_model("auth", "Group")
    for role in Role:
        Group.objects.get_or_create(name=role.value)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
