from django.db import migrations, models


class Migration(migrations.Migration):
    # The two migrations it replaces were deleted.
    replaces = [("shelf", "0001_initial"), ("shelf", "0002_book_title")]
    initial = True
    operations = [
        migrations.CreateModel(
            "Book",
            [("id", models.AutoField(primary_key=True)), ("title", models.CharField(max_length=50, default=""))],
        ),
    ]
