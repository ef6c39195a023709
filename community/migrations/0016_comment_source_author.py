from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("community", "0015_badges_move_to_rewards")]

    operations = [
        migrations.AddField(
            model_name="comment", name="source_author", field=models.CharField(blank=True, max_length=150)
        ),
    ]
