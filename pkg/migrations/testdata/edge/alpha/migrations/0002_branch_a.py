from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("alpha", "0001_initial")]
    operations = [
        # NOT NULL with a default: Django fills existing NULLs, not risky.
        migrations.AlterField(model_name="thing", name="size", field=models.IntegerField(default=1)),
    ]
