from django.db import migrations

from mediation.defaults import dispute_types_install


def install(apps, schema_editor):
    dispute_types_install(apps.get_model("mediation", "DisputeType"))


class Migration(migrations.Migration):
    dependencies = [("mediation", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
