from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [
        ("ledger", "__latest__"),
        ("catalog", "__first__"),
    ]
    # A replaced, deleted migration of another app: runs before its squash.
    run_before = [("board", "0002_stat")]
    operations = [
        migrations.CreateModel("Report", [("id", models.AutoField(primary_key=True))]),
    ]
