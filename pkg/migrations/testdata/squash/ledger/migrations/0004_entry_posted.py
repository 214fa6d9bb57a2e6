from django.db import migrations, models


class Migration(migrations.Migration):
    # Written before the squash: names a migration that is gone.
    dependencies = [("ledger", "0003_entry_amount")]
    operations = [
        migrations.AddField("entry", "posted", models.BooleanField(default=False)),
    ]
