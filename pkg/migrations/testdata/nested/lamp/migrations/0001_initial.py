from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    # Replaced by the inner squash, which the outer squash replaces.
    dependencies = [("shelf", "0002_book_title")]
    operations = [
        migrations.CreateModel(
            "Lamp",
            [("id", models.AutoField(primary_key=True)), ("book", models.ForeignKey("shelf.Book", on_delete=models.CASCADE))],
        ),
    ]
