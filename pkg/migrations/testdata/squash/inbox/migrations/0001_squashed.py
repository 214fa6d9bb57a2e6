from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("inbox", "0001_initial"), ("inbox", "0002_rule_entry")]
    initial = True
    # Another app's replaced (and deleted) migration.
    dependencies = [("ledger", "0001_initial")]
    operations = [
        migrations.CreateModel(
            name="Rule",
            fields=[
                ("id", models.AutoField(primary_key=True)),
                ("entry", models.ForeignKey("ledger.Entry", null=True, on_delete=models.SET_NULL)),
            ],
        ),
    ]
