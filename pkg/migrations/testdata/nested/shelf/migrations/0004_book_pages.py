from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shelf", "0003_book_isbn")]
    operations = [
        migrations.AddField("book", "pages", models.IntegerField(default=0)),
    ]
