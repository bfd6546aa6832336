"""What events tell the rest of cop, without importing it (blinker signals, as Indico uses them).

Events sit below invitations, door, seating and the other features that hang off an event, so they
cannot call them. Instead they send these signals, and the higher packages connect receivers
(wired in cop/app.py, which imports every receiver module before the app serves).

Each signal's sender is the Event (or a person id for `audience_of`); keyword arguments are listed.
"""
from dataclasses import dataclass

from blinker import Namespace

from cop.events.models import ATTENDANCE_MODES, Event
from cop.events.times import format_when

_signals = Namespace()

# Sent in the same transaction as the change; receivers queue mail through the outbox, never commit.
moved = _signals.signal("event-moved")  # before: WhenAndWhere, changed_by: Person | None
cancelled = _signals.signal("event-cancelled")  # changed_by: Person | None, note: str
places_added = _signals.signal("event-places-added")  # a published event's capacity grew or was lifted

# Receivers return a SELECT of the ids of the events a person (the sender, a person id) is in besides
# their series: a private event (an action learning set) shows to them, and a cancelled one stays visible.
audience_of = _signals.signal("event-audience-of")

# Receivers return a dict of values for the event page's template (role: the visitor's role).
page_values = _signals.signal("event-page-values")


@dataclass
class WhenAndWhere:
    """An event's time and place as people read them: what a "changed" mail says it was."""

    when: str
    where: str
    title: str = ""


def where_text(event: Event) -> str:
    parts = []
    if event.venue is not None and event.attendance_mode != "online":
        parts.append(", ".join(p for p in (event.venue.name, " ".join(event.venue.address.split())) if p))
    if event.attendance_mode != "in_person":
        parts.append("Online" if event.attendance_mode == "online" else "Online for those who join online")
    return "; ".join(parts) or ATTENDANCE_MODES[event.attendance_mode]


def when_and_where(event: Event) -> WhenAndWhere:
    return WhenAndWhere(when=format_when(event.starts_at, event.ends_at), where=where_text(event), title=event.title)


def values_for_page(event: Event, role: str) -> dict:
    values: dict = {}
    for _receiver, returned in page_values.send(event, role=role):
        values.update(returned or {})
    return values


def audience_queries(person_id: int) -> list:
    return [query for _receiver, query in audience_of.send(person_id)]
