"""Every page a role may use is reached by clicking from where that person starts (issue 17, item 1).

The crawl starts at `/` signed in as each role (the attendee, who has no account, starts at the link
in their invitation mail), follows every `<a href>` on this site, and fails on any of the role's GET
routes that no link reaches. A role's routes are read from test_authorisation.EXPECTED (200 for that
visitor), so a new page is checked here as soon as someone decides who may use it.
"""
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
import sqlalchemy as sa

from cop.extensions import db
from tests import factories
from tests.conftest import sign_in
from tests.invitation_helpers import make_invitation
from tests.test_authorisation import EXPECTED, VISITORS

# Not pages anybody clicks to: assets, the load balancer's probe, and the sign-in pages (for those signed out,
# reached from the header's "Sign in").
NOT_PAGES = {"static", "nhsuk_asset", "site.health", "accounts.sign_in", "accounts.request_sign_in_link",
             # Open registration's public pages are reached from a link shared outside cop (a post, a newsletter:
             # its share page shows organisers the link), and "check your email" after sending their form.
             "registration.register", "registration.join", "registration.check_email",
             "registration.join_check_email"}
ATTENDEE_ROUTES = {"invitations.rsvp", "calendars.invitation_ics", "accounts.sign_in",
                   "accounts.request_sign_in_link"}
MAX_PER_ENDPOINT = 8  # a few of each kind of page are enough to see their links


def routes_of(visitor: str) -> set[str]:
    column = VISITORS.index(visitor)
    return {endpoint for endpoint, (method, statuses) in EXPECTED.items()
            if method == "GET" and statuses[column] == 200} - NOT_PAGES


def role_routes(role: str) -> set[str]:
    if role == "guest":  # a guest is a member with no invite quota
        return routes_of("member") - {"invitations.invite_my_network"}
    return routes_of(role)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _local_path(href: str) -> str | None:
    href, _fragment = urldefrag(href)
    parts = urlsplit(href)
    if parts.scheme in ("webcal", "http", "https") and parts.hostname in ("localhost",):
        return parts.path + (f"?{parts.query}" if parts.query else "")
    if parts.scheme or parts.netloc or not href:
        return None  # another site, mailto:, tel:
    return href if href.startswith("/") else None


def crawl(app, client, start: str) -> set[str]:
    """The endpoints reached by following links from `start` (GET only, as a person clicking)."""
    adapter = app.url_map.bind("localhost")
    reached: set[str] = set()
    per_endpoint: dict[str, int] = {}
    queue, seen = [start], {start}
    while queue:
        path = queue.pop(0)
        try:
            endpoint, _values = adapter.match(urlsplit(path).path, method="GET")
        except Exception:  # noqa: BLE001 - not a GET route of the app (a POST-only form's address)
            continue
        if per_endpoint.get(endpoint, 0) >= MAX_PER_ENDPOINT:
            continue
        per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + 1
        response = client.get(path, follow_redirects=True)
        if response.status_code != 200:
            continue
        reached.add(endpoint)
        for old in response.history:
            location = urlsplit(old.headers.get("Location", "")).path
            try:
                reached.add(adapter.match(location, method="GET")[0])
            except Exception:  # noqa: BLE001
                pass
        if not response.mimetype == "text/html":
            continue
        parser = _Links()
        parser.feed(response.get_data(as_text=True))
        for href in parser.hrefs:
            target = _local_path(href)
            if target and target not in seen:
                seen.add(target)
                queue.append(target)
    return reached


@pytest.fixture
def community_world(app):
    """A community as it is on a normal evening: a series with a seated event, mail (one failed), a set."""
    from cop.communities.models import Membership
    from cop.feedback.surveys import ensure_survey
    from cop.mail.outbox import queue_mail
    from cop.seating import plans as seating
    from cop.seating.models import SetFormation

    group = factories.community(slug="big-room")
    people = {role: factories.member(group, role) for role in ("organiser", "facilitator", "member", "guest")}
    attendee = factories.member(group, "guest")
    db.session.flush()
    db.session.execute(sa.update(Membership).where(Membership.person_id == people["member"].id)
                       .values(invite_quota=3))
    venue = factories.venue(group)
    series = factories.series(group, venue=venue)
    event = series.events[0]
    _invitation, token = make_invitation(event, attendee, answer="yes", place="confirmed")
    for role in ("organiser", "facilitator", "member", "guest"):
        make_invitation(event, people[role], answer="yes", place="confirmed")
    queue_mail("someone@example.org", "Hello", "Hello there", community_id=group.id)
    db.session.flush()
    seating.generate(event, seating.SeatingChoices(tables=[6], rounds=1), None, seating.Budget(iterations=100))
    db.session.add(SetFormation(community_id=group.id, title="Cohort", sets=[[attendee.id]]))
    ensure_survey(event)
    from tests.challenge_helpers import open_challenge  # challenges (issue 21): guests take part too

    open_challenge(group, attendee, event=event, audience="link")

    from datetime import date, time  # a date poll (issue 22)

    from cop.polls import polling

    polling.open_poll(group, "Dates", [polling.ProposedDate(date(2027, 2, 3), time(9, 30), time(12))], [attendee],
                      None)
    from cop.materials import sharing  # materials (issue 22)

    sharing.add_file(event, "Slides", "slides.pdf", b"%PDF-1.4\n%%EOF\n", "attendees", None)

    from cop.jobs.models import Job  # a print pack made in the background (issue 19)

    db.session.add(Job(kind="print_pack", title="Print pack", params={}, community_id=group.id, state="done",
                       message="Ready.", started_by_id=people["facilitator"].id))
    db.session.commit()
    accounts = {role: factories.account(person) for role, person in people.items()}
    db.session.commit()
    return {"accounts": accounts, "rsvp": f"/rsvp/{token}", "attendee": attendee}


@pytest.mark.parametrize("role", ["organiser", "facilitator", "member", "guest"])
def test_every_page_of_a_role_is_reached_by_links_from_home(app, community_world, role):
    client = app.test_client()
    sign_in(client, community_world["accounts"][role])
    reached = crawl(app, client, "/")
    missing = sorted(role_routes(role) - reached)
    assert missing == [], f"no link reaches these pages of the {role}: {missing}"


def test_an_attendee_reaches_their_pages_from_the_invitation_link(app, community_world):
    client = app.test_client()
    reached = crawl(app, client, community_world["rsvp"])
    assert sorted(ATTENDEE_ROUTES - reached) == []


def _sign_in_from_mailed_link(client, email: str):
    import re

    from cop.mail.models import OutboxMessage

    client.post("/sign-in/link", data={"email": email}).close()
    message = db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).scalars().first()
    path = re.search(r"https?://[^/\s]+(/sign-in/link/\S+)", message.text_body).group(1)
    page = client.get(path)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    return client.post(path, data={"csrf_token": token.group(1)} if token else {}, follow_redirects=True)


def test_an_attendee_signed_in_from_a_mailed_link_lands_on_their_events(app, community_world):
    attendee = community_world["attendee"]
    factories.account(attendee)
    db.session.commit()
    landed = _sign_in_from_mailed_link(app.test_client(), attendee.email)
    assert landed.request.path == "/my-calendar"
    assert "<h1>My calendar</h1>" in landed.text
    assert 'href="/events/' in landed.text  # their event, one click away


def test_an_organiser_signed_in_from_a_mailed_link_lands_on_their_communities(app, community_world):
    organiser = community_world["accounts"]["organiser"]
    landed = _sign_in_from_mailed_link(app.test_client(), organiser.person.email)
    assert landed.request.path == "/communities/"
