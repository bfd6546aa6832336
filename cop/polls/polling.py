"""Date polls: propose dates, collect yes / if need be / no from personal links, choose, make the sessions.

The facilitator proposes dates and times (Europe/London wall clock, stored as naive UTC) for an action
learning set whose sessions are not fixed yet (everyone in the set is asked) or for a new series (the
people named are asked). Each person gets one mail with a personal link: unguessable, only its hash
stored (cop.tokens), revocable, and a new one replaces the old when it is sent again, as with
invitations. Nobody needs an account. A poll "anonymous to each other" shows each person the counts
for each date and never the others' names; the facilitator always sees who said what.

The best dates come first: the most "yes", then the most "if need be", then the earliest. Choosing
dates ends the poll: each chosen date becomes a session of the set (its members are already the
set's) or of a new closed series whose members are the people asked, with the poll's creator as its
facilitator (cop.events.scheduling), and everyone asked gets one mail with the sessions and a
calendar file of them (cop.ical), through the outbox. Functions flush; the view commits.
"""
from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import select

from cop import ical
from cop.clock import utcnow
from cop.communities.models import Community
from cop.events import scheduling
from cop.events.models import Event, Series
from cop.events.times import format_when, to_london, to_utc
from cop.extensions import db
from cop.links import external_url
from cop.mail.outbox import queue_mail
from cop.people.models import Person
from cop.polls.models import ANSWERS, DatePoll, PollAnswer, PollOption, PollParticipant
from cop.tokens import hash_token, new_token

MAX_OPTIONS = 12


class PollRefused(ValueError):
    """The poll cannot be made, answered or finalised; the message says why, in the organiser's words."""


@dataclass
class ProposedDate:
    day: date
    starts: time
    ends: time


# --- making a poll ------------------------------------------------------------------------------------


def sets_of(community: Community) -> list[Series]:
    """The community's action learning sets (closed series), newest first, to poll for their sessions."""
    return list(db.session.execute(
        select(Series).where(Series.community_id == community.id, Series.format == "action_learning_set")
        .order_by(Series.id.desc())
    ).scalars())


def set_in(community: Community, series_id: int) -> Series | None:
    return db.session.execute(select(Series).where(
        Series.community_id == community.id, Series.id == series_id, Series.format == "action_learning_set")
    ).scalar_one_or_none()


def option_times(dates: list[ProposedDate]) -> list[tuple]:
    """Naive UTC (start, end) of each proposed date, in order, without repeats; refuses what cannot be."""
    times = []
    for proposed in dates:
        if proposed.ends <= proposed.starts:
            raise PollRefused(f"On {proposed.day:%-d/%-m/%Y} the end must be after the start.")
        times.append((to_utc(proposed.day, proposed.starts), to_utc(proposed.day, proposed.ends)))
    times = sorted(set(times))
    if not times:
        raise PollRefused("Propose at least one date.")
    if len(times) > MAX_OPTIONS:
        raise PollRefused(f"Propose at most {MAX_OPTIONS} dates.")
    return times


def open_poll(community: Community, title: str, dates: list[ProposedDate], people: list[Person],
              by: Person | None, series: Series | None = None, description: str = "",
              format: str = "action_learning_set", anonymous: bool = False) -> DatePoll:
    """Make the poll and mail each person their link. Raises PollRefused (or NonexistentLocalTime)."""
    times = option_times(dates)
    if series is not None:
        people = scheduling.series_members(series)
        format = series.format
    unique = list({p.id: p for p in people}.values())
    if not unique:
        raise PollRefused("Nobody to ask: name the people (their email addresses), or choose a set with members.")
    poll = DatePoll(community=community, series=series, title=title.strip(), description=description.strip(),
                    format=format, anonymous=anonymous, created_by=by, state="open")
    poll.options = [PollOption(starts_at=s, ends_at=e) for s, e in times]
    db.session.add(poll)
    for person in unique:
        participant = PollParticipant(person=person, token_hash="")
        poll.participants.append(participant)
        _mail_link(poll, participant)
    db.session.flush()
    return poll


