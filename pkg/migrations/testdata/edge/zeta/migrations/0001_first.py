from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("gamma", "0002_changes")]
    operations = []
