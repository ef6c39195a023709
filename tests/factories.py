"""Small factories for test data."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

from accounts.models import Profile, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        # A verified primary address, as allauth keeps it after confirmation.
        if create and self.email and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)

    @factory.post_generation
    def with_profile(self, create, extracted, **kwargs):
        if create:
            Profile.objects.get_or_create(user=self)
