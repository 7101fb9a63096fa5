from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0003_lean_indexes"),
        ("mediation", "0003_unlink_repeated_incident_cases"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="disputecase",
            constraint=models.UniqueConstraint(
                fields=("incident",), name="dispute_case_one_per_incident"
            ),
        ),
    ]
