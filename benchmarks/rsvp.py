"""Fire concurrent "yes" answers at one event through the real RSVP page, and count the places.

    python benchmarks/rsvp.py --database-url URL --attempts 500 --capacity 100

Builds a fresh community, event and invited people in the database, then POSTs
/rsvp/<token> from several threads at once (each with its own Flask test client, so
each request runs the real view, logic, locks and mails against the real database).
Ends with one line:

    confirmed=N waitlisted=N overbooked=N errors=N rsvp_per_s=X

overbooked counts confirmed places beyond the capacity (it must be 0); errors counts
answers that failed, and also a waitlist whose positions are not exactly 1..N.
"""
import argparse
import logging
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from _setup import migrated_app, throwaway_sqlite_url


def build_event(capacity: int, attempts: int) -> tuple[int, list[str]]:
    from cop.clock import utcnow
    from cop.communities.models import Community, Membership
    from cop.events.models import Event
    from cop.extensions import db
    from cop.invitations.models import Invitation, InvitationLink
    from cop.people.models import Person
    from cop.tokens import new_token

    run = uuid.uuid4().hex[:10]
    community = Community(slug=f"bench-{run}", name=f"Benchmark {run}")
    organiser = Person(name="Benchmark Organiser", email=f"organiser.{run}@example.org")
    community.memberships.append(Membership(person=organiser, role="organiser"))
    starts = utcnow().replace(microsecond=0) + timedelta(days=30)
    event = Event(community=community, format="big_room", title="Benchmark Big Room", starts_at=starts,
                  ends_at=starts + timedelta(hours=3), capacity=capacity, status="published")
    db.session.add_all([community, event])
    tokens = []
    for number in range(attempts):
        person = Person(name=f"Guest {number}", email=f"guest{number}.{run}@example.org")
        token, token_hash = new_token()
        db.session.add(Invitation(event=event, person=person, links=[InvitationLink(token_hash=token_hash)]))
        tokens.append(token)
    db.session.commit()
    return event.id, tokens


def count_places(event_id: int) -> tuple[int, int, bool]:
    from sqlalchemy import select

    from cop.extensions import db
    from cop.invitations.models import Invitation

    rows = db.session.execute(
        select(Invitation.place, Invitation.waitlist_position).where(Invitation.event_id == event_id)
    ).all()
    confirmed = sum(1 for place, _ in rows if place == "confirmed")
    positions = sorted(position for place, position in rows if place == "waitlisted")
    return confirmed, len(positions), positions == list(range(1, len(positions) + 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="default: a throwaway SQLite file")
    parser.add_argument("--attempts", type=int, default=500)
    parser.add_argument("--capacity", type=int, default=100)
    parser.add_argument("--threads", type=int, default=12, help="concurrent clients (each its own connection)")
    args = parser.parse_args()
    logging.getLogger("alembic").setLevel(logging.WARNING)

    # CSRF is off because the clients post without first loading the form; all else is as in production.
    app = migrated_app(args.database_url or throwaway_sqlite_url(), WTF_CSRF_ENABLED=False, MAIL_BACKEND="mailbox",
                       SQLALCHEMY_ENGINE_OPTIONS={"pool_size": args.threads, "max_overflow": 4, "pool_pre_ping": True})
    with app.app_context():
        event_id, tokens = build_event(args.capacity, args.attempts)

    def answer_yes(token: str) -> bool:
        client = app.test_client()
        try:
            response = client.post(f"/rsvp/{token}", data={"answer": "yes", "attendance_mode": "in_person"})
        except Exception:  # noqa: BLE001 - an error is counted, not fatal
            return False
        return response.status_code == 302

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        results = list(pool.map(answer_yes, tokens))
    elapsed = time.perf_counter() - started

    with app.app_context():
        confirmed, waitlisted, queue_ok = count_places(event_id)
    errors = results.count(False) + (0 if queue_ok else 1)
    overbooked = max(0, confirmed - args.capacity)
    print(f"confirmed={confirmed} waitlisted={waitlisted} overbooked={overbooked} errors={errors} "
          f"rsvp_per_s={args.attempts / elapsed:.1f}")
    # Overbooking or a failed answer is a broken guarantee, not a slow run: fail loudly.
    return 1 if overbooked or errors else 0


if __name__ == "__main__":
    sys.exit(main())
