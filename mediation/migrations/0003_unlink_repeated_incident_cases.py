from django.db import migrations, models


def unlink_repeated_cases(apps, schema_editor):
    """Cases opened twice from one incident (parallel requests did that before the constraint):
    the first keeps the link, the later ones stay as cases of their own, unlinked."""
    DisputeCase = apps.get_model("mediation", "DisputeCase")
    repeated = (
        DisputeCase.objects.filter(incident__isnull=False)
        .values("incident")
        .annotate(first=models.Min("pk"), count=models.Count("pk"))
        .filter(count__gt=1)
    )
    for group in repeated:
        DisputeCase.objects.filter(incident=group["incident"]).exclude(pk=group["first"]).update(
            incident=None
        )


class Migration(migrations.Migration):
    dependencies = [("mediation", "0002_default_types")]

    operations = [migrations.RunPython(unlink_repeated_cases, migrations.RunPython.noop)]
