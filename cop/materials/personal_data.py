"""The materials section of a person's data export and erasure (see cop/people/personal_data.py).

Export: the materials the person added (event, title, file name or link, who may see it, when) and the
"materials are up" mails they sent. Erasure keeps the materials (the event's slides are the speaker's and the
community's, not the uploader's personal data) and forgets who added them and who sent the mail.
"""
from sqlalchemy import select, update

from cop.events.models import Event
from cop.extensions import db, rows_changed
from cop.materials.models import Material, MaterialsNotice
from cop.people.models import Person
from cop.people.personal_data import register_section, when


def export_materials(person: Person, community_id: int | None) -> list[dict]:
    query = select(Material).join(Event).where(Material.uploaded_by_id == person.id).order_by(Material.id)
    if community_id is not None:
        query = query.where(Event.community_id == community_id)
    return [{"event_id": m.event_id, "title": m.title, "kind": m.kind, "filename": m.filename, "url": m.url,
             "visibility": m.visibility, "added_at": when(m.created_at)} for m in db.session.execute(query).scalars()]


def erase_materials(person: Person) -> int:
    added = rows_changed(update(Material).where(Material.uploaded_by_id == person.id)
                         .values(uploaded_by_id=None))
    sent = rows_changed(update(MaterialsNotice).where(MaterialsNotice.sent_by_id == person.id)
                        .values(sent_by_id=None))
    return added + sent


register_section("materials", export=export_materials, erase=erase_materials)
