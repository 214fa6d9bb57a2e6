from django.db import migrations, models


class Migration(migrations.Migration):
    # 0002_sale_totals: neither a migration nor replaced by one.
    dependencies = [("till", "0002_sale_totals")]
    operations = [
        migrations.AddField("sale", "note", models.TextField(default="")),
    ]
