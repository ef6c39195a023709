from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("community", "0011_imported_content")]

    operations = [
        migrations.AddField(model_name="comment", name="edited_at", field=models.DateTimeField(blank=True, null=True)),
    ]
