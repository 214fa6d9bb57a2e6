from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("beta", "0003_box_weight")]
    operations = [
        # NOT NULL and no default, written by hand: risky.
        migrations.AddField(model_name="box", name="code", field=models.CharField(max_length=5), preserve_default=False),
        # A many-to-many field has no column: not risky.
        migrations.AddField(model_name="box", name="things", field=models.ManyToManyField(to="alpha.Thing")),
    ]
