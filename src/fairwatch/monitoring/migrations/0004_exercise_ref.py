from django.db import migrations, models

import fairwatch.monitoring.models


def give_refs(apps, schema_editor):
    Exercise = apps.get_model("monitoring", "Exercise")
    for ex in Exercise.objects.filter(ref__isnull=True):
        ex.ref = fairwatch.monitoring.models.new_ref()
        ex.save(update_fields=["ref"])


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0003_privacy_pages")]

    operations = [
        migrations.AddField(
            model_name="exercise", name="ref", field=models.CharField(max_length=8, null=True)
        ),
        migrations.RunPython(give_refs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="exercise",
            name="ref",
            field=models.CharField(
                default=fairwatch.monitoring.models.new_ref, max_length=8, unique=True
            ),
        ),
    ]