def _new_link(participant: PollParticipant) -> str:
    token, token_hash = new_token()
    participant.token_hash = token_hash
    return external_url("polls.answer", token=token)


def _dates_text(poll: DatePoll) -> str:
    return "\n".join(f"- {format_when(o.starts_at, o.ends_at)}" for o in poll.options)


def _mail_link(poll: DatePoll, participant: PollParticipant) -> None:
    link = _new_link(participant)
    person = participant.person
    what = f"the sessions of {poll.series.title}" if poll.series is not None else poll.title
    privacy = ("Nobody else asked sees your answers: they see only how many can come on each date."
               if poll.anonymous else "Everyone asked sees who can come on each date.")
    queue_mail(
        person.email, f"Which dates suit you? {poll.title}",
        f"Hello {person.name},\n\n{poll.community.name} is choosing dates for {what}.\n\n"
        f"{poll.description + chr(10) + chr(10) if poll.description else ''}"
        f"The dates proposed (UK time):\n{_dates_text(poll)}\n\n"
        f"Say yes, if need be, or no to each, from your own link (no account needed):\n{link}\n\n"
        f"{privacy} You can change your answers until the dates are chosen.\n",
        community_id=poll.community_id,
    )


def resend_link(participant: PollParticipant) -> None:
    """A new link by mail; the old one stops working (a forwarded mail, a lost one)."""
    if participant.poll.state != "open":
        raise PollRefused("The dates have been chosen: there is nothing left to answer.")
    participant.revoked_at = None
    _mail_link(participant.poll, participant)
    db.session.flush()


def revoke_link(participant: PollParticipant) -> None:
    """The person's link stops working; their answers stay in the grid until their link is sent again."""
    participant.revoked_at = participant.revoked_at or utcnow()
    db.session.flush()


# --- answering --------------------------------------------------------------------------------------


def participant_for_token(token: str) -> PollParticipant | None:
    """The person a link belongs to; None for an unknown or revoked link."""
    return db.session.execute(
        select(PollParticipant).where(PollParticipant.token_hash == hash_token(token),
                                      PollParticipant.revoked_at.is_(None))
    ).scalar_one_or_none()


def answers_of(participant: PollParticipant) -> dict[int, str]:
    return {a.option_id: a.answer for a in participant.answers}


def record_answers(participant: PollParticipant, answers: dict[int, str]) -> None:
    """Yes / if need be / no for each proposed date (every date must have one); replaces earlier answers."""
    poll = participant.poll
    if poll.state != "open":
        raise PollRefused("The dates have been chosen, so answers can no longer change.")
    option_ids = {o.id for o in poll.options}
    if set(answers) != option_ids or any(a not in ANSWERS for a in answers.values()):
        raise PollRefused("Answer yes, if need be or no for every date.")
    existing = {a.option_id: a for a in participant.answers}
    for option_id, answer in answers.items():
        if option_id in existing:
            existing[option_id].answer = answer
        else:
            participant.answers.append(PollAnswer(option_id=option_id, answer=answer))
    participant.answered_at = utcnow()
    db.session.flush()


# --- the grid ----------------------------------------------------------------------------------------


@dataclass
class Tally:
    option: PollOption
    counts: dict[str, int] = field(default_factory=lambda: {a: 0 for a in ANSWERS})
    names: dict[str, list[str]] = field(default_factory=lambda: {a: [] for a in ANSWERS})

    @property
    def when(self) -> str:
        return format_when(self.option.starts_at, self.option.ends_at)


def tallies(poll: DatePoll) -> list[Tally]:
    """Each date with how many said what, best first: most yes, then most if need be, then earliest."""
    by_option = {o.id: Tally(o) for o in poll.options}
    for participant in poll.participants:
        for answer in participant.answers:
            tally = by_option.get(answer.option_id)
            if tally is not None:
                tally.counts[answer.answer] += 1
                tally.names[answer.answer].append(participant.person.name)
    return sorted(by_option.values(), key=lambda t: (-t.counts["yes"], -t.counts["if_need_be"],
                                                     t.option.starts_at, t.option.id))


