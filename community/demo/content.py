"""A small, believable community for `make run`, written through the same services members use."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import Profile, User
from community.models import Space, Thread, ThreadKind, Visibility
from community.services.posts import answer_create, comment_create
from community.services.threads import me_too_set, thread_create
from community.services.votes import answer_accept, vote_cast

DEMO_SOURCE = "demo"

MEMBERS = [
    ("maya", "Maya Okafor", "Lisbon"),
    ("tom", "Tom Becker", "Hamburg"),
    ("priya", "Priya Raman", "Pune"),
    ("leo", "Léo Martin", "Lyon"),
    ("sofia", "Sofia Rossi", "Turin"),
]

SPACES = [
    ("Getting started", "getting-started", "New here? Setting up, accounts and first steps.", ThreadKind.QUESTION),
    (
        "Troubleshooting",
        "troubleshooting",
        "Something not working? Describe it and the community will help.",
        ThreadKind.QUESTION,
    ),
    ("Ideas", "ideas", "Suggest improvements and vote for the ones you want most.", ThreadKind.IDEA),
    ("Tips & stories", "tips-and-stories", "How-tos, tricks and stories from members.", ThreadKind.ARTICLE),
    ("Lounge", "lounge", "Everything else: introductions and open discussions.", ThreadKind.DISCUSSION),
]


@dataclass
class DemoThread:
    space: str
    kind: str
    author: str
    title: str
    body: str
    tags: list[str]
    answers: list[tuple[str, str]] = field(default_factory=list)  # (author, body)
    accept: int | None = None  # index into answers
    votes: dict[int, list[str]] = field(default_factory=dict)  # post index (0 = opening) -> voters
    comments: list[tuple[int, str, str]] = field(default_factory=list)  # (post index, author, body)
    me_too: list[str] = field(default_factory=list)


THREADS = [
    DemoThread(
        "getting-started",
        ThreadKind.QUESTION,
        "maya",
        "How do I move my account to a new phone?",
        "I bought a new phone and want to keep my history and settings. Is there an export, "
        "or do I sign in again and everything syncs?",
        ["account", "mobile-app"],
        answers=[
            (
                "tom",
                "Sign in on the new phone with the same email: settings and history sync within a minute. "
                "Offline downloads don't move, so download them again.",
            ),
            (
                "priya",
                "If you used **Sign in with Google** on the old phone, use the same button on the new one, "
                "otherwise you get a second, empty account.",
            ),
        ],
        accept=0,
        votes={0: ["tom", "leo"], 1: ["maya", "sofia", "leo"], 2: ["maya"]},
        comments=[(1, "maya", "That worked, thanks! Took about thirty seconds.")],
        me_too=["leo", "sofia"],
    ),
    DemoThread(
        "troubleshooting",
        ThreadKind.QUESTION,
        "leo",
        "Payment fails with error 402 at checkout",
        "Every time I pay by card the checkout stops with *error 402*. The card works elsewhere. "
        "I tried two browsers.\n\n```\nError 402: payment could not be authorised\n```",
        ["payments", "checkout", "error"],
        answers=[
            (
                "sofia",
                "402 usually means your bank asked for 3-D Secure and the pop-up was blocked. "
                "Allow pop-ups for the site and try again.",
            ),
        ],
        votes={0: ["maya", "tom", "priya"], 1: ["leo", "tom"]},
        me_too=["maya", "tom", "priya"],
    ),
    DemoThread(
        "troubleshooting",
        ThreadKind.QUESTION,
        "priya",
        "Notifications stopped arriving on Android",
        "Since the last update I get no push notifications at all. They are enabled in the app and in Android "
        "settings. Anyone else?",
        ["notifications", "android", "mobile-app"],
        answers=[
            (
                "tom",
                "Battery optimisation turned itself back on after the update for me. Settings → Apps → "
                "Battery → *Unrestricted* fixed it.",
            ),
        ],
        accept=0,
        votes={0: ["leo"], 1: ["priya", "maya"]},
        me_too=["sofia"],
    ),
    DemoThread(
        "ideas",
        ThreadKind.IDEA,
        "sofia",
        "Export my order history as CSV",
        "I keep my expenses in a spreadsheet. A CSV export of orders (date, item, price) would save me "
        "an hour every month.",
        ["export", "orders"],
        votes={0: ["maya", "tom", "priya", "leo"]},
        comments=[(0, "tom", "Yes please, and include the invoice number too.")],
    ),
    DemoThread(
        "ideas",
        ThreadKind.IDEA,
        "tom",
        "Dark mode for the mobile app",
        "The website follows my system's dark mode, the app doesn't. Evenings are bright!",
        ["mobile-app", "accessibility"],
        votes={0: ["sofia", "priya"]},
    ),
    DemoThread(
        "tips-and-stories",
        ThreadKind.ARTICLE,
        "priya",
        "Five settings I change on every new install",
        "1. Turn on two-factor sign-in.\n2. Set a weekly digest instead of instant emails.\n"
        "3. Follow the tags you care about.\n4. Add a display name so people know who helped them.\n"
        "5. Download the offline pack before travelling.",
        ["tips", "settings"],
        votes={0: ["maya", "leo", "sofia", "tom"]},
        comments=[(0, "leo", "Number two changed my inbox. Great list.")],
    ),
    DemoThread(
        "lounge",
        ThreadKind.DISCUSSION,
        "maya",
        "Introduce yourself: what brought you here?",
        "I'm Maya, I run a small bakery and use the service for my orders. What about you?",
        ["introductions"],
        answers=[
            ("leo", "Léo from Lyon: I joined after a question of mine was answered here in ten minutes."),
            ("priya", "Priya, product designer. I mostly read the ideas space."),
        ],
    ),
]


def _member(number: int, username: str, name: str, location: str) -> User:
    user, created = User.objects.get_or_create(
        source=DEMO_SOURCE,
        source_id=number,
        defaults={"username": username, "password": make_password(None)},
    )
    if created:
        Profile.objects.update_or_create(user=user, defaults={"display_name": name, "location": location})
    return user


@transaction.atomic
def demo_content_create() -> bool:
    """Create the demo members, spaces and threads. Returns False when they already exist."""
    if Space.objects.filter(slug=SPACES[0][1]).exists():
        return False
    members = {
        username: _member(number, username, name, location)
        for number, (username, name, location) in enumerate(MEMBERS, start=1)
    }
    spaces = {}
    for position, (name, slug, description, kind) in enumerate(SPACES):
        spaces[slug] = Space.objects.create(
            name=name,
            slug=slug,
            description=description,
            default_kind=kind,
            position=position,
            visibility=Visibility.PUBLIC,
        )
    spaces["staff-room"] = Space.objects.create(
        name="Staff room",
        slug="staff-room",
        description="Only staff can see this space.",
        visibility=Visibility.STAFF,
        position=len(SPACES),
    )
    for item in THREADS:
        thread = thread_create(
            author=members[item.author],
            space=spaces[item.space],
            kind=item.kind,
            title=item.title,
            body=item.body,
            tags=item.tags,
        )
        posts = [thread.posts.get()]
        for author, body in item.answers:
            posts.append(answer_create(author=members[author], thread=thread, body=body))
        for index, voters in item.votes.items():
            for voter in voters:
                vote_cast(voter=members[voter], post=posts[index], value=1)
        for index, author, body in item.comments:
            comment_create(author=members[author], post=posts[index], body=body)
        for username in item.me_too:
            me_too_set(thread=thread, member=members[username], on=True)
        if item.accept is not None:
            answer_accept(
                thread=Thread.objects.get(pk=thread.pk), answer=posts[item.accept + 1], actor=members[item.author]
            )
    return True
