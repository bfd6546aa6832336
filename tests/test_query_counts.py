"""Work counts (issue 19): the big pages ask the database the same number of questions for a community of
10 people and 2 events as for one of 40 people and 6 events (no query per row: no "N+1"), and a page of a
list of people stays small because it is paged.

Both communities live in one database, built the same way; every page is opened once first (so anything
done once per app or per session is out of the count), then counted with a `before_cursor_execute`
listener on the engine."""
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import g

from cop.accounts.models import Account
from cop.door import check_in as door
from cop.events.models import SeriesMember
from cop.extensions import db
from cop.feedback import surveys
from cop.feedback.models import FeedbackRequest, Response
from cop.seating import plans
from tests import factories
from tests.conftest import sign_in

NAMES = ["Siân Prydderch", "Dafydd ap Gruffudd", "Zoë Ångström", "Éamon Ó Súilleabháin", "Amira Khan",
         "Chidi Okonkwo", "Łucja Wiśniewska", "Nguyễn Thị Lan", "Ffion Llywelyn", "李小龙"]
SMALL, LARGE = (10, 2), (40, 6)


def _build(people: int, events: int) -> dict:
    """A community of `people` in five organisations, `events` past Big Rooms plus a future one, everyone
    invited to every event (most confirmed), check-ins and a seating plan at the last past event, a
    learning set (a series with members) and a facilitator for every two events, a named feedback form
    at each past event, and a long-standing member in all of it (asked for feedback and answering)."""
    group = factories.community()
    organiser = factories.member(group, "organiser", factories.person(name="Olwen Organiser"))
    for n in range(events // 2):
        factories.member(group, "facilitator", factories.person(name=f"Ffion Facilitator {n}"))
    organisations = [factories.organisation(sector=s, place=p) for s, p in (
        ("acute", "Thurrock"), ("vcse", "Basildon"), ("icb", "Southend"), ("primary_care", "Thurrock"),
        ("local_authority", "Chelmsford"))]
    everyone = [factories.member(group, someone=factories.person(
        name=f"{NAMES[n % len(NAMES)]} {n}", org=organisations[n % 5] if n % 7 else organisations[0],
        profession=("nursing", "medicine", "social_work")[n % 3])) for n in range(people)]
    start = datetime(2026, 1, 6, 18, 0)
    past = [factories.event(group, title=f"Big Room {n + 1}", starts_at=start + timedelta(weeks=n))
            for n in range(events)]
    future = factories.event(group, title="Next Big Room", starts_at=datetime(2027, 6, 1, 18, 0), capacity=people)
    for number, happening in enumerate([*past, future]):
        for n, someone in enumerate(everyone):
            confirmed = (n + number) % 4 != 0
            factories.invitation(happening, someone, answer="yes" if confirmed else "pending",
                                 place="confirmed" if confirmed else "none")
    learning_sets = [factories.series(group, title=f"Leading together {n + 1}", count=3, format="action_learning_set")
                     for n in range(max(1, events // 2))]
    for learning_set in learning_sets:
        db.session.add_all(SeriesMember(series=learning_set, person=someone, role="facilitator" if n == 0 else "member")
                           for n, someone in enumerate(everyone[: max(6, people // 5)]))
    db.session.flush()
    # Feedback: a named form at each past event, the long-standing member asked and answering, naming people.
    db.session.flush()
    for happening in past:
        survey = surveys.ensure_survey(happening)
        survey.anonymous = False
        db.session.flush()
        follow_up = next(q for q in survey.questions if q.kind == "people")
        db.session.add(FeedbackRequest(survey=survey, person=everyone[1]))
        db.session.add(Response(survey_id=survey.id, person_id=everyone[1].id,
                                answers={str(follow_up.id): [everyone[2].id, everyone[3].id]}))
    latest = past[-1]
    for n, someone in enumerate(everyone):
        if n % 4 != 3:
            door.check_in(latest, someone, by=organiser)
    db.session.flush()
    plans.generate(latest, plans.SeatingChoices(tables=[8] * (people // 6 + 1), rounds=2, source="checked_in"),
                   organiser, plans.Budget(iterations=200))
    db.session.commit()
    # Plain values: the session is emptied before each request, as a server's would be.
    return {"slug": group.slug, "account": factories.account(organiser).id, "long_member": everyone[1].id,
            "latest": latest.id, "future": future.id, "series": learning_sets[0].id}


def _pages(built: dict) -> dict[str, str]:
    slug, latest, future = built["slug"], built["latest"], built["future"]
    return {
        "guests page": f"/events/{future}/guests",
        "check-in page": f"/events/{future}/check-in",
        "people page": f"/communities/{slug}/people",
        "events list": f"/communities/{slug}/events",
        "learning-sets page": f"/communities/{slug}/learning-sets",
        "series page": f"/series/{built['series']}",
        "seating page": f"/events/{latest}/seating",
        "event page": f"/events/{latest}",
        "community page": f"/communities/{slug}",
        "personal-data export": f"/communities/{slug}/people/{built['long_member']}/data.json",
    }


class Counter:
    def __init__(self, engine):
        self.statements: list[str] = []
        self.engine = engine
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _connection, _cursor, statement, *_args) -> None:
        self.statements.append(statement)

    def close(self) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._seen)


def _fresh_request_state() -> None:
    """As a request on a server starts: no objects left in the session from building or from the request before
    (the tests' app context outlives requests, and with it the session and the signed-in user on `g`)."""
    db.session.remove()
    g.pop("_login_user", None)


def _measure(app, built: dict) -> dict[str, tuple[int, int]]:
    """page -> (statements, bytes), signed in as the community's organiser."""
    client = app.test_client()
    sign_in(client, db.session.get(Account, built["account"]))
    pages = _pages(built)
    counter = Counter(db.engine)
    measured = {}
    try:
        for label, url in pages.items():
            _fresh_request_state()
            assert client.get(url).status_code == 200, label  # the first opening: once-only work out of the count
            _fresh_request_state()
            before = len(counter.statements)
            response = client.get(url)
            assert response.status_code == 200, label
            measured[label] = (len(counter.statements) - before, len(response.data))
    finally:
        counter.close()
        _fresh_request_state()
    return measured


@pytest.fixture
def two_sizes(app):
    small = _build(*SMALL)
    large = _build(*LARGE)
    return _measure(app, small), _measure(app, large)


def test_no_page_asks_more_questions_of_a_bigger_community(two_sizes):
    small, large = two_sizes
    grew = {label: (small[label][0], large[label][0]) for label in small if small[label][0] != large[label][0]}
    assert grew == {}, f"queries at {SMALL} and at {LARGE} (people, events): {grew}"


def test_the_lists_of_people_are_paged(app):
    """At 150 invited the guests and check-in pages show a page of 100 and a link to the next; the counts
    at the top are of everyone."""
    built = _build(150, 1)
    client = app.test_client()
    sign_in(client, db.session.get(Account, built["account"]))
    future = built["future"]
    guests = client.get(f"/events/{future}/guests").text
    assert "Answers (150 invited)" in guests and 'class="nhsuk-pagination' in guests
    assert guests.count("invitation</button>") == 100  # the revoke buttons, one per row shown
    second = client.get(f"/events/{future}/guests?page=2").text
    assert second.count("invitation</button>") == 50
    found = client.get(f"/events/{future}/guests?q={NAMES[4].split()[0]}").text
    assert "15 found for" in found and "nhsuk-pagination" not in found
    door_page = client.get(f"/events/{future}/check-in").text
    confirmed = sum(1 for n in range(150) if (n + 1) % 4 != 0)
    assert f"of {confirmed} with a confirmed place" in door_page and 'class="nhsuk-pagination' in door_page
    assert door_page.count('class="cop-door-row"') == 100
    last = client.get(f"/events/{future}/check-in?page=2").text
    assert last.count('class="cop-door-row"') == confirmed - 100
    assert "李小龙 9" not in door_page and "李小龙 9" in client.get(f"/events/{future}/check-in?q=李小龙 9").text
    # A row's action comes back to the page it was taken from (the search, too).
    action = re.search(r'action="(/invitations/\d+/revoke[^"]*)"', second).group(1).replace("&amp;", "&")
    assert client.post(action).headers["Location"].endswith(f"/events/{future}/guests?page=2")


def test_pages_stay_within_their_byte_budgets(two_sizes):
    """Budgets at 40 people and 6 events, about ten times what the pages weigh there: a page that lists
    everyone several times over (a select of all the seated in every form) would break them as it grows."""
    _, large = two_sizes
    budgets_kb = {"guests page": 200, "check-in page": 200, "people page": 200, "events list": 100,
                  "learning-sets page": 100, "series page": 60, "seating page": 300, "event page": 100,
                  "community page": 100, "personal-data export": 200}
    over = {label: round(size / 1024) for label, (_, size) in large.items() if size > budgets_kb[label] * 1024}
    assert over == {}
