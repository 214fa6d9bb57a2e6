from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Thing",
            fields=[
                ("id", models.AutoField(primary_key=True, serialize=False)),
                ("label", models.CharField(max_length=20, null=True)),
                ("size", models.IntegerField(null=True)),
                ("old", models.TextField(default="")),
            ],
        ),
    ]
