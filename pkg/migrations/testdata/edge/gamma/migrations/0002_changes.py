from django.db import migrations
from django.db.migrations import RenameField


class Migration(migrations.Migration):
    dependencies = [("gamma", "0001_initial")]
    operations = [
        RenameField("note", "body", "text"),
        migrations.RenameModel(old_name="Scrap", new_name="Scrapbook"),
        migrations.DeleteModel(name="Scrapbook"),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RemoveField(model_name="note", name="title")],
            state_operations=[migrations.RemoveField(model_name="note", name="title")],
        ),
        migrations.AlterModelTable(name="note", table="gamma_notes"),
    ]
