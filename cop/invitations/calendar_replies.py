"""Calendar answers by mail: an iTIP REPLY applied as if the person had answered on their RSVP page.

The REPLY arrives at the invitation's own reply address (mails.reply_address: the id and an
HMAC of it). It counts only if
- the tag is one cop made (nobody can make the address of someone else's invitation),
- the invitation is not revoked and the REPLY is about its event (the UID),
- the ATTENDEE answering is the person invited (a forwarded invitation accepted by someone
  else changes nothing),
- it is not older than the answer cop already has (DTSTAMP before answered_at: the person
  answered on the page since).
ACCEPTED is a yes, TENTATIVE a maybe, DECLINED a no; it goes through rsvp.answer_from_calendar,
so the event's lock, the capacity, the waitlist and the confirmation mail are the page's.
"""
from datetime import timezone

from cop.extensions import db
from cop.invitations import mails
from cop.invitations.models import Invitation
from cop.invitations.rsvp import AnswersClosed, answer_from_calendar
from cop.mail.inbound import CalendarReply, register_reply_handler

ANSWERS = {"ACCEPTED": "yes", "TENTATIVE": "maybe", "DECLINED": "no"}


def _address(value) -> str:
    return str(value).strip().removeprefix("mailto:").removeprefix("MAILTO:").strip().lower()


def _attendees(vevent) -> list:
    found = vevent.get("attendee")
    if found is None:
        return []
    return found if isinstance(found, list) else [found]


def apply_calendar_reply(reply: CalendarReply) -> str:
    """Apply one REPLY to the invitation its address names; returns what happened, for the log."""
    invitation_id = mails.invitation_id_for_reply_tag(reply.tag)
    if invitation_id is None:
        return "ignored: not a reply address cop made"
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.revoked_at is not None:
        return "ignored: no such invitation"
    outcome = "ignored: not about this invitation's event"
    for vevent in reply.calendar.walk("VEVENT"):
        if str(vevent.get("uid", "")) != invitation.event.uid:
            continue
        answering = [a for a in _attendees(vevent) if _address(a) == invitation.person.email.lower()]
        if not answering:
            outcome = "ignored: the attendee is not the person invited"
            continue
        answer = ANSWERS.get(str(answering[0].params.get("PARTSTAT", "")).upper())
        if answer is None:
            outcome = "ignored: no answer in the reply"
            continue
        stamp = vevent.get("dtstamp")
        if stamp is not None and invitation.answered_at is not None:
            sent = stamp.dt.astimezone(timezone.utc).replace(tzinfo=None) if stamp.dt.tzinfo else stamp.dt
            # DTSTAMP has whole seconds: a reply in the same second as the answer cop has is not older.
            if sent < invitation.answered_at.replace(microsecond=0):
                return "ignored: older than the answer cop has"
        try:
            answer_from_calendar(invitation, answer)
        except AnswersClosed:
            db.session.rollback()
            return "ignored: answers are closed"
        except LookupError:
            db.session.rollback()
            return "ignored: no such invitation"
        return f"answered {answer}"
    return outcome


register_reply_handler(apply_calendar_reply)
