from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import models

from accounts.models import Profile, User
from accounts.names import username_check


class _NoLookAlikeUsername:
    """Staff choose usernames here too: reserved ones are theirs to give, look-alikes are not."""

    def clean_username(self) -> str:
        parent = getattr(super(), "clean_username", None)
        username = parent() if parent else self.cleaned_data["username"]
        username_check(username=username, user=self.instance if self.instance.pk else None, reserved=False)
        return username


class UserCreationForm(_NoLookAlikeUsername, AdminUserCreationForm):
    pass


class UserEditForm(_NoLookAlikeUsername, UserChangeForm):
    pass


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    # As on the profile page: an address typed without a scheme is https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    inlines = [ProfileInline]
    list_select_related = ["profile"]
