"""The community's events page: upcoming and past, as each visitor may see them."""
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from cop.clock import utcnow
from cop.communities.access import STAFF
from cop.communities.models import Community
from cop.events.access import events_person_is_in
from cop.events.models import Event, Series, SeriesMember
from cop.extensions import db


@dataclass
class EventList:
    upcoming: list[Event]
    past: list[Event]


def visible_events(community: Community, role: str, person_id: int) -> EventList:
    query = select(Event).where(Event.community_id == community.id)
    if role not in STAFF:
        query = query.where(
            Event.status == "published",
            or_(Event.is_public.is_(True), *(Event.id.in_(q) for q in events_person_is_in(person_id))),
        )
    now = utcnow()
    upcoming = db.session.execute(query.where(Event.ends_at >= now).order_by(Event.starts_at, Event.id)).scalars()
    past = db.session.execute(
        query.where(Event.ends_at < now).order_by(Event.starts_at.desc(), Event.id.desc()).limit(100)
    ).scalars()
    return EventList(upcoming=list(upcoming), past=list(past))


def series_of(community: Community) -> list[Series]:
    return list(
        db.session.execute(
            select(Series)
            .where(Series.community_id == community.id)
            # The list says how many sessions each has: their events in one query, not one per series.
            .options(selectinload(Series.events))
            .order_by(Series.created_at.desc(), Series.id.desc())
        ).scalars()
    )


def members_of(series: Series) -> list[SeriesMember]:
    """A series' members with their people, in one query (not one per member)."""
    return list(db.session.execute(
        select(SeriesMember).where(SeriesMember.series_id == series.id)
        .options(selectinload(SeriesMember.person)).order_by(SeriesMember.id)
    ).scalars())


def events_held(community: Community, up_to: Event | None = None) -> list[Event]:
    """The community's events that have begun and were not cancelled, oldest first; with `up_to`,
    those up to and including that one (which is included even if it has not begun yet)."""
    query = select(Event).where(Event.community_id == community.id, Event.status != "cancelled")
    if up_to is None:
        query = query.where(Event.starts_at <= utcnow())
    else:
        query = query.where(or_(Event.id == up_to.id, (Event.starts_at <= utcnow()) & (
            (Event.starts_at < up_to.starts_at) | ((Event.starts_at == up_to.starts_at) & (Event.id < up_to.id)))))
    return list(db.session.execute(query.order_by(Event.starts_at, Event.id)).scalars())
