from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("community", "0012_imported_votes_without_voter")]

    operations = [
        migrations.AddField(model_name="comment", name="edited_at", field=models.DateTimeField(blank=True, null=True)),
    ]
