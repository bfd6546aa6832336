"""Venues and their saved table layouts."""
import re
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from cop.communities.models import Community
from cop.events.models import Event, Venue
from cop.extensions import db

_GROUP = re.compile(r"^(\d+)\s*(?:x|×|\*|tables? of)\s*(\d+)$", re.IGNORECASE)
MAX_TABLES = 200
MAX_SEATS_AT_A_TABLE = 30


def parse_table_layout(text: str) -> list[int]:
    """"20 x 10", "18 x 10, 2 x 8" or "10, 10, 8" as seats per table, in table order.

    Raises ValueError with a message for the organiser.
    """
    layout: list[int] = []
    for part in (p.strip() for p in re.split(r"[,;\n]", text or "")):
        if not part:
            continue
        grouped = _GROUP.match(part)
        if grouped:
            tables, seats = int(grouped.group(1)), int(grouped.group(2))
        elif part.isdigit():
            tables, seats = 1, int(part)
        else:
            raise ValueError(f"Write tables like 20 x 10 or 10, 10, 8 (cannot read “{part}”)")
        if not 1 <= seats <= MAX_SEATS_AT_A_TABLE:
            raise ValueError(f"A table seats from 1 to {MAX_SEATS_AT_A_TABLE} people")
        if len(layout) + tables > MAX_TABLES:  # before building anything: "1000000000000 x 10" is one line
            raise ValueError(f"A layout can have at most {MAX_TABLES} tables")
        layout.extend([seats] * tables)
    if len(layout) > MAX_TABLES:
        raise ValueError(f"A layout can have at most {MAX_TABLES} tables")
    return layout


def describe_table_layout(layout: list[int]) -> str:
    """[10]*20 + [8]*2 -> "20 tables of 10, 2 tables of 8 (216 seats)"."""
    if not layout:
        return ""
    counts = Counter(layout)
    groups = ", ".join(
        f"{n} {'table' if n == 1 else 'tables'} of {seats}" for seats, n in sorted(counts.items(), reverse=True)
    )
    return f"{groups} ({sum(layout)} seats)"


def layout_as_text(layout: list[int]) -> str:
    counts = Counter(layout)
    return ", ".join(f"{n} x {seats}" for seats, n in sorted(counts.items(), reverse=True))


@dataclass
class VenueDetails:
    name: str
    address: str = ""
    capacity: int | None = None
    access_information: str = ""
    table_layout: list[int] | None = None


def venues_of(community: Community) -> list[Venue]:
    return list(
        db.session.execute(
            select(Venue).where(Venue.community_id == community.id).order_by(func.lower(Venue.name), Venue.id)
        ).scalars()
    )


def venue_of(community: Community, venue_id: int) -> Venue | None:
    return db.session.execute(
        select(Venue).where(Venue.community_id == community.id, Venue.id == venue_id)
    ).scalar_one_or_none()


def save_venue(community: Community, details: VenueDetails, venue: Venue | None = None,
               changed_by=None) -> Venue:
    """Create or edit a venue. A new name or address reaches the calendars of the events held there
    (see scheduling.tell_of_venue_change)."""
    from cop.events import scheduling, signals  # they build on this module's models, not on it

    before = None
    if venue is None:
        venue = Venue(community=community)
        db.session.add(venue)
    elif (venue.name, venue.address or "") != (details.name.strip(), details.address.strip()):
        held_here = db.session.execute(select(Event).where(Event.venue_id == venue.id)).scalars()
        before = {event.id: signals.when_and_where(event) for event in held_here}
    venue.name = details.name.strip()
    venue.address = details.address.strip()
    venue.capacity = details.capacity
    venue.access_information = details.access_information.strip()
    venue.table_layout = list(details.table_layout or [])
    if before is not None:
        db.session.flush()
        scheduling.tell_of_venue_change(venue, before, changed_by)
    return venue
