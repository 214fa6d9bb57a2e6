from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [
        ("board", "0001_initial"),
        ("board", "0002_stat"),
        ("board", "0003_stat_item"),
    ]
    initial = True
    # The earlier squash of catalog: gone, replaced by a later squash.
    dependencies = [("catalog", "0001_squashed_0004_topic")]
    operations = [
        migrations.CreateModel(
            name="Stat",
            fields=[
                ("id", models.AutoField(primary_key=True)),
                ("item", models.ForeignKey("catalog.Item", on_delete=models.CASCADE)),
            ],
        ),
    ]
