# Badges moved to the rewards app. Their tables stay as they are (rewards'
# models name them), so this only forgets the models in community's state;
# rewards/migrations/0001_initial.py takes them over.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0014_comment_edited_at"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="BadgeAward"),
                migrations.DeleteModel(name="Badge"),
            ],
            database_operations=[],
        ),
    ]
