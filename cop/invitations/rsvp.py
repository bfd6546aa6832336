"""Answering an invitation from its personal link, and the places that answers get.

Capacity holds under concurrency because every change of places happens with the
event's row locked: `SELECT ... FOR UPDATE` on PostgreSQL; on SQLite a write to the
row takes the database's single write lock (other writers wait for it, up to the busy
timeout). Counting the free places and taking one happen under that lock.

A "yes" gets a confirmed place while there is room and nobody is waiting; otherwise it
joins the end of the waitlist. Positions are 1, 2, 3... with no gaps: when someone
leaves the queue those behind move up. A freed place is offered to the first in the
queue, who has until `offer_expires_at` to take it; an offer not taken passes on.
"""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, and_, func, select, text, update

from cop.clock import utcnow
from cop.events.models import Event
from cop.extensions import db
from cop.invitations import mails
from cop.invitations.models import Invitation, InvitationLink
from cop.tokens import hash_token

HOLDS_A_PLACE = ("confirmed", "offered")


class AnswersClosed(Exception):
    """The RSVP deadline has passed (or the event is cancelled): the answer can no longer change."""


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a personal link belongs to; None for an unknown link or a revoked invitation."""
    return db.session.execute(
        select(Invitation)
        .join(InvitationLink, InvitationLink.invitation_id == Invitation.id)
        .where(InvitationLink.token_hash == hash_token(token), Invitation.is_live)
    ).scalar_one_or_none()


def lock_event(event_id: int) -> Event:
    """The event, locked until the transaction ends, freshly read."""
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite ignores FOR UPDATE. Writing to the row first takes the write lock before anything
        # is read, so a concurrent writer waits (busy timeout) instead of failing to upgrade a read lock.
        db.session.execute(text("UPDATE event SET id = id WHERE id = :id"), {"id": event_id})
    return db.session.execute(
        select(Event).where(Event.id == event_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def answer_deadline(event: Event) -> datetime:
    return event.rsvp_deadline or event.starts_at


def answers_open(event: Event, now: datetime | None = None) -> bool:
    return event.status != "cancelled" and (now or utcnow()) < answer_deadline(event)


def offer_open(invitation: Invitation, now: datetime | None = None) -> bool:
    return (
        invitation.place == "offered"
        and invitation.offer_expires_at is not None
        and (now or utcnow()) < invitation.offer_expires_at
        and invitation.event.status != "cancelled"
    )


def can_change_answer(invitation: Invitation, now: datetime | None = None) -> bool:
    """Until the deadline; an offered place can be taken until its own time runs out."""
    return answers_open(invitation.event, now) or offer_open(invitation, now)


def takes_room_place(event: Event, attendance_mode: str) -> bool:
    """Whether an attendee counts against capacity: online attendees of a hybrid event do not."""
    return event.capacity is not None and not (event.attendance_mode == "hybrid" and attendance_mode == "online")


def mode_for(event: Event, wanted: str) -> str:
    """Only hybrid events offer a choice; the others have one way to attend."""
    if event.attendance_mode == "hybrid":
        return wanted if wanted in ("in_person", "online") else "in_person"
    return "online" if event.attendance_mode == "online" else "in_person"


def places_taken(event: Event) -> int:
    query = select(func.count(Invitation.id)).where(
        Invitation.event_id == event.id, Invitation.place.in_(HOLDS_A_PLACE)
    )
    if event.attendance_mode == "hybrid":
        query = query.where(Invitation.attendance_mode == "in_person")
    return db.session.execute(query).scalar_one()


def places_free(event: Event) -> int | None:
    """None when the event has no capacity limit."""
    if event.capacity is None:
        return None
    return max(0, event.capacity - places_taken(event))


def waitlist_length(event: Event) -> int:
    return db.session.execute(
        select(func.count(Invitation.id)).where(Invitation.event_id == event.id, Invitation.place == "waitlisted")
    ).scalar_one()


def _leave_waitlist(invitation: Invitation) -> None:
    """Take the invitation out of the queue; everyone behind it moves up one."""
    position = invitation.waitlist_position
    invitation.waitlist_position = None
    if invitation.place == "waitlisted":
        invitation.place = "none"
    if position is not None:
        db.session.flush()
        db.session.execute(
            update(Invitation)
            .where(
                Invitation.event_id == invitation.event_id,
                Invitation.place == "waitlisted",
                Invitation.waitlist_position > position,
            )
            .values(waitlist_position=Invitation.waitlist_position - 1)
        )


def release_place(invitation: Invitation) -> None:
    """Give up a place, an offer or a place in the queue (the caller holds the event's lock)."""
    _leave_waitlist(invitation)
    invitation.place = "none"
    invitation.offer_expires_at = None


def promote_from_waitlist(event: Event, now: datetime | None = None) -> list[Invitation]:
    """Offer each free place to the next person in the queue and mail them.

    Call it whenever places are freed (a decline, a revoked invitation, a lapsed offer) or the
    capacity is raised. It takes the event's lock; the caller commits.
    """
    now = now or utcnow()
    event = lock_event(event.id)
    if event.status == "cancelled" or now >= event.starts_at:
        return []
    offered = []
    free = places_free(event)
    while free is not None and free > 0:
        first = db.session.execute(
            select(Invitation)
            .where(Invitation.event_id == event.id, Invitation.place == "waitlisted")
            .order_by(Invitation.waitlist_position)
            .limit(1)
        ).scalar_one_or_none()
        if first is None:
            break
        _leave_waitlist(first)
        first.place = "offered"
        hours = timedelta(hours=current_app.config["OFFER_HOURS"])
        first.offer_expires_at = min(now + hours, event.starts_at)
        mails.mail_offer(first)
        offered.append(first)
        free -= 1
    return offered


def _lapse_offer(invitation: Invitation, now: datetime) -> None:
    invitation.place = "lapsed"
    invitation.offer_expires_at = None
    mails.mail_offer_lapsed(invitation)
    promote_from_waitlist(invitation.event, now)


def answer_invitation(
    token: str,
    answer: str,
    attendance_mode: str = "in_person",
    dietary_needs: str = "",
    access_needs: str = "",
    now: datetime | None = None,
    link: str | None = None,
) -> Invitation:
    """Record the answer given through a personal link, and give or take a place.

    Raises LookupError for an unknown or revoked link, AnswersClosed after the deadline.
    `link` is the personal link the answer came from, quoted in the confirmation mail.
    """
    if answer not in ("yes", "no", "maybe"):
        raise ValueError(f"unknown answer {answer!r}")
    found = invitation_for_token(token)
    if found is None:
        raise LookupError("no such invitation")
    return record_answer(found, answer, attendance_mode, dietary_needs, access_needs, now, link)


def answer_from_calendar(invitation: Invitation, answer: str, now: datetime | None = None) -> Invitation:
    """An answer given with Accept / Tentative / Decline in a calendar app (an iTIP REPLY that came
    back to the invitation's reply address): recorded exactly as on the RSVP page, under the same
    lock, with the same waitlist and mails. Needs and attendance mode stay as they were. The
    calendar already knows of a decline, so no CANCEL goes back to it."""
    return record_answer(invitation, answer, invitation.attendance_mode, invitation.dietary_needs,
                         invitation.access_needs, now, None, from_calendar=True)


def record_answer(
    found: Invitation,
    answer: str,
    attendance_mode: str = "in_person",
    dietary_needs: str = "",
    access_needs: str = "",
    now: datetime | None = None,
    link: str | None = None,
    from_calendar: bool = False,
) -> Invitation:
    """Record an answer to the invitation (found from a link or a reply address) and commit.

    Raises LookupError for a revoked invitation, AnswersClosed after the deadline.
    """
    if answer not in ("yes", "no", "maybe"):
        raise ValueError(f"unknown answer {answer!r}")
    now = now or utcnow()
    # Everything slow happens before the lock: only the decision and its writes run under it.
    prepared = mails.prepare_answer_mail(found, answer, mode_for(found.event, attendance_mode), link)
    event = lock_event(found.event_id)
    # Read again under the lock: another answer may have moved this invitation meanwhile.
    invitation = db.session.execute(
        select(Invitation).where(Invitation.id == found.id).execution_options(populate_existing=True)
    ).scalar_one()
    if invitation.revoked_at is not None:
        raise LookupError("no such invitation")
    lapsed = invitation.place == "offered" and not offer_open(invitation, now)
    if lapsed:
        _lapse_offer(invitation, now)
    if not can_change_answer(invitation, now):
        raise AnswersClosed()

    held_a_room_place = invitation.place in HOLDS_A_PLACE and takes_room_place(event, invitation.attendance_mode)
    place_before, answer_before = invitation.place, invitation.answer
    # The answer and its place are written together at the end (one UPDATE), not flushed before the count.
    with db.session.no_autoflush:
        invitation.calendar_sequence = mails.returning_sequence(invitation, answer)
        invitation.answer = answer
        invitation.attendance_mode = mode_for(event, attendance_mode)
        invitation.dietary_needs = dietary_needs.strip()
        invitation.access_needs = access_needs.strip()
        invitation.answered_at = now
        if answer == "yes":
            may_free_places = _give_place(invitation, event, held_a_room_place)
        else:
            release_place(invitation)
            may_free_places = True
    if may_free_places or lapsed:
        db.session.flush()
        promote_from_waitlist(event, now)

    if invitation.place == "confirmed" and place_before != "confirmed":
        mails.queue_answer_confirmation(invitation, prepared)
    elif invitation.place == "waitlisted" and place_before != "waitlisted":
        mails.queue_answer_waitlisted(invitation, prepared)
    elif answer == "no" and answer_before != "no" and not from_calendar and holds_event_in_calendar(answer_before):
        mails.mail_place_ended(invitation, "declined")  # a "yes" became "no", or they left the waitlist
    db.session.commit()
    return invitation


def holds_event_in_calendar(answer: str) -> bool:
    """Whether a person with this answer may have the event in their calendar from cop's mail: after a
    yes or maybe, and always once invitations themselves are meeting requests (calendar answers on)."""
    return answer in ("yes", "maybe") or (answer != "no" and mails.replies_enabled())


def room_counts(event: Event) -> tuple[int, int, int]:
    """Places held in the room, people waiting and the last waitlist position, in one query
    (it runs under the event's lock, so one round trip rather than three)."""
    holds: ColumnElement[bool] = Invitation.place.in_(HOLDS_A_PLACE)
    if event.attendance_mode == "hybrid":
        holds = and_(holds, Invitation.attendance_mode == "in_person")
    waiting = Invitation.place == "waitlisted"
    taken, waiting_count, last = db.session.execute(
        select(func.count().filter(holds), func.count().filter(waiting),
               func.max(Invitation.waitlist_position).filter(waiting))
        .where(Invitation.event_id == event.id)
    ).one()
    return taken, waiting_count, last or 0


def _give_place(invitation: Invitation, event: Event, held_a_room_place: bool) -> bool:
    """Confirm the place or queue for one; True if the waitlist may now be owed a place."""
    if not takes_room_place(event, invitation.attendance_mode):
        _leave_waitlist(invitation)
        invitation.place = "confirmed"
        invitation.offer_expires_at = None
        return True  # a room place held before (hybrid, now online) is free again
    if held_a_room_place:
        invitation.place = "confirmed"  # a place already held, or an offer taken
        invitation.offer_expires_at = None
        return False
    if invitation.place == "waitlisted":
        return True  # still waiting, in the same position (a free place, if any, is offered to the first)
    assert event.capacity is not None  # takes_room_place: only a limited room is counted
    taken, waiting, last = room_counts(event)
    free = max(0, event.capacity - taken)
    if free > 0 and waiting == 0:
        invitation.place = "confirmed"
    else:
        invitation.place = "waitlisted"
        invitation.waitlist_position = last + 1
    invitation.offer_expires_at = None
    # A place free while people wait happens only if it was not offered on (say, an event whose
    # capacity was raised directly in the database); promoting then offers it, as before.
    return free > 0 and waiting > 0


def waitlist_position(invitation: Invitation) -> int | None:
    return invitation.waitlist_position if invitation.place == "waitlisted" else None


def lapse_expired_offers(now: datetime | None = None) -> int:
    """Pass on every offered place whose time ran out; each to the next in that event's queue. Commits per
    event, to release that event's row lock before taking the next."""
    now = now or utcnow()
    expired = db.session.execute(
        select(Invitation.id, Invitation.event_id).where(
            Invitation.place == "offered", Invitation.offer_expires_at <= now
        )
    ).all()
    db.session.rollback()  # end the read, so the locks below are taken in fresh transactions
    lapsed = 0
    for invitation_id, event_id in expired:
        lock_event(event_id)
        invitation = db.session.execute(
            select(Invitation).where(Invitation.id == invitation_id).execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if (invitation is not None and invitation.place == "offered" and invitation.offer_expires_at is not None
                and invitation.offer_expires_at <= now):
            _lapse_offer(invitation, now)
            lapsed += 1
        db.session.commit()
    return lapsed
