from django.db import migrations, models


def _html_revisions(apps, schema_editor):
    """Mark the revisions that hold HTML, so rolling back to them shows that HTML again.

    A post still in HTML holds HTML in all its revisions. A post imported without its
    Markdown and edited since holds it in revision 1 only; a first revision imported with
    the Markdown history rarely starts with a tag, and if it does, shown as sanitised HTML
    it still reads as the text it is.
    """
    Revision = apps.get_model("community", "Revision")
    Revision.objects.filter(post__body_format="html").update(body_format="html")
    Revision.objects.filter(number=1, body__startswith="<").exclude(post__source="").update(body_format="html")


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0009_storage_tuning"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="source_author",
            field=models.CharField(blank=True, max_length=150),
        ),
        migrations.AddField(
            model_name="post",
            name="source_license",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name="revision",
            name="body_format",
            field=models.CharField(
                choices=[("markdown", "Markdown"), ("html", "HTML")], default="markdown", max_length=8
            ),
        ),
        migrations.RunPython(_html_revisions, migrations.RunPython.noop, elidable=True),
    ]
