from django.conf import settings
from django.db import migrations, models


def forwards(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    initial = True
    dependencies = [
        ("alpha", "__first__"),
        ("beta", "__latest__"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("gamma", "__first__"),
    ]
    run_before = [
        ("alpha", "0004_merge"),
    ]
    operations = [
        migrations.CreateModel(
            name="Note",
            fields=[
                ("id", models.AutoField(primary_key=True)),
                ("body", models.TextField()),
                ("title", models.CharField(max_length=50, null=True)),
            ],
        ),
        migrations.CreateModel(name="Scrap", fields=[("id", models.AutoField(primary_key=True))]),
        migrations.RunPython(forwards),
        migrations.RunPython(code=forwards, reverse_code=forwards),
        migrations.RunSQL("SELECT 1"),
        migrations.RunSQL("SELECT 1", reverse_sql="SELECT 2"),
    ]
