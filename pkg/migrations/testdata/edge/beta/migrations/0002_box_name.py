from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("beta", "0001_initial")]
    operations = [
        migrations.AddField("box", "name", models.CharField(max_length=10, default="x")),
    ]
