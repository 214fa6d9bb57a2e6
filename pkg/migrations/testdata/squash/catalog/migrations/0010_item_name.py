from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalog", "0009_final")]
    operations = [
        migrations.AddField("item", "name", models.CharField(max_length=20, default="")),
    ]
