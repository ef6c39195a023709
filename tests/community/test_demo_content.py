from __future__ import annotations

import pytest
from django.core.management import call_command
from taggit.models import Tag

from accounts.models import User
from community.models import Comment, MeToo, Post, Revision, Space, Thread, Vote

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_a_community_once_and_says_how_to_sign_in(tmp_path, settings, capsys):
    settings.DATA_DIR = tmp_path
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "username: admin" in out
    admin = User.objects.get(username="admin")
    password = (tmp_path / "demo-admin.txt").read_text().split("password: ")[1].strip()
    assert admin.check_password(password)
    assert admin.is_superuser

    models = (Space, Thread, Post, Comment, Vote, MeToo, Revision, Tag, User)
    counts = [model.objects.count() for model in models]
    assert Thread.objects.filter(accepted_answer__isnull=False).exists()
    assert Thread.objects.filter(kind="idea", idea_status="new").exists()
    assert Space.objects.filter(visibility="staff").exists()

    call_command("seed_demo")  # second run: nothing new, same sign-in details
    assert [model.objects.count() for model in models] == counts
    assert f"password: {password}" in capsys.readouterr().out
