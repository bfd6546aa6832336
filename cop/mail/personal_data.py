"""The mail section of a person's data (see cop/people/personal_data.py)."""
from sqlalchemy import or_, select

from cop.extensions import db
from cop.mail.models import OutboxMessage
from cop.people.models import Person, erased_email
from cop.people.personal_data import register_section, replacements_for, when, without_secrets


def _mail_about(person: Person):
    return OutboxMessage.recipient == person.email


def _export_mail(person: Person, community_id: int | None) -> list[dict]:
    query = select(OutboxMessage).where(_mail_about(person)).order_by(OutboxMessage.id)
    if community_id is not None:
        query = query.where(OutboxMessage.community_id == community_id)
    messages = db.session.execute(query).scalars()
    return [{"subject": m.subject, "state": m.state, "created_at": when(m.created_at), "sent_at": when(m.sent_at),
             "text_body": without_secrets(m.text_body),
             "attachments": [a.get("filename") for a in m.attachments or []]} for m in messages]


def _erase_mail(person: Person) -> int:
    """Mail to them is kept as a row (the outbox counts it) with nothing in it; mail that is
    not yet sent will not be; their name and address are taken out of everyone else's mail."""
    touched = 0
    address = erased_email(person.id)
    for message in db.session.execute(select(OutboxMessage).where(_mail_about(person))).scalars():
        message.recipient = address
        message.subject = "(erased)"
        message.text_body = "(erased)"
        message.html_body = None
        message.attachments = []
        message.reply_to = None
        if message.state == "pending":
            message.state, message.last_error = "failed", "The recipient's personal data was erased."
        touched += 1
    replacements = replacements_for(person)
    if not replacements:
        return touched
    others = db.session.execute(select(OutboxMessage).where(or_(
        *(column.contains(text, autoescape=True) for text, _ in replacements for column in (
            OutboxMessage.reply_to, OutboxMessage.subject, OutboxMessage.text_body, OutboxMessage.html_body))
    ))).scalars()
    for message in others:
        for text, instead in replacements:
            message.subject = message.subject.replace(text, instead)
            message.text_body = message.text_body.replace(text, instead)
            message.html_body = message.html_body and message.html_body.replace(text, instead)
            message.attachments = [
                {**a, "data": a["data"].replace(text, instead)} if a.get("encoding") != "base64" else a
                for a in message.attachments or []
            ]
        if message.reply_to == person.email:
            message.reply_to = None
        touched += 1
    return touched


register_section("mail", _export_mail, _erase_mail)
