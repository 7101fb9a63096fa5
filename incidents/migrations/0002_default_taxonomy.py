from django.db import migrations


def install(apps, schema_editor):
    from incidents.taxonomy import device_event_types_install, taxonomy_install

    category = apps.get_model("incidents", "Category")
    taxonomy_install(category)
    device_event_types_install(apps.get_model("incidents", "DeviceEventType"), category)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
