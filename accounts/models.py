from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower, Upper
from django.utils.translation import gettext_lazy as _

from accounts.names import name_skeleton
from accounts.validators import validate_avatar


class User(AbstractUser):
    """The community member. Custom from day one so fields can grow without pain."""

    # Members imported from another community (no password, no email) keep
    # where they came from, so a re-import finds them and they can be claimed.
    source = models.CharField(max_length=100, blank=True)
    source_id = models.BigIntegerField(null=True, blank=True)
    # What the username looks like (accounts.names), so finding a look-alike is one indexed query.
    # Not unique: imported members' names may look alike, and writers of many rows that omit it get "".
    username_skeleton = models.TextField(editable=False, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        indexes = [
            # Signing in by username looks it up regardless of case (allauth: username__iexact,
            # UPPER(username) = UPPER(%s)); without this, a scan of every member.
            models.Index(Upper("username"), name="accounts_user_username_ci_idx"),
            models.Index(fields=["username_skeleton"], name="accounts_user_skeleton_idx"),
        ]
        constraints = [
            # Imported members may have no email; everyone else's is unique
            # regardless of case.
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="accounts_user_email_ci_unique",
            ),
            models.UniqueConstraint(
                fields=["source", "source_id"], condition=~models.Q(source=""), name="accounts_user_source_unique"
            ),
        ]

    def save(self, *args, **kwargs) -> None:
        self.username_skeleton = name_skeleton(self.username)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "username" in update_fields:
            kwargs["update_fields"] = {*update_fields, "username_skeleton"}
        super().save(*args, **kwargs)

    @property
    def public_name(self) -> str:
        profile = getattr(self, "profile", None)
        return (profile.display_name if profile else "") or self.username


def avatar_upload_to(instance: Profile, filename: str) -> str:
    return f"avatars/{instance.user_id}/{filename}"


class EmailFrequency(models.TextChoices):
    INSTANT = "instant", _("Right away")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    OFF = "off", _("Never")


class Profile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True, related_name="profile")
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    bio = models.TextField(_("about you"), max_length=1000, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to=avatar_upload_to, blank=True, validators=[validate_avatar])
    location = models.CharField(_("location"), max_length=100, blank=True)
    website = models.URLField(_("website"), max_length=200, blank=True)
    email_frequency = models.CharField(
        _("email me about activity"), max_length=8, choices=EmailFrequency, default=EmailFrequency.INSTANT
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.display_name or self.user.username
