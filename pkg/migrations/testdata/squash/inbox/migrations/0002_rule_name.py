from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0002_rule_entry"),
        ("ledger", "0002_entry_memo"),
    ]
    operations = [
        migrations.AddField("rule", "name", models.CharField(max_length=20, default="")),
    ]
