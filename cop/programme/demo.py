"""The demo's year of themes: a theme a month from the last Big Room's, the Big Rooms carrying theirs.
Idempotent: themes are found by name, and an event keeps the theme it has."""
from cop.communities.models import Community
from cop.events.times import to_london
from cop.programme import year

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
