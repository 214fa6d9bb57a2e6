from django.db import migrations, models


class Migration(migrations.Migration):
    # The three migrations it replaces were deleted after the squash.
    replaces = [
        ("ledger", "0001_initial"),
        ("ledger", "0002_entry_memo"),
        ("ledger", "0003_entry_amount"),
    ]
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Entry",
            fields=[
                ("id", models.AutoField(primary_key=True)),
                ("memo", models.TextField(blank=True, default="")),
                ("amount", models.IntegerField(default=0)),
            ],
        ),
    ]
