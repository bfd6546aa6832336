"""The demo's year of themes: a theme a month from the last Big Room's, the Big Rooms carrying theirs; members'
suggestions open, two suggested themes with votes. Idempotent: themes and suggestions are found by name, an
event keeps the theme it has, and votes are given only with a new suggestion."""
from sqlalchemy import select

from cop.communities.models import Community, Membership
from cop.events.times import to_london
from cop.extensions import db
from cop.people.models import Person
from cop.programme import suggestions, year
from cop.programme.models import ThemeSuggestion

THEMES = [
    ("Frailty", "What happens before a frail person reaches the front door, and who could have been there."),
    ("Health inequalities", "Who falls through the gaps between our services, neighbourhood by neighbourhood."),
    ("Mental health and housing", "Homes, tenancies and mental health: the conversations that keep people well."),
    ("Carers", "Unpaid carers: seeing them, asking them, backing them."),
    ("Digital inclusion", "Services online, people offline: closing the gap."),
    ("Children and young people", "Transitions to adult services."),
]


def add_demo_themes(community: Community, events: dict) -> None:
    past = events.get("past_big_room")
    start = to_london(past.starts_at).date().replace(day=1) if past else year.this_month()
    existing = {t.name: t for t in year.themes_of(community)}
    for n, (name, description) in enumerate(THEMES):
        if name not in existing:
            existing[name] = year.add_theme(community, name, year.add_months(start, n), description)
    for key, name in (("past_big_room", "Frailty"), ("upcoming_big_room", "Health inequalities")):
        event = events.get(key)
        if event is not None and event.theme_id is None:
            year.give_event_theme(event, existing[name])


SUGGESTIONS = [
    ("Hospital discharge on a Friday", "What it takes to get someone home safely at the end of the week.", 5),
    ("Loneliness in later life", "Social prescribing, befriending and who notices first.", 3),
]


def add_demo_suggestions(community: Community) -> None:
    """Suggestions open, two members' suggestions voted for by others (members, by id: the same each run)."""
    members = list(db.session.execute(
        select(Person).join(Membership, Membership.person_id == Person.id)
        .where(Membership.community_id == community.id, Membership.role == "member")
        .order_by(Person.id).limit(12)).scalars())
    if len(members) < 8:
        return
    if not suggestions.is_open(community):
        suggestions.set_open(community, True)
    known = set(db.session.execute(select(ThemeSuggestion.title).where(
        ThemeSuggestion.community_id == community.id)).scalars())
    for n, (title, description, votes) in enumerate(SUGGESTIONS):
        if title in known:
            continue
        author = members[n]
        suggestion = suggestions.suggest(community, author, title, description)
        for voter in members[2:2 + votes]:
            suggestions.toggle_vote(suggestion, voter)
