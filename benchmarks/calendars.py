"""Calendar feed cost: a full build against the 304 Not Modified path, for 10, 100 and 1,000 events.

    python benchmarks/calendars.py            # SQLite in a temporary directory
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/copbench python benchmarks/calendars.py

Each size gets its own community (with 300 members who are not in the feed, to show
that they cost nothing) and one person invited to every event. The requests go through
the app (Flask test client), so the figures include the validator query, loading,
building and the HTTP layer. The builder is wrapped to count its calls: the 304 path
must make none.
"""
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("COP_INSTANCE_PATH", tempfile.mkdtemp(prefix="cop-bench-"))
os.environ.setdefault("SECRET_KEY", "benchmark")
os.environ.setdefault("COP_DEVELOPMENT", "1")

from sqlalchemy import event as sa_event  # noqa: E402

from cop import create_app  # noqa: E402
from cop import ical as ics  # noqa: E402
from cop.calendars import feeds
from cop.communities.models import Community, Membership  # noqa: E402
from cop.events.models import Event, Series, Venue  # noqa: E402
from cop.extensions import db  # noqa: E402
from cop.invitations.models import Invitation, InvitationLink  # noqa: E402
from cop.people.models import Person  # noqa: E402
from cop.tokens import new_token

SIZES = (10, 100, 1000)
BYSTANDERS = 300
RUNS = 7


def build_world(size: int) -> tuple[str, str]:
    """A community with `size` published events, one invited person, and bystanders; returns two feed paths."""
    community = Community(slug=f"bench-{size}", name=f"Benchmark community ({size} events)")
    organiser = Person(name="Olu Organiser", email=f"olu{size}@example.org")
    guest = Person(name="Gita Guest", email=f"gita{size}@example.org")
    db.session.add_all([community, organiser, guest])
    db.session.add(Membership(community=community, person=organiser, role="organiser"))
    db.session.add(Membership(community=community, person=guest, role="member"))
    for n in range(BYSTANDERS):
        someone = Person(name=f"Bystander {n}", email=f"bystander{size}-{n}@example.org")
        db.session.add_all([someone, Membership(community=community, person=someone, role="member")])
    venue = Venue(community=community, name="Chelmsford Civic Centre", address="Duke Street\nChelmsford CM1 1JE")
    series = Series(community=community, title="Monthly Big Room", format="big_room", recurrence="monthly")
    start = datetime(datetime.now().year, 1, 6, 18)
    for n in range(size):
        event = Event(
            community=community, format="big_room", title=f"Big Room {n + 1}", status="published",
            description="Speakers, dinner and round tables mixed across organisations.",
            starts_at=start + timedelta(days=3 * n), ends_at=start + timedelta(days=3 * n, hours=3),
            venue=venue, series=series, online_url="https://meet.example/big-room",
        )
        answer = ("yes", "maybe", "pending")[n % 3]
        db.session.add_all([event, Invitation(
            event=event, person=guest, links=[InvitationLink(token_hash=new_token()[1])], answer=answer,
            place="confirmed" if answer == "yes" else "none",
        )])
    db.session.commit()
    community_path = f"/communities/{community.slug}/calendar.ics"
    personal_path = feeds.feed_url_for_person(guest).split("://", 1)[1].split("/", 1)[1]
    return community_path, "/" + personal_path


def median_ms(client, path: str, headers: dict, expected: int, statements: list) -> tuple[float, int]:
    timings = []
    for _ in range(RUNS):
        statements.clear()
        began = time.perf_counter()
        response = client.get(path, headers=headers)
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == expected, (path, response.status_code)
    return statistics.median(timings), len(statements)


def main() -> None:
    # --quick: 10 and 100 events only, a smoke run for CI.
    sizes = SIZES[:2] if "--quick" in sys.argv[1:] else SIZES
    overrides = {"TESTING": True, "BASE_URL": "http://cop.example", "RATELIMIT_ENABLED": False}
    if os.environ.get("DATABASE_URL"):
        from config import _database_url

        overrides["SQLALCHEMY_DATABASE_URI"] = _database_url()
    app = create_app(overrides)
    builds = []
    real_feed = ics.calendar_feed

    def counted_feed(*args, **kwargs):
        builds.append(1)
        return real_feed(*args, **kwargs)

    ics.calendar_feed = counted_feed
    statements: list = []
    with app.app_context():
        db.drop_all()
        db.create_all()
        sa_event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(1))
        client = app.test_client()
        rows = []
        for size in sizes:
            community_path, personal_path = build_world(size)
            for label, path in (("community", community_path), ("personal", personal_path)):
                builds.clear()
                build_ms, build_queries = median_ms(client, path, {}, 200, statements)
                builds_on_200 = len(builds)
                etag = client.get(path).headers["ETag"]
                builds.clear()
                cached_ms, cached_queries = median_ms(client, path, {"If-None-Match": etag}, 304, statements)
                rows.append(
                    (label, size, build_ms, build_queries, builds_on_200, cached_ms, cached_queries, len(builds))
                )
        db.session.remove()
        db.drop_all()

    print(f"Calendar feeds on {app.config['SQLALCHEMY_DATABASE_URI'].split(':', 1)[0]}: "
          f"median of {RUNS} requests; {BYSTANDERS} members outside each feed.\n")
    header = ("feed", "events", "200 build ms", "queries", "builds", "304 ms", "queries", "builds", "304 / 200")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---:" if i else "---" for i in range(len(header))) + "|")
    for label, size, build_ms, build_q, builds_200, cached_ms, cached_q, builds_304 in rows:
        print(f"| {label} | {size:,} | {build_ms:.1f} | {build_q} | {builds_200} | {cached_ms:.2f} | {cached_q} | "
              f"{builds_304} | {cached_ms / build_ms:.1%} |")


if __name__ == "__main__":
    main()
