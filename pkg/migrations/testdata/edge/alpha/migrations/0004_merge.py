from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("alpha", "0003_branch_b"),
        ("alpha", "0002_branch_a"),
    ]
    operations = []
