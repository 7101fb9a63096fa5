import django.db.models.deletion
from django.db import migrations, models


def led_by_the_organizer(apps, schema_editor):
    """Battles so far were the campaign's own: its organizer leads them."""
    ClusterBattle = apps.get_model("campaigns", "ClusterBattle")
    for battle in ClusterBattle.objects.select_related("campaign").filter(lead_unit=None):
        battle.lead_unit_id = battle.campaign.organizer_id
        battle.save(update_fields=["lead_unit"])


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0001_initial"),
        ("campaigns", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="clusterbattle",
            name="lead_unit",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="areas.area",
                verbose_name="牵头单位",
            ),
        ),
        migrations.RunPython(led_by_the_organizer, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="clusterbattle",
            name="lead_unit",
            field=models.ForeignKey(
                blank=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="areas.area",
                verbose_name="牵头单位",
            ),
        ),
    ]
