from django.db import migrations, models


class Migration(migrations.Migration):
    # A squash of a squash that is still on disk.
    replaces = [("shelf", "0001_squashed_0002_book_title"), ("shelf", "0003_book_isbn")]
    initial = True
    operations = [
        migrations.CreateModel(
            "Book",
            [
                ("id", models.AutoField(primary_key=True)),
                ("title", models.CharField(max_length=50, default="")),
                ("isbn", models.CharField(max_length=13, default="")),
            ],
        ),
    ]
