from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("alpha", "0001_initial")]
    operations = [
        # nullable -> NOT NULL without a default: risky.
        migrations.AlterField(model_name="thing", name="label", field=models.CharField(max_length=20)),
    ]
