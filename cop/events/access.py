"""Who may see and change events, series and venues: the community's roles decide.

Organisers and facilitators see everything in their community; members and guests
see published events, and private ones (an action learning set) only when they are
in them. What a visitor may not see answers 404, as if it were not there.
"""
from flask import abort
from flask_login import current_user
from sqlalchemy import or_, select

from cop.communities.access import STAFF, community_for, role_in
from cop.events import signals
from cop.events.models import Event, Series, SeriesMember
from cop.extensions import db


def event_for(event_id: int, roles: tuple[str, ...]) -> tuple[Event, str]:
    """The event named by the URL, if the signed-in account holds one of the roles in its community."""
    event = db.get_or_404(Event, event_id)
    _, role = community_for(event.community.slug, roles)
    if role not in STAFF and not member_may_see(event, current_user.person_id):
        abort(404)
    return event, role


def series_for(series_id: int, roles: tuple[str, ...]) -> tuple[Series, str]:
    series = db.get_or_404(Series, series_id)
    _, role = community_for(series.community.slug, roles)
    if role not in STAFF and not visible_to_member(series.events, current_user.person_id):
        abort(404)
    return series, role


def events_person_is_in(person_id: int) -> list:
    """SELECTs of the ids of the events a person is in: their series' sessions, and those other parts of cop
    answer for (an invitation: see signals.audience_of)."""
    in_series = select(Event.id).join(SeriesMember, SeriesMember.series_id == Event.series_id).where(
        SeriesMember.person_id == person_id)
    return [in_series, *signals.audience_queries(person_id)]


def _in_it(event: Event, person_id: int) -> bool:
    return db.session.execute(select(Event.id).where(
        Event.id == event.id, or_(*(Event.id.in_(query) for query in events_person_is_in(person_id))))
    ).first() is not None


def member_may_see(event: Event, person_id: int) -> bool:
    """A member sees a published event (a private one only if in it), and a cancelled one they were in."""
    if event.status == "published":
        return event.is_public or _in_it(event, person_id)
    if event.status == "cancelled":
        return _in_it(event, person_id)
    return False


def visible_to_member(events: list[Event], person_id: int) -> list[Event]:
    """The events of these a member may see (as `member_may_see`), in one query however many there are."""
    asking = [e.id for e in events if e.status == "cancelled" or (e.status == "published" and not e.is_public)]
    in_them = set(db.session.execute(select(Event.id).where(
        Event.id.in_(asking), or_(*(Event.id.in_(query) for query in events_person_is_in(person_id))))
    ).scalars()) if asking else set()
    return [e for e in events if (e.status == "published" and (e.is_public or e.id in in_them))
            or (e.status == "cancelled" and e.id in in_them)]


def role_of_current_user(event: Event) -> str | None:
    return role_in(event.community, current_user)
