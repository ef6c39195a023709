"""Create a demo admin and demo content on the first run only; later runs say how to sign in."""

from __future__ import annotations

import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from accounts.services import profile_ensure
from community.demo.content import demo_content_create

ADMIN_USERNAME = "admin"
ADMIN_EMAIL = "admin@example.com"


class Command(BaseCommand):
    help = "Create the demo admin account and demo content if they do not exist yet."

    def handle(self, *args, **options) -> None:
        credentials = settings.DATA_DIR / "demo-admin.txt"
        if not User.objects.filter(username=ADMIN_USERNAME).exists():
            password = secrets.token_urlsafe(12)
            with transaction.atomic():
                admin = User.objects.create_superuser(ADMIN_USERNAME, ADMIN_EMAIL, password)
                EmailAddress.objects.create(user=admin, email=ADMIN_EMAIL, primary=True, verified=True)
                profile_ensure(user=admin)
            settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
            credentials.write_text(f"username: {ADMIN_USERNAME}\npassword: {password}\n")
            credentials.chmod(0o600)
            self.stdout.write(self.style.SUCCESS("Created the demo admin."))
        if demo_content_create():
            self.stdout.write(self.style.SUCCESS("Created the demo community: spaces, members, questions and answers."))
        if credentials.exists():
            self.stdout.write(f"Sign in as the demo admin with the details in {credentials}:")
            self.stdout.write(credentials.read_text())
        else:
            self.stdout.write(
                f"The demo admin '{ADMIN_USERNAME}' exists; reset its password with manage.py changepassword."
            )