@dataclass
class GridRow:
    participant: PollParticipant
    answers: dict[int, str]


def grid(poll: DatePoll) -> list[GridRow]:
    """One row per person asked (by name), their answer per date (absent: not answered)."""
    rows = [GridRow(p, answers_of(p)) for p in poll.participants]
    return sorted(rows, key=lambda r: (r.participant.person.name.casefold(), r.participant.id))


# --- choosing ------------------------------------------------------------------------------------------


def finalise(poll: DatePoll, option_ids: list[int], by: Person | None = None) -> Series:
    """The chosen dates become sessions (of the set, or of a new closed series); everyone asked is told,
    with the sessions in a calendar file. Raises PollRefused."""
    if poll.state != "open":
        raise PollRefused("The dates have been chosen already.")
    chosen = [o for o in poll.options if o.id in set(option_ids)]
    if not chosen:
        raise PollRefused("Choose at least one date.")
    people = [p.person for p in poll.participants]
    series = poll.series
    if series is None:
        first = chosen[0]
        creator = [poll.created_by] if poll.created_by is not None else []
        series = scheduling.create_series(
            poll.community, poll.format, poll.title, scheduling.SeriesRule("dates", dates=[]),
            to_london(first.starts_at).time(), to_london(first.ends_at).time(),
            scheduling.OccurrenceTemplate(description=poll.description),
            members=[p for p in people if p not in creator], facilitators=creator, publish=True)
        series.starts_on = to_london(first.starts_at).date()
    template = next((e for e in series.events if e.status != "cancelled"), None)
    sessions = []
    for option in chosen:
        option.chosen = True
        sessions.append(scheduling.create_event(poll.community, series.format, scheduling.EventDetails(
            title=series.title, starts_at=option.starts_at, ends_at=option.ends_at,
            description=template.description if template else poll.description,
            venue=template.venue if template else None, online_url=template.online_url if template else "",
            attendance_mode=template.attendance_mode if template else "in_person",
            capacity=template.capacity if template else None,
        ), publish=True, series=series))
    series.occurrence_count = len([e for e in series.events if e.status != "cancelled"])
    poll.state, poll.finalised_at, poll.result_series = "finalised", utcnow(), series
    db.session.flush()
    _tell_everyone(poll, series, sessions)
    return series


def _tell_everyone(poll: DatePoll, series: Series, sessions: list[Event]) -> None:
    attachment = {"filename": "sessions.ics", "content_type": 'text/calendar; method=PUBLISH; charset="UTF-8"',
                  "data": ical.events_ics(sessions)}
    dates = "\n".join(f"- {format_when(e.starts_at, e.ends_at)}" for e in sessions)
    for participant in poll.participants:
        person = participant.person
        queue_mail(
            person.email, f"Dates chosen: {series.title}",
            f"Hello {person.name},\n\nThe dates for {series.title}, in {poll.community.name}, are chosen "
            f"(UK time):\n{dates}\n\nThey are attached as a calendar file to add to your calendar, and each "
            f"session has its page:\n" + "\n".join(external_url("events.show", event_id=e.id) for e in sessions)
            + "\n",
            attachments=[attachment], community_id=poll.community_id,
        )


# --- finding ------------------------------------------------------------------------------------------


def polls_of(community: Community) -> list[DatePoll]:
    return list(db.session.execute(
        select(DatePoll).where(DatePoll.community_id == community.id).order_by(DatePoll.id.desc())
    ).scalars())


def poll_in(community: Community, poll_id: int) -> DatePoll | None:
    return db.session.execute(
        select(DatePoll).where(DatePoll.community_id == community.id, DatePoll.id == poll_id)
    ).scalar_one_or_none()


def participant_in(poll: DatePoll, participant_id: int) -> PollParticipant | None:
    return next((p for p in poll.participants if p.id == participant_id), None)
