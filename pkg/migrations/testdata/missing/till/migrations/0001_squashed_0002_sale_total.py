from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("till", "0001_initial"), ("till", "0002_sale_total")]
    initial = True
    operations = [
        migrations.CreateModel(
            "Sale",
            [("id", models.AutoField(primary_key=True)), ("total", models.IntegerField(default=0))],
        ),
    ]
