from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("zlabel", "0001_first")]
    operations = [
        migrations.RunSQL(sql="UPDATE x SET y = 1", reverse_sql=migrations.RunSQL.noop),
    ]
