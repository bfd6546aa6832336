"""Loading a community's report data: a fixed number of queries however many events it has.

The events (one query), everyone checked in at them with their organisation (one), the
seating plans in use with their seats (two), and the events' themes (one), through the owning features' functions.
"""
from sqlalchemy import select

from cop.communities.models import Community
from cop.door.check_in import checked_in_at
from cop.events.listing import events_held
from cop.events.models import Event, Theme
from cop.extensions import db
from cop.feedback.results import follow_up_pairs
from cop.invitations.channels import arrivals
from cop.people.models import PROFESSIONS, SECTORS
from cop.reports import figures
from cop.seating.plans import score_lines_in_use, seatings_in_use


def event_records(community: Community, up_to: Event | None = None) -> list[figures.EventRecord]:
    """The community's events that have begun (or up to `up_to`), as plain records, oldest first."""
    events = events_held(community, up_to)
    ids = [event.id for event in events]
    attendees: dict[int, list[figures.Attendee]] = {event_id: [] for event_id in ids}
    for row in checked_in_at(ids):
        attendees[row.event_id].append(figures.Attendee(
            person_id=row.person_id, organisation_id=row.organisation_id, organisation=row.organisation,
            sector=SECTORS.get(row.sector, row.sector), profession=PROFESSIONS.get(row.profession, row.profession),
            place=row.place,
        ))
    seatings = seatings_in_use(ids)
    themes = themes_of_events(ids)
    records = []
    for event in events:
        seating = seatings.get(event.id)
        records.append(figures.EventRecord(
            event_id=event.id, title=event.title, starts_at=event.starts_at, attendees=tuple(attendees[event.id]),
            theme=themes.get(event.id, ""),
            seating=None if seating is None else figures.Seating(
                tables=tuple(seating.tables),
                rounds=tuple(tuple(tuple(table) for table in tables) for tables in seating.rounds)),
        ))
    return records


def themes_of_events(event_ids: list[int]) -> dict[int, str]:
    """Each event's theme of the year (its name), for those that carry one: one query."""
    if not event_ids:
        return {}
    query = select(Event.id, Theme.name).join(Theme, Theme.id == Event.theme_id).where(Event.id.in_(event_ids))
    return dict(db.session.execute(query).tuples().all())


def community_report(community: Community) -> figures.CommunityFigures:
    return figures.community_figures(event_records(community))


def event_report(event: Event) -> figures.EventFigures:
    """The event's figures, judged against the community's earlier events."""
    return figures.community_figures(event_records(event.community, up_to=event)).events[-1]


def plan_score_lines(event: Event) -> list[tuple[str, str]]:
    """The seating plan's score, in the seating page's words and numbers (its panel)."""
    return score_lines_in_use(event)


def follow_ups_for(records: list[figures.EventRecord], pairs) -> figures.FollowUps:
    """Follow-up intentions at these events: `pairs` of (answering person id or None, chosen person id),
    as cop.feedback.results.follow_up_pairs(event_ids) gives them. Both people were checked in (the form
    offers the people present), so the records know their organisations."""
    organisation_of = {a.person_id: a.organisation_id for record in records for a in record.attendees}
    return figures.follow_up_figures(pairs, organisation_of)


def follow_ups(records: list[figures.EventRecord]) -> figures.FollowUps:
    """Follow-up intentions from the feedback answers at these events."""

    return follow_ups_for(records, follow_up_pairs([record.event_id for record in records]))


def channels(records: list[figures.EventRecord], counted: set[int] | None = None) -> list[figures.ChannelRow]:
    """Reached, said yes, came and new organisations by channel (invitation, trusted member, each shared
    link), for the events in `counted` (None: all the records)."""

    return figures.channel_figures(records, arrivals([record.event_id for record in records]), counted)
