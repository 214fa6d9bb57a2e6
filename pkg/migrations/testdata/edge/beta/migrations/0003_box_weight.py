from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("beta", "0002_box_name")]
    operations = [
        migrations.AddField("box", "weight", models.IntegerField(null=True)),
    ]
