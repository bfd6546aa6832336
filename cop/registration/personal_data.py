"""The registrations section of a person's data export and erasure (see cop/people/personal_data.py).

Registrations are kept by the address typed on the public pages, so they are found by the person's
address. Export: each registration (event or request to join, what was typed, channel, state, dates;
never the link's secret). Erasure deletes them: what they led to (a membership, an invitation) has
sections of its own, and the channel stays on the invitation, so the reports' counts do not change.
"""
from sqlalchemy import delete, select

from cop.extensions import db, rows_changed
from cop.people.models import Person
from cop.people.personal_data import register_section
from cop.registration.models import Registration


def _when(moment):
    return moment.isoformat() + "Z" if moment else None


def export_registrations(person: Person, community_id: int | None) -> list[dict]:
    query = select(Registration).where(Registration.email == person.email).order_by(Registration.id)
    if community_id is not None:
        query = query.where(Registration.community_id == community_id)
    return [{
        "community_id": r.community_id, "event_id": r.event_id, "kind": "event" if r.event_id else "join",
        "name": r.name, "email": r.email, "organisation": r.organisation, "sector": r.sector, "place": r.place,
        "profession": r.profession, "dietary_needs": r.dietary_needs, "access_needs": r.access_needs,
        "channel": r.channel, "state": r.state, "created_at": _when(r.created_at),
        "confirmed_at": _when(r.confirmed_at), "decided_at": _when(r.decided_at),
    } for r in db.session.execute(query).scalars()]


def erase_registrations(person: Person) -> int:
    return rows_changed(delete(Registration).where(Registration.email == person.email))


register_section("registrations", export=export_registrations, erase=erase_registrations)
