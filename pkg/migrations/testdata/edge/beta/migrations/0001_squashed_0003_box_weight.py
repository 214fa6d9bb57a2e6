from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [
        ("beta", "0001_initial"),
        ("beta", "0002_box_name"),
        ("beta", "0003_box_weight"),
    ]
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Box",
            fields=[
                ("id", models.AutoField(primary_key=True)),
                ("name", models.CharField(max_length=10, default="x")),
                ("weight", models.IntegerField(null=True)),
            ],
        ),
    ]
