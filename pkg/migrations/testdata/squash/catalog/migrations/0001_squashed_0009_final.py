from django.db import migrations, models


class Migration(migrations.Migration):
    # Replaces an earlier squash (0001_squashed_0004_topic) and what came
    # after it; every one of those files was deleted.
    replaces = [
        ("catalog", "0001_squashed_0004_topic"),
        ("catalog", "0005_topic_slug"),
        ("catalog", "0006_item"),
        ("catalog", "0007_item_topic"),
        ("catalog", "0008_item_price"),
        ("catalog", "0009_final"),
    ]
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Topic",
            fields=[("id", models.AutoField(primary_key=True)), ("slug", models.SlugField())],
        ),
        migrations.CreateModel(
            name="Item",
            fields=[
                ("id", models.AutoField(primary_key=True)),
                ("topic", models.ForeignKey("catalog.Topic", on_delete=models.CASCADE)),
                ("price", models.IntegerField(default=0)),
            ],
        ),
    ]
