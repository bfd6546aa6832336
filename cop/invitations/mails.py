"""The mails of an invitation's life, each queued in the outbox with the change that causes it.

Every mail is plain text plus HTML, from MAIL_DEFAULT_SENDER with Reply-To the organiser,
and carries a personal link of its own (see InvitationLink) when it asks the person to act.

A mail that puts the event in the person's calendar carries it as METHOD:REQUEST (the
invitation itself does when cop receives calendar answers, see calendar_replies.py); one
that takes it out, because their place has ended, as METHOD:CANCEL. The MIME layout is
cop/mail/mime.py's.
"""
import base64
import hashlib
import hmac
import struct
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import qrcode
from flask import current_app, render_template

from cop.communities.members import first_organisers
from cop.events.models import Event
from cop.events.times import format_clock, format_day, format_when
from cop.extensions import db
from cop.ical import event_ics
from cop.invitations import signals
from cop.invitations.models import Invitation, InvitationLink
from cop.links import external_url
from cop.mail import inbound
from cop.mail.outbox import queue_mail
from cop.tokens import new_token

LONDON = ZoneInfo("Europe/London")


def london_time(moment: datetime | None) -> str:
    """A stored (naive UTC) time as people in England read it, the one way the site says it (issue 17):
    "Tuesday 14 April 2026, 6pm"."""

    if moment is None:
        return ""
    local = moment.replace(tzinfo=timezone.utc).astimezone(LONDON)
    return f"{format_day(local.date())}, {format_clock(local.time())}"


def new_personal_link(invitation: Invitation) -> str:
    """Mint a link for one mail; only the token's hash is stored."""
    token, token_hash = new_token()
    invitation.links.append(InvitationLink(token_hash=token_hash))
    return external_url("invitations.rsvp", token=token)


def organiser_address(event: Event) -> str | None:
    """Replies go to the REPLY_TO setting, or to the community's first organiser."""
    configured = current_app.config.get("INVITATION_REPLY_TO")
    if configured:
        return configured
    organiser = first_organisers([event.community_id]).get(event.community_id)
    return organiser.email if organiser else None


def check_in_url(invitation: Invitation) -> str:
    # The organiser's phone opens this at the door (the events feature's check-in page).
    return external_url("door.check_in_person", event_id=invitation.event_id, person_id=invitation.person_id)


def check_in_qr_png(invitation: Invitation) -> bytes:
    # A fixed mask pattern skips the search for the best of eight, which costs more than the
    # rest together; a phone reads either from a screen.
    code = qrcode.QRCode(border=4, mask_pattern=0)
    code.add_data(check_in_url(invitation))
    code.make(fit=True)
    return qr_png(code.get_matrix(), scale=6)


