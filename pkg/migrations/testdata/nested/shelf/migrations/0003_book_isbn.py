from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shelf", "0001_squashed_0002_book_title")]
    operations = [
        migrations.AddField("book", "isbn", models.CharField(max_length=13, default="")),
    ]
