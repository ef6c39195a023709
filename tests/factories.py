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


class SpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "community.Space"

    name = factory.Sequence(lambda n: f"Space {n}")
    slug = factory.Sequence(lambda n: f"space-{n}")


def ask(
    author, space=None, *, title="How do I reset my wallet password?", body=None, tags=("wallet",), kind="question"
):
    """A thread created the way a member creates one: through the service."""
    from community.services.threads import thread_create

    return thread_create(
        author=author,
        space=space or SpaceFactory(),
        kind=kind,
        title=title,
        body=body or "I forgot it and the recovery phrase screen is greyed out. What now?",
        tags=list(tags),
    )


def answer(author, thread, body="Open settings, then choose 'Restore from recovery phrase'."):
    from community.services.posts import answer_create

    return answer_create(author=author, thread=thread, body=body)