def qr_png(modules: list[list[bool]], scale: int) -> bytes:
    """A QR code's modules (True is dark) as a 1-bit black-and-white PNG, each module scale x scale pixels.

    Written with zlib rather than through qrcode's PyPNG image, whose per-pixel Python loops took
    twice as long as everything else in a confirmation mail.
    """
    size = len(modules) * scale
    padding = "0" * (-size % 8)  # each row is whole bytes
    rows = []
    for row in modules:
        bits = "".join(("0" if dark else "1") * scale for dark in row) + padding
        rows.extend([b"\0" + int(bits, 2).to_bytes(len(bits) // 8, "big")] * scale)  # filter 0, then the pixels

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 1, 0, 0, 0, 0)  # 1-bit greyscale, not interlaced
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + chunk(b"IEND", b""))


def _qr_attachment(invitation: Invitation) -> dict:
    return {
        "filename": "check-in.png",
        "content_type": "image/png",
        "data": base64.b64encode(check_in_qr_png(invitation)).decode("ascii"),
        "encoding": "base64",
    }


# --- Calendar answers by mail ---------------------------------------------------------------------
# Each invitation's calendar names a reply address of its own as ORGANIZER, so the person's
# Accept / Tentative / Decline comes back to cop (see calendar_replies.py). The address carries
# the invitation's id and an HMAC of it under SECRET_KEY: nothing is stored, the same address
# serves every update of the invitation, and nobody can make one for someone else's invitation.


def replies_enabled() -> bool:
    """Whether cop receives calendar answers (MAIL_REPLY_ADDRESS is set and `cop inbound` runs)."""
    return bool(current_app.config.get("MAIL_REPLY_ADDRESS"))


def _reply_mac(invitation_id: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    # Lower-case hex: some mail systems change the case of addresses.
    return hmac.new(key, f"invitation-reply:{invitation_id}".encode(), hashlib.sha256).hexdigest()[:32]


def reply_tag(invitation_id: int) -> str:
    return f"i{invitation_id}.{_reply_mac(invitation_id)}"


def invitation_id_for_reply_tag(tag: str) -> int | None:
    """The invitation a reply address's tag names, or None if the tag is not one cop made."""
    kind, _, rest = tag.lower().partition("i")
    number, _, mac = rest.partition(".")
    if kind or not number.isdigit() or not hmac.compare_digest(mac, _reply_mac(int(number))):
        return None
    return int(number)


def reply_address(invitation: Invitation) -> str | None:
    """Where this invitation's calendar answers go (its ORGANIZER), or None if cop does not receive them."""
    if not replies_enabled():
        return None
    return inbound.tagged_address(current_app.config["MAIL_REPLY_ADDRESS"], reply_tag(invitation.id))


def calendar_attachment(invitation: Invitation, method: str = "REQUEST") -> dict:
    """The event for this person's calendar, METHOD in the MIME type and in the body alike."""
    return {
        "filename": "invite.ics",
        "content_type": f'text/calendar; method={method}; charset="UTF-8"',
        "data": event_ics(invitation.event, method, invitation, reply_address=reply_address(invitation)),
    }


def _calendar_attachment(invitation: Invitation) -> dict:
    return calendar_attachment(invitation, "REQUEST")


def _when(event) -> str:

    return format_when(event.starts_at, event.ends_at)


def _build(invitation: Invitation, template: str, subject: str, link: str | None,
           attachments: list[dict] | None = None, reply_to: str | None = None, **context) -> dict:
    """queue_mail's arguments for one mail (reply_to: the organiser's address, if already looked up)."""
    event = invitation.event
    values = {
        "invitation": invitation, "event": event, "person": invitation.person, "link": link,
        "starts": london_time(event.starts_at), "ends": london_time(event.ends_at),
        "when": _when(event),
        "deadline": london_time(event.rsvp_deadline), "offer_expires": london_time(invitation.offer_expires_at),
        **context,
    }
    return {
        "recipient": invitation.person.email,
        "subject": subject,
        "text_body": render_template(f"invitations/mail/{template}.txt", **values),
        "html_body": render_template(f"invitations/mail/{template}.html", **values),
        "reply_to": reply_to or organiser_address(event),
        "attachments": attachments,
        "community_id": event.community_id,
    }


def _queue(invitation: Invitation, template: str, subject: str, link: str | None,
           attachments: list[dict] | None = None, **context) -> None:
    queue_mail(**_build(invitation, template, subject, link, attachments, **context))


def mail_invitation(invitation: Invitation, reply_to: str | None = None) -> None:
    """reply_to: the organiser's address when the caller has looked it up already (a run of many mails)."""
    link = new_personal_link(invitation)
    # With calendar answers received, the invitation is a meeting request (Accept / Decline in
    # Outlook, Gmail, Apple Mail); without, it asks for no answer cop would not hear.
    if invitation.id is None:
        db.session.flush()  # the reply address names the invitation's id
    attachments = [_calendar_attachment(invitation)] if replies_enabled() else None
    _queue(invitation, "invitation", f"You are invited: {invitation.event.title}", link, attachments,
           extra_links=signals.links_for_mail(invitation), reply_to=reply_to)


def mail_place_ended(invitation: Invitation, reason: str) -> None:
    """Take the event out of this person's calendar: a CANCEL for them alone, one SEQUENCE higher.

    reason: "declined" (their answer became no, or they left the waitlist) or "revoked".
    """
    invitation.calendar_sequence = (invitation.calendar_sequence or 0) + 1
    _queue(invitation, "place_ended", f"Taken out of your calendar: {invitation.event.title}", None,
           [calendar_attachment(invitation, "CANCEL")], reason=reason)


def _confirmation(invitation, link: str, reply_to: str | None = None) -> dict:
    return _build(invitation, "confirmation", f"Your place is confirmed: {invitation.event.title}", link,
                  attachments=[_calendar_attachment(invitation), _qr_attachment(invitation)],
                  reply_to=reply_to, check_in_url=check_in_url(invitation))


def mail_confirmation(invitation: Invitation, link: str | None = None) -> None:
    """Your place is confirmed: the event for the calendar and a QR code for the door."""
    queue_mail(**_confirmation(invitation, link or new_personal_link(invitation)))


def mail_waitlisted(invitation: Invitation, link: str | None = None, reply_to: str | None = None) -> None:
    link = link or new_personal_link(invitation)
    _queue(invitation, "waitlisted", f"You are on the waitlist: {invitation.event.title}", link, reply_to=reply_to)


# --- Mail for an answer, built before the event is locked ---------------------------------------------------
# Answers to one event take turns on its row lock, which is held until the commit, so whatever
# runs under it is paid once per answer by everyone in the queue. Building a confirmation (two
# templates, the .ics, the QR code, the organiser's address) is the slow part: it is built before
# the lock from the answer as it will read, and queued under the lock, in the same transaction,
# only if what it was built from is unchanged (else it is built again there, as before).


class _AsAnswered:
    """An invitation as it will read once the answer is recorded, without changing the model
    (a changed model would be flushed before the lock is taken)."""

    def __init__(self, invitation: Invitation, **answered) -> None:
        self._invitation = invitation
        self.__dict__.update(answered)

    def __getattr__(self, name: str):
        return getattr(self._invitation, name)


def mail_basis(event: Event, attendance_mode: str, calendar_sequence: int) -> tuple:
    """What a prepared mail depends on that may change before the lock: the event (read afresh
    under the lock and compared), the attendance mode the answer gets and the person's own SEQUENCE step."""
    return (tuple(getattr(event, column.key) for column in Event.__mapper__.column_attrs), attendance_mode,
            calendar_sequence)


def returning_sequence(invitation: Invitation, answer: str) -> int:
    """The person's own SEQUENCE step once the answer is recorded: one up when they come back after a no,
    so the new REQUEST is newer than the CANCEL their calendar had."""
    step = invitation.calendar_sequence or 0
    return step + 1 if invitation.answer == "no" and answer != "no" else step


@dataclass
class AnswerMail:
    """The parts of an answer's mail made before the event is locked."""

    link: str
    link_hash: str | None  # a new personal link's hash, stored under the lock; None for the link answered from
    reply_to: str | None
    confirmation: dict | None  # queue_mail's arguments for a confirmation, if the answer is likely to get one
    basis: tuple | None


def prepare_answer_mail(invitation: Invitation, answer: str, attendance_mode: str, link: str | None) -> AnswerMail:
    """Build before the lock what the answer's mail needs; attendance_mode is the mode it will have."""
    link_hash = None
    if link is None:
        token, link_hash = new_token()
        link = external_url("invitations.rsvp", token=token)
    event = invitation.event
    invitation.person, event.venue, event.community  # loaded now: the mail built under the lock reads no rows
    reply_to = organiser_address(event)
    confirmation = basis = None
    if answer == "yes" and invitation.place != "confirmed":
        sequence = returning_sequence(invitation, answer)
        answered = _AsAnswered(invitation, answer="yes", place="confirmed", attendance_mode=attendance_mode,
                               waitlist_position=None, offer_expires_at=None, calendar_sequence=sequence)
        confirmation = _confirmation(answered, link, reply_to)
        basis = mail_basis(event, attendance_mode, sequence)
    return AnswerMail(link, link_hash, reply_to, confirmation, basis)


def _store_link(invitation: Invitation, prepared: AnswerMail) -> None:
    if prepared.link_hash is not None:
        # Added by id, not through invitation.links, which would load the invitation's other links.
        db.session.add(InvitationLink(invitation_id=invitation.id, token_hash=prepared.link_hash))


def queue_answer_confirmation(invitation: Invitation, prepared: AnswerMail) -> None:
    """Queue the confirmation in the caller's transaction (under the event's lock)."""
    _store_link(invitation, prepared)
    if prepared.confirmation is not None and prepared.basis == mail_basis(
            invitation.event, invitation.attendance_mode, invitation.calendar_sequence):
        queue_mail(**prepared.confirmation)
    else:
        queue_mail(**_confirmation(invitation, prepared.link, prepared.reply_to))


def queue_answer_waitlisted(invitation: Invitation, prepared: AnswerMail) -> None:
    """Queue the waitlist mail (it needs the position, known only under the lock; two small templates)."""
    _store_link(invitation, prepared)
    mail_waitlisted(invitation, prepared.link, prepared.reply_to)


def mail_offer(invitation: Invitation) -> None:
    link = new_personal_link(invitation)
    _queue(invitation, "offer", f"A place is free for you: {invitation.event.title}", link)


def mail_offer_lapsed(invitation: Invitation) -> None:
    link = new_personal_link(invitation)
    _queue(invitation, "offer_lapsed", f"The place we offered has passed on: {invitation.event.title}", link)


def mail_reminder(invitation: Invitation, days: int) -> None:
    link = new_personal_link(invitation)
    _queue(invitation, "reminder", f"Reminder: {invitation.event.title}, {london_time(invitation.event.starts_at)}",
           link, attachments=[_calendar_attachment(invitation), _qr_attachment(invitation)], days=days,
           check_in_url=check_in_url(invitation))


def mail_chase(invitation: Invitation) -> None:
    link = new_personal_link(invitation)
    _queue(invitation, "chase", f"Will you come? {invitation.event.title}", link)
